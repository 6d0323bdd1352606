import Link from 'next/link';
import { Digest } from '@/components/digest';
import { EmptyState } from '@/components/empty-state';
import { formatTime } from '@/components/format';
import { TimelineView, type TimelineEventView } from '@/components/timeline-view';
import { describeScope, parseTimelineQuery, timelineHref, timelineQuery, type TimelineScope } from '@/lib/audit/timeline';
import { getDb } from '@/lib/db';
import { listTimelineRepositories, loadTimeline } from '@/lib/db/timeline';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Timeline' };

const SCOPE_KIND: Record<TimelineScope['kind'], string> = {
  image: 'Image',
  repository: 'Repository',
  identity: 'Identity',
  key: 'Public key',
  org: 'Organization',
};

export default async function TimelinePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('viewer');
  const params = await searchParams;
  const { scope, window, error } = parseTimelineQuery(params);
  const db = await getDb();

  if (!scope) {
    const repos = await listTimelineRepositories(db);
    const orgs = [...new Set(repos.filter((r) => r.repository.includes('/')).map((r) => `${r.registry}/${r.repository.split('/')[0]}`))].sort();
    return (
      <div className="space-y-6">
        <Header />
        {error && <p role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">{error}</p>}
        {repos.length === 0 ? (
          <EmptyState title="Nothing to show yet">Verify an image first: its signatures, tags and runs appear here on a time axis.</EmptyState>
        ) : (
          <div className="grid gap-6 md:grid-cols-[2fr_1fr]">
            <section aria-labelledby="pick-repo" className="space-y-2">
              <h2 id="pick-repo" className="text-lg font-semibold">Pick a repository</h2>
              <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
                {repos.map((r) => (
                  <li key={`${r.registry}/${r.repository}`} className="flex items-center justify-between px-4 py-2">
                    <Link href={timelineHref({ kind: 'repository', registry: r.registry, repository: r.repository })} className="break-all">{r.registry}/{r.repository}</Link>
                    <span className="text-xs text-slate-500">{r.images} image{r.images === 1 ? '' : 's'}</span>
                  </li>
                ))}
              </ul>
            </section>
            {orgs.length > 0 && (
              <section aria-labelledby="pick-org" className="space-y-2">
                <h2 id="pick-org" className="text-lg font-semibold">or an organization</h2>
                <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white text-sm shadow-sm">
                  {orgs.map((o) => {
                    const i = o.indexOf('/');
                    return (
                      <li key={o} className="px-4 py-2">
                        <Link href={timelineHref({ kind: 'org', registry: o.slice(0, i), org: o.slice(i + 1) })}>{`${o}/*`}</Link>
                      </li>
                    );
                  })}
                </ul>
              </section>
            )}
          </div>
        )}
      </div>
    );
  }

  const timeline = await loadTimeline(db, scope, { from: window.from, to: window.to });
  const baseQuery = timelineQuery(scope);
  const events: TimelineEventView[] = timeline.events.map((e) => ({ ...e, at: e.at.toISOString() }));
  const image = timeline.image;
  const repoScope: TimelineScope | null =
    scope.kind === 'image' && image ? { kind: 'repository', registry: image.registry, repository: image.repository } : null;
  const orgScope: TimelineScope | null =
    scope.kind === 'repository' && scope.repository.includes('/')
      ? { kind: 'org', registry: scope.registry, org: scope.repository.split('/')[0]! }
      : repoScope && image && image.repository.includes('/')
        ? { kind: 'org', registry: image.registry, org: image.repository.split('/')[0]! }
        : null;

  return (
    <div className="space-y-6">
      <Header />
      <section className="space-y-2" aria-label="Scope">
        <p className="text-sm text-slate-500">{SCOPE_KIND[scope.kind]}</p>
        <h2 className="font-mono text-lg font-semibold break-all" data-testid="timeline-scope">
          {scope.kind === 'image' && image ? `${image.registry}/${image.repository}` : describeScope(scope)}
        </h2>
        {scope.kind === 'image' && image && <p className="text-sm"><Digest value={image.digest} full /></p>}
        <p className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {scope.kind === 'image' && image && <Link href={`/images/${image.id}`}>Image page</Link>}
          {repoScope && <Link href={timelineHref(repoScope, window)}>Whole repository</Link>}
          {scope.kind === 'repository' && <Link href={`/findings?repository=${encodeURIComponent(`${scope.registry}/${scope.repository}`)}`}>Findings of this repository</Link>}
          {orgScope && <Link href={timelineHref(orgScope, window)}>Whole organization ({describeScope(orgScope)})</Link>}
        </p>
      </section>

      <form method="get" action="/timeline" className="flex flex-wrap items-end gap-3 text-sm" aria-label="Time window">
        {[...new URLSearchParams(baseQuery)].map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <label className="flex flex-col gap-1">
          <span className="text-slate-600">From (UTC)</span>
          <input name="from" defaultValue={window.from?.toISOString() ?? ''} placeholder="2025-01-01 or ISO time" className="w-64 rounded-md border border-slate-300 px-2 py-1 font-mono text-xs" />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-slate-600">To (UTC)</span>
          <input name="to" defaultValue={window.to?.toISOString() ?? ''} placeholder="(now)" className="w-64 rounded-md border border-slate-300 px-2 py-1 font-mono text-xs" />
        </label>
        <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 font-semibold text-white hover:bg-slate-700">Apply</button>
        {(window.from || window.to) && <Link href={`/timeline?${baseQuery}`}>Whole history</Link>}
      </form>

      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
      {timeline.truncated && (
        <p role="status" className="rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
          Showing the newest {timeline.events.length} events{window.from || window.to ? ' of this window' : ''}; older ones were left out. Narrow the window to see them
          {timeline.events.length > 0 ? ` (the oldest shown is from ${formatTime(timeline.events[timeline.events.length - 1]!.at)})` : ''}.
        </p>
      )}
      {scope.kind === 'image' && !image ? (
        <EmptyState title="No such image">It may have been verified under another database.</EmptyState>
      ) : events.length === 0 ? (
        <EmptyState title={window.from || window.to ? 'No events in this window' : 'No events for this scope'}>
          {window.from || window.to ? <Link href={`/timeline?${baseQuery}`}>See the whole history</Link> : 'Nothing stored matches it yet.'}
        </EmptyState>
      ) : (
        <TimelineView events={events} baseQuery={baseQuery} window={{ from: window.from?.toISOString() ?? null, to: window.to?.toISOString() ?? null }} />
      )}
    </div>
  );
}

function Header() {
  return (
    <div>
      <h1 className="text-2xl font-semibold tracking-tight">Timeline</h1>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        Signing events on a time axis: when each signature entered Rekor, when its certificate was issued, when Sigscope first saw a tag on a digest or saw it move, and
        every verification run with its verdict.
      </p>
    </div>
  );
}
