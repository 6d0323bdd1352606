import Link from 'next/link';
import { EmptyState } from '@/components/empty-state';
import { RunsTable } from '@/components/runs-table';
import { getDb, listRuns } from '@/lib/db';
import { requirePage } from '@/lib/auth/page';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Runs' };

export default async function RunsPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  await requirePage('viewer');
  const { cursor } = await searchParams;
  const safeCursor = cursor && /^[a-z0-9]{1,64}$/.test(cursor) ? cursor : undefined;
  const { runs, nextCursor } = await listRuns(await getDb(), { limit: 50, cursor: safeCursor });
  return (
    <div className="space-y-4">
      <div className="flex items-baseline justify-between">
        <h1 className="text-2xl font-semibold tracking-tight">Verification runs</h1>
        <span className="text-sm text-slate-500">Newest first · history is append-only</span>
      </div>
      {runs.length === 0 ? (
        <EmptyState title={safeCursor ? 'No older runs' : 'No runs yet'}>
          <Link href="/">Verify an image</Link> or run <code>bin/sigscope verify IMAGE</code>; every run lands here.
        </EmptyState>
      ) : (
        <RunsTable
          caption="Verification runs"
          runs={runs.map((r) => ({ ...r, summary: typeof r.summary.text === 'string' ? r.summary.text : '' }))}
        />
      )}
      <nav className="flex justify-between text-sm" aria-label="Pagination">
        {safeCursor ? <Link href="/runs">← Newest</Link> : <span />}
        {nextCursor && <Link href={`/runs?cursor=${nextCursor}`}>Older runs →</Link>}
      </nav>
    </div>
  );
}
