'use client';
/** Settings: allowed private hosts, registries reachable over plain HTTP, extra trusted roots. Saved through /api/settings. */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiFetch } from './api-fetch';

interface Settings {
  allowHttpRegistries: string[];
  allowedHosts: string[];
  trustedRoots: Array<{ name: string; path: string }>;
}

const input = 'w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-200';

export function SettingsForm({ initial, fromEnv, allowedFromEnv }: { initial: Settings; fromEnv: string[]; allowedFromEnv: string[] }) {
  const [hosts, setHosts] = useState(initial.allowHttpRegistries.filter((h) => !fromEnv.includes(h)).join('\n'));
  const [allowed, setAllowed] = useState(initial.allowedHosts.filter((h) => !allowedFromEnv.includes(h)).join('\n'));
  const [roots, setRoots] = useState(initial.trustedRoots.map((r) => `${r.name}=${r.path}`).join('\n'));
  const save = useMutation({
    mutationFn: async (body: Settings) => {
      const res = await apiFetch('/api/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json()) as Settings | { error: { message: string } };
      if (!res.ok || 'error' in json) throw new Error('error' in json ? json.error.message : `server answered ${res.status}`);
      return json;
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);
    save.mutate({
      allowHttpRegistries: lines(hosts),
      allowedHosts: lines(allowed),
      trustedRoots: lines(roots).map((l) => {
        const i = l.indexOf('=');
        return i > 0 ? { name: l.slice(0, i).trim(), path: l.slice(i + 1).trim() } : { name: l, path: '' };
      }),
    });
  }
  return (
    <form onSubmit={submit} className="space-y-6 rounded-lg border border-slate-200 bg-white p-6 shadow-sm" aria-label="Settings">
      <div>
        <label htmlFor="allowed-hosts" className="mb-1 block text-sm font-medium">Allowed hosts</label>
        <p id="allowed-hosts-help" className="mb-2 text-xs text-slate-500">
          Sigscope refuses to connect to loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local and cloud metadata addresses, so a
          registry or log URL cannot be turned against your own network. List here the registries and logs that really live there: one host,
          host:port or address range (10.0.0.0/8) per line.
        </p>
        <textarea id="allowed-hosts" aria-describedby="allowed-hosts-help" className={`${input} h-24`} value={allowed} onChange={(e) => setAllowed(e.target.value)} placeholder={'registry.internal:5000\n10.20.0.0/16'} />
        {allowedFromEnv.length > 0 && <p className="mt-1 text-xs text-slate-500">Also allowed by SIGSCOPE_ALLOW_HOSTS: {allowedFromEnv.join(', ')}</p>}
      </div>
      <div>
        <label htmlFor="hosts" className="mb-1 block text-sm font-medium">Registries allowed over plain HTTP</label>
        <p className="mb-2 text-xs text-slate-500">One host[:port] per line. Everything else is reached over HTTPS only (as the CLI&apos;s --allow-http-registry).</p>
        <textarea id="hosts" className={`${input} h-24`} value={hosts} onChange={(e) => setHosts(e.target.value)} placeholder="127.0.0.1:5000" />
        {fromEnv.length > 0 && <p className="mt-1 text-xs text-slate-500">Also allowed by SIGSCOPE_ALLOW_HTTP_REGISTRIES: {fromEnv.join(', ')}</p>}
      </div>
      <div>
        <label htmlFor="roots" className="mb-1 block text-sm font-medium">Additional trusted roots</label>
        <p className="mb-2 text-xs text-slate-500">One <code>name=/path/to/trusted_root.json</code> per line, for a private Sigstore instance.</p>
        <textarea id="roots" className={`${input} h-24`} value={roots} onChange={(e) => setRoots(e.target.value)} placeholder="corp=/etc/sigstore/trusted_root.json" />
      </div>
      <div className="flex items-center gap-4">
        <button type="submit" disabled={save.isPending} className="rounded-md bg-slate-900 px-5 py-2 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-60">
          {save.isPending ? 'Saving…' : 'Save settings'}
        </button>
        <span aria-live="polite" className="text-sm">
          {save.isSuccess && <span className="text-emerald-700">Saved.</span>}
          {save.isError && <span role="alert" className="text-red-700">{save.error.message}</span>}
        </span>
      </div>
    </form>
  );
}
