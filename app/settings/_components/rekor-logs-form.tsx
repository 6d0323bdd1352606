'use client';
/** Settings → Rekor logs: the trusted root whose logs the explorer and watches use, and optionally only some of them. */
import { apiFetch } from '@/components/api-fetch';
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';

export interface RootLogs {
  name: string;
  logs: Array<{ url: string; version: string }>;
  error?: string;
}

export function RekorLogsForm({ roots, initial }: { roots: RootLogs[]; initial: { trustRoot: string; logUrls: string[] } }) {
  const router = useRouter();
  const [trustRoot, setTrustRoot] = useState(initial.trustRoot);
  const [logUrls, setLogUrls] = useState<string[]>(initial.logUrls);
  const root = roots.find((r) => r.name === trustRoot);
  const save = useMutation({
    mutationFn: async () => {
      const res = await apiFetch('/api/rekor/settings', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ trustRoot, logUrls }) });
      const json = (await res.json()) as { error?: { message: string } };
      if (!res.ok || json.error) throw new Error(json.error?.message ?? `server answered ${res.status}`);
    },
    onSuccess: () => router.refresh(),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <form onSubmit={submit} aria-label="Rekor logs" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <div>
        <label htmlFor="rekor-root" className="mb-1 block text-sm font-medium">Trusted root of the logs</label>
        <p className="mb-2 text-xs text-slate-500">public-good (Rekor v1 and the v2 shards it lists), the sandbox (reachable offline), or a private instance added above.</p>
        <select
          id="rekor-root"
          value={trustRoot}
          onChange={(e) => {
            setTrustRoot(e.target.value);
            setLogUrls([]);
          }}
          className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
        >
          {roots.map((r) => <option key={r.name} value={r.name}>{`${r.name} — ${r.error ? 'does not load' : `${r.logs.length} log${r.logs.length === 1 ? '' : 's'}`}`}</option>)}
        </select>
      </div>
      <fieldset>
        <legend className="mb-1 text-sm font-medium">Logs to use</legend>
        <p className="mb-2 text-xs text-slate-500">None ticked: every log of the trusted root.</p>
        {root?.error && <p role="alert" className="text-sm text-red-700">{root.error}</p>}
        {root && root.logs.length === 0 && !root.error && <p className="text-sm text-slate-600">This trusted root names no log reachable over HTTPS (or HTTP on loopback).</p>}
        <ul className="space-y-1">
          {root?.logs.map((l) => (
            <li key={l.url} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                id={`log-${l.url}`}
                checked={logUrls.includes(l.url)}
                onChange={(e) => setLogUrls(e.target.checked ? [...logUrls, l.url] : logUrls.filter((u) => u !== l.url))}
              />
              <label htmlFor={`log-${l.url}`} className="font-mono text-xs">{l.url}</label>
              <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-600">{l.version === 'v2' ? 'v2 (tiles, no search index)' : 'v1'}</span>
            </li>
          ))}
        </ul>
      </fieldset>
      <div className="flex items-center gap-4">
        <button type="submit" disabled={save.isPending} className="rounded-md bg-slate-900 px-5 py-2 text-sm font-semibold text-white hover:bg-slate-700 disabled:opacity-60">
          {save.isPending ? 'Saving…' : 'Save logs'}
        </button>
        <span aria-live="polite" className="text-sm">
          {save.isSuccess && <span className="text-emerald-700">Saved.</span>}
          {save.isError && <span role="alert" className="text-red-700">{save.error.message}</span>}
        </span>
      </div>
    </form>
  );
}
