import Link from 'next/link';
import { z } from 'zod';
import { EmptyState } from '@/components/empty-state';
import { FindingList } from '@/components/finding-list';
import { FINDING_KINDS, FINDING_KIND_LABEL } from '@/lib/audit/drift';
import { timelineHref } from '@/lib/audit/timeline';
import { getDb } from '@/lib/db';
import { listFindings, parseRepositoryName } from '@/lib/db/findings';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Findings' };

const Query = z.object({
  repository: z.string().max(600).optional().catch(undefined),
  kind: z.enum(FINDING_KINDS).optional().catch(undefined),
});

export default async function FindingsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('viewer');
  const raw = await searchParams;
  const q = Query.parse({ repository: typeof raw.repository === 'string' && raw.repository ? raw.repository : undefined, kind: typeof raw.kind === 'string' && raw.kind ? raw.kind : undefined });
  const db = await getDb();
  // One pass over the whole history; the filters apply to its result (the menu keeps every repository with findings).
  const { findings, repositories } = await listFindings(db);
  const shown = findings.filter((f) => (!q.repository || `${f.registry}/${f.repository}` === q.repository) && (!q.kind || f.kind === q.kind));
  const open = shown.filter((f) => f.status === 'open');
  const acknowledged = shown.filter((f) => f.status === 'acknowledged');
  const repo = q.repository ? parseRepositoryName(q.repository) : null;
  const filtered = Boolean(q.repository || q.kind);

  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Findings</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-600">
          Drift in how each repository is signed, derived from the stored history: a new signer or issuer, a workflow ref outside the usual pattern, a self-hosted
          runner, a tag moved to an unsigned or differently signed digest, a signature outside its certificate&apos;s validity, a signer that stopped signing.
          Acknowledge what is expected, with a note; the note is kept.
        </p>
      </div>

      <form method="get" action="/findings" className="flex flex-wrap items-end gap-3 text-sm" aria-label="Filter findings">
        <label className="flex flex-col gap-1">
          <span className="text-slate-600">Repository</span>
          <select name="repository" defaultValue={q.repository ?? ''} className="rounded-md border border-slate-300 bg-white px-2 py-1.5">
            <option value="">All repositories</option>
            {[...new Set([...repositories, ...(q.repository ? [q.repository] : [])])].map((r) => (
              <option key={r} value={r}>{r}</option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-slate-600">Kind</span>
          <select name="kind" defaultValue={q.kind ?? ''} className="rounded-md border border-slate-300 bg-white px-2 py-1.5">
            <option value="">All kinds</option>
            {FINDING_KINDS.map((k) => (
              <option key={k} value={k}>{FINDING_KIND_LABEL[k]}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="rounded-md bg-slate-900 px-3 py-1.5 font-semibold text-white hover:bg-slate-700">Filter</button>
        {filtered && <Link href="/findings">Clear</Link>}
        {repo && <Link href={timelineHref({ kind: 'repository', ...repo })} className="ml-auto">Timeline of {q.repository}</Link>}
      </form>

      <section aria-labelledby="open-findings" className="space-y-3">
        <h2 id="open-findings" className="text-lg font-semibold">Open <span className="text-slate-500">({open.length})</span></h2>
        {open.length === 0 ? (
          <EmptyState title="No open findings">{filtered ? 'Nothing open matches this filter.' : 'Every finding in the stored history has been acknowledged, or there is none.'}</EmptyState>
        ) : (
          <FindingList findings={open} label="Open findings" />
        )}
      </section>

      <section aria-labelledby="acknowledged-findings" className="space-y-3">
        <h2 id="acknowledged-findings" className="text-lg font-semibold">Acknowledged <span className="text-slate-500">({acknowledged.length})</span></h2>
        {acknowledged.length === 0 ? (
          <p className="text-sm text-slate-600">None acknowledged{filtered ? ' for this filter' : ''}.</p>
        ) : (
          <FindingList findings={acknowledged} label="Acknowledged findings" />
        )}
      </section>
    </div>
  );
}
