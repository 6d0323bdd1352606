import { requirePage } from '@/lib/auth/page';
import Link from 'next/link';
import type { Metadata } from 'next';
import { Digest } from '@/components/digest';
import { formatTime } from '@/components/format';
import { ProofBadge } from '@/components/rekor-proof-badge';
import { getDb } from '@/lib/db';
import { identityHref } from '@/lib/db/identity-key';
import { imagesByLogIndex, listWatchChecks, listWatches, type WatchCheckRow, type WatchSummary } from '@/lib/db/watches';
import { isSigscopeError } from '@/lib/errors';
import { selectLogs, type ExploreContext } from '@/lib/rekor/explore';
import { resolveContext } from '@/lib/rekor/explore-db';
import { rekorEntryHref } from '@/lib/rekor/rows';
import { contextForLog } from '@/lib/rekor/watch-db';
import { AddWatchForm, WatchActions } from '../_components/watch-forms';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Watched identities' };

const CHECKS_SHOWN = 5;

function WatchCard({ w, checks, trustRoot, images }: { w: WatchSummary; checks: WatchCheckRow[]; trustRoot: string | null; images: Map<number, Array<{ id: string; label: string }>> }) {
  return (
    <li className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm" data-testid="watch" data-watch-id={w.id}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="space-y-1">
          <p className="font-mono text-sm break-all" data-testid="watch-identity">{w.isRegexp ? `/${w.identity}/` : w.identity}</p>
          <p className="text-xs text-slate-500">
            {w.isRegexp ? 'pattern' : 'exact'}
            {w.oidcIssuer ? <> · issuer <span className="font-mono">{w.oidcIssuer}</span></> : ' · any issuer'} · log <span className="font-mono">{w.logUrl}</span> · since {formatTime(w.createdAt)}
            {w.stoppedAt && <span className="ml-1 font-medium text-slate-700">· stopped {formatTime(w.stoppedAt)}</span>}
          </p>
          <p className="text-xs text-slate-600" data-testid="watch-summary">
            {w.checks === 0 ? 'Not checked yet.' : `${w.checks} check${w.checks === 1 ? '' : 's'}, ${w.entriesSeen} entr${w.entriesSeen === 1 ? 'y' : 'ies'} found in all.`}
          </p>
        </div>
        {!w.stoppedAt && <WatchActions id={w.id} identity={w.identity} />}
      </div>
      {checks.length > 0 && (
        <ol className="space-y-2">
          {checks.map((c, i) => (
            <li key={c.id} data-testid="watch-check" className="rounded-md border border-slate-100 bg-slate-50 p-3 text-sm">
              <p className="text-xs text-slate-600">
                <span className="font-medium text-slate-800">{i === 0 ? 'Last check' : 'Check'}</span> {formatTime(c.checkedAt)}
                {c.treeSize !== null && <> · up to tree size {c.treeSize}</>} ·{' '}
                {c.errorMessage ? <span role="alert" className="text-red-800">failed: {c.errorMessage}</span> : <span data-testid="new-count">{c.newEntries.length} new entr{c.newEntries.length === 1 ? 'y' : 'ies'}</span>}
              </p>
              {c.newEntries.length > 0 && (
                <table className="mt-2 w-full text-left text-xs">
                  <thead className="text-slate-500">
                    <tr>
                      <th className="py-1 pr-3 font-medium">Proof</th>
                      <th className="py-1 pr-3 font-medium">Integrated</th>
                      <th className="py-1 pr-3 font-medium">Entry</th>
                      <th className="py-1 pr-3 font-medium">Identity</th>
                      <th className="py-1 pr-3 font-medium">Artifact</th>
                      <th className="py-1 font-medium">Images</th>
                    </tr>
                  </thead>
                  <tbody>
                    {c.newEntries.map((e) => {
                      const idHref = identityHref({ identity: e.identity, oidcIssuer: e.issuer });
                      return (
                        <tr key={e.leafHash} data-testid="watch-entry" className="border-t border-slate-200">
                          <td className="py-1 pr-3"><ProofBadge status={e.status} /></td>
                          <td className="py-1 pr-3 whitespace-nowrap">{e.integratedTime ? formatTime(new Date(e.integratedTime * 1000)) : '—'}</td>
                          <td className="py-1 pr-3 font-mono">{trustRoot ? <Link href={rekorEntryHref(e, trustRoot)}>{e.logIndex}</Link> : e.logIndex}</td>
                          <td className="py-1 pr-3 font-mono break-all">{idHref ? <Link href={idHref}>{e.identity}</Link> : (e.identity ?? '—')}</td>
                          <td className="py-1 pr-3">{e.artifactHash ? <Digest value={e.artifactHash} /> : '—'}</td>
                          <td className="py-1">{(images.get(e.logIndex) ?? []).map((img) => <Link key={img.id} href={`/images/${img.id}`} className="block font-mono">{img.label}</Link>)}{(images.get(e.logIndex) ?? []).length === 0 && '—'}</td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
            </li>
          ))}
        </ol>
      )}
    </li>
  );
}

export default async function WatchesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('viewer');
  const sp = await searchParams;
  const showStopped = sp.all === '1';
  const db = await getDb();
  const watches = await listWatches(db, { includeStopped: showStopped });

  let logs: Array<{ url: string; label: string }> = [];
  let rootError: string | null = null;
  try {
    const { ctx, options } = resolveContext(undefined);
    logs = selectLogs(ctx, options).map((l) => ({ url: l.baseUrl, label: `${l.baseUrl} (${l.version}, ${ctx.trustRoot.name})` }));
  } catch (e) {
    if (!isSigscopeError(e)) throw e;
    rootError = e.message;
  }

  const cards = await Promise.all(
    watches.map(async (w) => {
      const checks = await listWatchChecks(db, w.id, CHECKS_SHOWN);
      let ctx: ExploreContext | null = null;
      try {
        ctx = contextForLog(w.logUrl);
      } catch {
        ctx = null;
      }
      const log = ctx?.logs.find((l) => l.baseUrl === w.logUrl.replace(/\/+$/, ''));
      const images = log ? await imagesByLogIndex(db, log.logId, checks.flatMap((c) => c.newEntries.map((e) => e.logIndex))) : new Map();
      return { w, checks, trustRoot: ctx?.trustRoot.name ?? null, images };
    }),
  );

  return (
    <div className="space-y-6">
      <nav className="text-sm text-slate-500" aria-label="Breadcrumb">
        <Link href="/rekor">Rekor</Link>
        {' / watched identities'}
      </nav>
      <header className="space-y-1">
        <h1 className="text-xl font-semibold">Watched identities</h1>
        <p className="max-w-3xl text-sm text-slate-600">
          Each check lists the entries signed by the identity that no earlier check listed, each proven in the log. Exact identities on a Rekor v1 log are found through its search index (which may be incomplete); patterns, and Rekor v2 logs, scan the entries appended since the last check (at most 256 per check). Every check also records the log&apos;s checkpoint.
        </p>
      </header>

      {rootError && <p role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-900">{rootError}</p>}
      <AddWatchForm logs={logs} />

      <div className="flex items-center justify-between">
        <h2 className="text-lg font-semibold">{watches.length} watch{watches.length === 1 ? '' : 'es'}{showStopped ? ' (with stopped ones)' : ''}</h2>
        <Link href={showStopped ? '/rekor/watches' : '/rekor/watches?all=1'} className="text-sm">{showStopped ? 'Hide stopped' : 'Show stopped'}</Link>
      </div>
      {watches.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 p-6 text-center text-sm text-slate-600">No identity is watched yet. Add one above: an email, a workflow URI, or a pattern such as <code>https://github\.com/acme/.*</code>.</p>
      ) : (
        <ul className="space-y-4">
          {cards.map((c) => <WatchCard key={c.w.id} {...c} />)}
        </ul>
      )}
    </div>
  );
}
