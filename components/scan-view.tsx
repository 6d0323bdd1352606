'use client';
/** A scan's page body: live progress (polled while it runs), per-repository summary, and the items table. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { StatusBadge } from './status-badge';
import { apiJson } from './api-fetch';
import type { RepositorySummary, ScanProgress } from '@/lib/db/scans';

/** A value as it arrives over JSON: dates become ISO strings. */
type Json<T> = T extends Date ? string : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
export type ScanProgressJson = Json<ScanProgress>;
export type RepositorySummaryJson = Json<RepositorySummary>;

export interface ScanJson {
  id: string;
  spec: { targets?: string[]; tags?: Record<string, unknown>; trustRoot?: string } | null;
  runner: string;
  trustRootName: string;
  actor: string;
  progress: ScanProgressJson;
  repositories: RepositorySummaryJson[];
}

interface ItemJson {
  id: string;
  registry: string;
  repository: string;
  tag: string;
  digest: string | null;
  state: string;
  outcome: string | null;
  reused: boolean;
  previousDigest: string | null;
  runId: string | null;
  attempts: number;
  errorMessage: string | null;
  finishedAt: string | null;
}

const LIVE = new Set(['queued', 'running', 'cancelling']);
const PAGE = 100;

function seconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const json = (await res.json().catch(() => null)) as T | { error: { message: string } } | null;
  if (!res.ok || !json || (typeof json === 'object' && 'error' in (json as object))) {
    throw new Error((json as { error?: { message: string } } | null)?.error?.message ?? `the server answered ${res.status}`);
  }
  return json as T;
}

export function ScanView({ initial, canControl = true }: { initial: ScanJson; canControl?: boolean }) {
  const queryClient = useQueryClient();
  const scan = useQuery({
    queryKey: ['scan', initial.id],
    queryFn: () => getJson<ScanJson>(`/api/scans/${initial.id}`),
    initialData: initial,
    refetchInterval: (q) => (q.state.data && LIVE.has(q.state.data.progress.status) ? 1000 : false),
  });
  const data = scan.data;
  const p = data.progress;
  const live = LIVE.has(p.status);
  const action = useMutation({
    mutationFn: async (a: 'cancel' | 'resume') => {
      await apiJson(`/api/scans/${initial.id}`, { method: 'POST', json: { action: a } });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['scan', initial.id] }),
  });
  const pct = p.images.total ? Math.round((p.images.done / p.images.total) * 100) : 0;

  return (
    <div className="space-y-6">
      <section aria-label="Progress" className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <div className="flex items-center gap-3">
            <ScanStatus status={p.status} />
            <span className="text-sm text-slate-600">
              {p.images.done} of {p.images.total} images
              {p.expansions.done < p.expansions.total && ` · listing repositories ${p.expansions.done}/${p.expansions.total}`}
              {p.rate !== null && ` · ${p.rate.toFixed(1)} images/s`}
              {live && p.etaSeconds !== null && ` · about ${seconds(p.etaSeconds)} left`}
            </span>
          </div>
          <div className="flex gap-2">
            {canControl && live && p.status !== 'cancelling' && (
              <button type="button" onClick={() => action.mutate('cancel')} disabled={action.isPending} className="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
                Cancel scan
              </button>
            )}
            {canControl && (p.status === 'cancelled' || p.status === 'failed') && (
              <button type="button" onClick={() => action.mutate('resume')} disabled={action.isPending} className="rounded-md bg-slate-900 px-3 py-1.5 text-sm text-white hover:bg-slate-700">
                Resume
              </button>
            )}
          </div>
        </div>
        <div className="mt-3 h-2.5 w-full overflow-hidden rounded-full bg-slate-100" role="progressbar" aria-label="Images done" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
          <div className="flex h-full">
            {(['verified', 'signed-unchecked', 'failed', 'unsigned', 'error'] as const).map((k) => (
              <div key={k} className={BAR[k]} style={{ width: `${p.images.total ? ((p.outcomes[k] ?? 0) / p.images.total) * 100 : 0}%` }} />
            ))}
          </div>
        </div>
        <dl className="mt-4 grid grid-cols-2 gap-3 text-sm sm:grid-cols-6">
          <Stat label="Verified" value={p.outcomes.verified ?? 0} tone="text-emerald-700" />
          <Stat label="Failed" value={p.outcomes.failed ?? 0} tone="text-red-700" />
          <Stat label="Unsigned" value={p.outcomes.unsigned ?? 0} tone="text-slate-700" />
          <Stat label="Signer not checked" value={p.outcomes['signed-unchecked'] ?? 0} tone="text-amber-700" />
          <Stat label="Errors" value={(p.outcomes.error ?? 0) + p.expansions.errors} tone="text-red-800" />
          <Stat label="Reused verdicts" value={p.reused} tone="text-slate-600" />
        </dl>
        {p.movedTags > 0 && <p className="mt-3 text-sm text-amber-800">{p.movedTags} tag{p.movedTags === 1 ? '' : 's'} moved to another digest since they were last seen.</p>}
        {p.errorMessage && <p role="alert" className="mt-3 text-sm text-red-800">{p.errorMessage}</p>}
        {action.isError && <p role="alert" className="mt-3 text-sm text-red-800">{action.error.message}</p>}
        {scan.isError && <p className="mt-3 text-sm text-amber-800">Live updates paused: {scan.error.message}</p>}
      </section>

      <RepositoryTable repos={data.repositories} />
      <ItemsTable scanId={initial.id} live={live} repositories={data.repositories.map((r) => r.repository)} />
    </div>
  );
}

