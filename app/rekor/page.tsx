import Link from 'next/link';
import type { Metadata } from 'next';
import { isSigscopeError } from '@/lib/errors';
import { parseExploreQuery, selectLogs, type ExploreResult } from '@/lib/rekor/explore';
import { observeLogs, resolveContext, searchRekor, exploreRekor } from '@/lib/rekor/explore-db';
import type { CheckpointStatus } from '@/lib/rekor/checkpoints';
import { MAX_RANGE_ENTRIES } from '@/lib/rekor/explore';
import { resultRows } from '@/lib/rekor/rows';
import { rekorLogChoice, trustRootChoices } from '@/lib/settings';
import { CheckpointBanner } from './_components/checkpoint-banner';
import { ResultsTable } from './_components/results-table';
import { SearchBox } from './_components/search-box';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Rekor explorer' };

const KINDS = ['auto', 'logIndex', 'uuid', 'sha256', 'email'] as const;
type Kind = (typeof KINDS)[number];
const PAGE_SIZE = 20;

function one(v: string | string[] | undefined, max = 4096): string {
  return (Array.isArray(v) ? v[0] : v)?.slice(0, max) ?? '';
}

function pageHref(sp: { q: string; kind: string; trustRoot: string }, page: number): string {
  const p = new URLSearchParams({ q: sp.q, kind: sp.kind, trustRoot: sp.trustRoot, page: String(page) });
  return `/rekor?${p.toString()}`;
}

export default async function RekorPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('viewer');
  const sp = await searchParams;
  const roots = trustRootChoices().map((c) => c.name);
  const choice = rekorLogChoice();
  const kindParam = one(sp.kind);
  const kind: Kind = (KINDS as readonly string[]).includes(kindParam) ? (kindParam as Kind) : 'auto';
  const value = one(sp.q, 64 * 1024).trim();
  const trustRoot = one(sp.trustRoot) || choice.trustRoot;
  const page = Math.max(1, Math.min(1000, Number.parseInt(one(sp.page), 10) || 1));

  let result: (ExploreResult & { understood?: string }) | null = null;
  let checkpoints: CheckpointStatus[] = [];
  let logsLine = '';
  let error: string | null = null;
  const notes: string[] = [];
  try {
    if (value) {
      result = kind === 'auto' ? await searchRekor(trustRoot, value) : await exploreRekor(trustRoot, parseExploreQuery({ [kind]: value }));
      checkpoints = result.checkpoints ?? [];
      logsLine = result.logs.map((l) => `${l.baseUrl} (${l.version})`).join(', ');
    } else {
      // A visit without a query still records the logs' checkpoints.
      // Short timeouts: a log out of reach (public-good offline) must not hold the page.
      const { ctx, options } = resolveContext(trustRoot, { timeoutMs: 5_000, maxRetries: 0 });
      const observed = await observeLogs(ctx, options);
      checkpoints = observed.checkpoints;
      notes.push(...observed.messages);
      logsLine = selectLogs(ctx, options).map((l) => `${l.baseUrl} (${l.version})`).join(', ');
    }
  } catch (e) {
    if (!isSigscopeError(e)) throw e;
    error = e.message;
  }

  const rows = result ? resultRows(result.entries, result.trustRoot.name) : [];
  const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
  const current = Math.min(page, pages);
  const shown = rows.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE);
  const hasV2 = /\(v2\)/.test(logsLine);

  return (
    <div className="space-y-6">
      <header className="space-y-1">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h1 className="text-xl font-semibold">Rekor explorer</h1>
          <nav className="flex gap-4 text-sm">
            <Link href="/rekor/watches">Watched identities</Link>
            <Link href="/settings#rekor-logs">Logs used</Link>
          </nav>
        </div>
        <p className="max-w-3xl text-sm text-slate-600">
          Look up transparency-log entries of a trusted root&apos;s Rekor logs. Every entry is proven here: its inclusion proof is checked against a checkpoint signed by the log&apos;s key from the trusted root, and its SET is verified. At each visit the log&apos;s checkpoint is recorded and checked against the history seen before.
        </p>
        {logsLine && <p className="text-xs text-slate-500" data-testid="explorer-logs">Trusted root {result?.trustRoot.name ?? trustRoot}: {logsLine}</p>}
      </header>

      <CheckpointBanner statuses={checkpoints} />
      {notes.map((m, i) => <p key={i} role="note" className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">{m}</p>)}

      <SearchBox initial={value} kind={kind} trustRoot={trustRoot} roots={roots.includes(trustRoot) ? roots : [...roots, trustRoot]} />

      {hasV2 && (
        <p role="note" className="max-w-4xl rounded-md border border-sky-200 bg-sky-50 p-3 text-sm text-sky-900" data-testid="v2-note">
          Rekor v2 logs have no search index and no UUIDs: look an entry up by log index, paste a bundle (its entry is proven offline), or scan a range of at most {MAX_RANGE_ENTRIES} indexes, e.g. <code>0-99</code>.
        </p>
      )}

      {error && <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">{error}</div>}

      {result && (
        <section aria-labelledby="results" className="space-y-3">
          <h2 id="results" className="text-lg font-semibold">
            {rows.length} entr{rows.length === 1 ? 'y' : 'ies'}
            {result.understood && <span className="ml-2 text-sm font-normal text-slate-500" data-testid="understood">for {result.understood}</span>}
          </h2>
          {result.messages.map((m, i) => (
            <p key={i} role="note" className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">{m}</p>
          ))}
          {result.truncated > 0 && <p className="text-sm text-slate-600">{result.truncated} more entries matched; only the first {rows.length} were fetched and proven. Narrow the search.</p>}
          {shown.length > 0 && (
            <>
              <p className="text-xs text-slate-500">Newest first, by the time the log integrated each entry (vouched for by its SET).</p>
              <ResultsTable rows={shown} showLog={result.logs.length > 1} />
            </>
          )}
          {pages > 1 && (
            <nav aria-label="Result pages" className="flex items-center gap-4 text-sm">
              {current > 1 ? <Link href={pageHref({ q: value, kind, trustRoot }, current - 1)} rel="prev">← Newer</Link> : <span className="text-slate-400">← Newer</span>}
              <span data-testid="page-indicator">Page {current} of {pages}</span>
              {current < pages ? <Link href={pageHref({ q: value, kind, trustRoot }, current + 1)} rel="next">Older →</Link> : <span className="text-slate-400">Older →</span>}
            </nav>
          )}
        </section>
      )}
    </div>
  );
}
