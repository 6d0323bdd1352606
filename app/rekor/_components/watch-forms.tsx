'use client';
/** Add a watch; check or stop one. Each posts to /api/rekor/watches and refreshes the page. */
import { apiFetch } from '@/components/api-fetch';
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';

async function post(url: string, body?: unknown): Promise<unknown> {
  const res = await apiFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as { error?: { message: string } };
  if (!res.ok || json.error) throw new Error(json.error?.message ?? `server answered ${res.status}`);
  return json;
}

const input = 'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm font-normal text-slate-900';

export function AddWatchForm({ logs }: { logs: Array<{ url: string; label: string }> }) {
  const router = useRouter();
  const [identity, setIdentity] = useState('');
  const [isRegexp, setIsRegexp] = useState(false);
  const [issuer, setIssuer] = useState('');
  const [logUrl, setLogUrl] = useState(logs[0]?.url ?? '');
  const add = useMutation({
    mutationFn: () => post('/api/rekor/watches', { identity, isRegexp, ...(issuer.trim() ? { oidcIssuer: issuer.trim() } : {}), logUrl }),
    onSuccess: () => {
      setIdentity('');
      setIssuer('');
      router.refresh();
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    add.mutate();
  }
  return (
    <form onSubmit={submit} aria-label="Watch an identity" className="grid gap-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm md:grid-cols-[2fr_1.5fr_1fr_max-content]">
      <div className="flex flex-col gap-1 text-xs font-medium text-slate-600">
        <label htmlFor="watch-identity">Identity</label>
        <input id="watch-identity" value={identity} onChange={(e) => setIdentity(e.target.value)} required maxLength={512} placeholder="dev@example.com or https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main" className={`${input} font-mono`} />
        <span className="flex items-center gap-2 font-normal">
          <input type="checkbox" checked={isRegexp} onChange={(e) => setIsRegexp(e.target.checked)} id="watch-regexp" />
          <label htmlFor="watch-regexp">Regular expression (matches the whole identity)</label>
        </span>
      </div>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
        OIDC issuer (optional)
        <input value={issuer} onChange={(e) => setIssuer(e.target.value)} maxLength={512} placeholder="https://token.actions.githubusercontent.com" className={`${input} font-mono`} />
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
        Log
        <select value={logUrl} onChange={(e) => setLogUrl(e.target.value)} className={input}>
          {logs.map((l) => <option key={l.url} value={l.url}>{l.label}</option>)}
        </select>
      </label>
      <div className="flex flex-col items-start justify-end gap-1">
        <button type="submit" disabled={add.isPending || logs.length === 0} className="rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white hover:bg-slate-700 disabled:opacity-60">
          {add.isPending ? 'Adding…' : 'Watch'}
        </button>
      </div>
      {add.isError && <p role="alert" className="text-sm text-red-700 md:col-span-4">{add.error.message}</p>}
    </form>
  );
}

export function WatchActions({ id, identity }: { id: string; identity: string }) {
  const router = useRouter();
  const check = useMutation({ mutationFn: () => post(`/api/rekor/watches/${id}/check`), onSuccess: () => router.refresh() });
  const stop = useMutation({ mutationFn: () => post(`/api/rekor/watches/${id}/stop`), onSuccess: () => router.refresh() });
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button type="button" onClick={() => check.mutate()} disabled={check.isPending} aria-label={`Check ${identity} now`} className="rounded-md bg-slate-900 px-3 py-1 text-xs font-medium text-white hover:bg-slate-700 disabled:opacity-60">
        {check.isPending ? 'Checking…' : 'Check now'}
      </button>
      <button
        type="button"
        onClick={() => {
          if (window.confirm(`Stop watching ${identity}? Its checks are kept.`)) stop.mutate();
        }}
        disabled={stop.isPending}
        aria-label={`Stop watching ${identity}`}
        className="rounded-md border border-slate-300 px-3 py-1 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
      >
        Stop
      </button>
      {(check.isError || stop.isError) && <span role="alert" className="text-xs text-red-700">{(check.error ?? stop.error)?.message}</span>}
    </div>
  );
}