const BAR: Record<string, string> = {
  verified: 'bg-emerald-500',
  'signed-unchecked': 'bg-amber-400',
  failed: 'bg-red-500',
  unsigned: 'bg-slate-400',
  error: 'bg-red-900',
};

function ScanStatus({ status }: { status: string }) {
  const map: Record<string, string> = { queued: 'Queued', running: 'Running', cancelling: 'Cancelling…', cancelled: 'Cancelled', finished: 'Finished', failed: 'Failed' };
  const tone = status === 'finished' ? 'bg-emerald-100 text-emerald-800' : status === 'failed' ? 'bg-red-100 text-red-800' : status === 'running' ? 'bg-sky-100 text-sky-800' : 'bg-slate-100 text-slate-700';
  return (
    <span data-scan-status={status} className={`rounded-full px-3 py-1 text-sm font-medium ${tone}`}>
      {map[status] ?? status}
    </span>
  );
}

function Stat({ label, value, tone }: { label: string; value: number; tone: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className={`text-xl font-semibold tabular-nums ${tone}`}>{value}</dd>
    </div>
  );
}

function RepositoryTable({ repos }: { repos: RepositorySummaryJson[] }) {
  if (repos.length === 0) return null;
  return (
    <section aria-label="Repositories" className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
      <table className="min-w-full text-sm">
        <caption className="px-4 pt-3 text-left font-medium text-slate-800">Repositories ({repos.length})</caption>
        <thead className="text-left text-xs uppercase text-slate-500">
          <tr>
            <th className="px-4 py-2">Repository</th>
            <th className="px-2 py-2 text-right">Images</th>
            <th className="px-2 py-2 text-right">Verified</th>
            <th className="px-2 py-2 text-right">Failed</th>
            <th className="px-2 py-2 text-right">Unsigned</th>
            <th className="px-2 py-2 text-right">Errors</th>
            <th className="px-4 py-2">Coverage</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {repos.map((r) => {
            const done = r.images - r.pending;
            const cov = done ? Math.round((r.verified / done) * 100) : 0;
            return (
              <tr key={`${r.registry}/${r.repository}`}>
                <td className="px-4 py-1.5 font-mono text-xs">
                  <Link href={`/repositories/${r.registry}/${r.repository}`}>{r.registry}/{r.repository}</Link>
                </td>
                <td className="px-2 py-1.5 text-right tabular-nums">{r.images}</td>
                <td className="px-2 py-1.5 text-right tabular-nums text-emerald-700">{r.verified}</td>
                <td className="px-2 py-1.5 text-right tabular-nums text-red-700">{r.failed || ''}</td>
                <td className="px-2 py-1.5 text-right tabular-nums">{r.unsigned || ''}</td>
                <td className="px-2 py-1.5 text-right tabular-nums text-red-800">{r.errors || ''}</td>
                <td className="px-4 py-1.5">
                  <div className="flex items-center gap-2">
                    <div className="h-1.5 w-24 rounded-full bg-slate-100">
                      <div className={`h-1.5 rounded-full ${cov === 100 ? 'bg-emerald-500' : cov >= 80 ? 'bg-amber-400' : 'bg-red-500'}`} style={{ width: `${cov}%` }} />
                    </div>
                    <span className="text-xs tabular-nums text-slate-600">{done ? `${cov}%` : '…'}</span>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

type Sort = 'repository' | 'tag' | 'outcome' | 'finishedAt';

function ItemsTable({ scanId, live, repositories }: { scanId: string; live: boolean; repositories: string[] }) {
  const [outcome, setOutcome] = useState('');
  const [repository, setRepository] = useState('');
  const [q, setQ] = useState('');
  const [sort, setSort] = useState<Sort>('repository');
  const [dir, setDir] = useState<'asc' | 'desc'>('asc');
  const [offset, setOffset] = useState(0);
  const params = new URLSearchParams({ sort, dir, offset: String(offset), limit: String(PAGE), ...(outcome ? { outcome } : {}), ...(repository ? { repository } : {}), ...(q.trim() ? { q: q.trim() } : {}) });
  const items = useQuery({
    queryKey: ['scan-items', scanId, params.toString()],
    queryFn: () => getJson<{ total: number; items: ItemJson[] }>(`/api/scans/${scanId}/items?${params.toString()}`),
    placeholderData: keepPreviousData,
    refetchInterval: live ? 2000 : false,
  });
  const total = items.data?.total ?? 0;
  const header = (key: Sort, text: string) => (
    <th className="px-3 py-2" aria-sort={sort === key ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button
        type="button"
        className="uppercase hover:text-slate-800"
        onClick={() => {
          if (sort === key) setDir(dir === 'asc' ? 'desc' : 'asc');
          else {
            setSort(key);
            setDir('asc');
          }
          setOffset(0);
        }}
      >
        {text}
        {sort === key ? (dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  return (
    <section aria-label="Images" className="rounded-lg border border-slate-200 bg-white shadow-sm">
      <div className="flex flex-wrap items-end gap-3 border-b border-slate-100 px-4 py-3">
        <h2 className="mr-auto font-medium text-slate-800">Images</h2>
        <label className="text-xs text-slate-600">
          Outcome
          <select aria-label="Outcome filter" className="ml-2 rounded border border-slate-300 px-2 py-1 text-sm" value={outcome} onChange={(e) => (setOutcome(e.target.value), setOffset(0))}>
            <option value="">all</option>
            <option value="verified">verified</option>
            <option value="failed">failed</option>
            <option value="unsigned">unsigned</option>
            <option value="signed-unchecked">signer not checked</option>
            <option value="error">error</option>
          </select>
        </label>
        <label className="text-xs text-slate-600">
          Repository
          <select aria-label="Repository filter" className="ml-2 max-w-56 rounded border border-slate-300 px-2 py-1 text-sm" value={repository} onChange={(e) => (setRepository(e.target.value), setOffset(0))}>
            <option value="">all</option>
            {repositories.map((r) => (
              <option key={r} value={r}>{r}</option>
            ))}
          </select>
        </label>
        <input aria-label="Search tag, repository or digest" placeholder="Search tag, repository, digest" className="rounded border border-slate-300 px-2 py-1 text-sm" value={q} onChange={(e) => (setQ(e.target.value), setOffset(0))} />
      </div>
      {items.isError ? (
        <p role="alert" className="px-4 py-6 text-sm text-red-800">{items.error.message}</p>
      ) : total === 0 && !items.isPending ? (
        <p className="px-4 py-6 text-sm text-slate-600">{live ? 'No images yet: the scan is still listing repositories and tags.' : 'No image matches these filters.'}</p>
      ) : (
        <table className="min-w-full text-sm">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              {header('repository', 'Image')}
              <th className="px-3 py-2 uppercase">Digest</th>
              {header('outcome', 'Outcome')}
              <th className="px-3 py-2 uppercase">Detail</th>
              {header('finishedAt', 'Checked')}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {items.data?.items.map((i) => (
              <tr key={i.id} data-outcome={i.outcome ?? i.state}>
                <td className="px-3 py-1.5 font-mono text-xs">
                  {i.runId ? <Link href={`/runs/${i.runId}`}>{i.repository}:{i.tag || '(digest)'}</Link> : `${i.repository}:${i.tag}`}
                </td>
                <td className="px-3 py-1.5 font-mono text-xs text-slate-500" title={i.digest ?? ''}>{i.digest ? `${i.digest.slice(0, 19)}…` : ''}</td>
                <td className="px-3 py-1.5">{i.outcome ? <StatusBadge status={i.outcome} /> : <span className="text-xs text-slate-500">{i.state}</span>}</td>
                <td className="px-3 py-1.5 text-xs text-slate-600">
                  {i.reused && <span className="mr-2 rounded bg-slate-100 px-1.5 py-0.5" title="Verified earlier under the same policy and trusted root; not fetched again">reused</span>}
                  {i.previousDigest && <span className="mr-2 rounded bg-amber-100 px-1.5 py-0.5 text-amber-900" title={`was ${i.previousDigest}`}>tag moved</span>}
                  {i.attempts > 1 && <span className="mr-2 rounded bg-slate-100 px-1.5 py-0.5">attempt {i.attempts}</span>}
                  {i.errorMessage}
                </td>
                <td className="px-3 py-1.5 text-xs text-slate-500">{i.state === 'running' ? 'running…' : i.finishedAt ? new Date(i.finishedAt).toLocaleString() : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav aria-label="Pagination" className="flex items-center justify-between border-t border-slate-100 px-4 py-2 text-sm">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))} className="disabled:text-slate-300">← Previous</button>
        <span className="text-xs text-slate-500">{total ? `${offset + 1}–${Math.min(offset + PAGE, total)} of ${total}` : ''}</span>
        <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)} className="disabled:text-slate-300">Next →</button>
      </nav>
    </section>
  );
}
