'use client';
/** The latest runs, kept fresh through TanStack Query (the verify form invalidates ['runs']). */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { EmptyState } from './empty-state';
import { RunsTable, type RunRow } from './runs-table';

async function fetchRuns(): Promise<{ runs: RunRow[] }> {
  const res = await fetch('/api/runs?limit=8');
  const json = (await res.json()) as { runs: RunRow[] } | { error: { message: string } };
  if (!res.ok || 'error' in json) throw new Error('error' in json ? json.error.message : `server answered ${res.status}`);
  return json;
}

export function RecentRuns({ initial }: { initial: RunRow[] }) {
  const q = useQuery({ queryKey: ['runs'], queryFn: fetchRuns, initialData: { runs: initial } });
  return (
    <section aria-labelledby="recent-runs" className="space-y-3">
      <div className="flex items-baseline justify-between">
        <h2 id="recent-runs" className="text-lg font-semibold">Recent runs</h2>
        <Link href="/runs" className="text-sm">All runs →</Link>
      </div>
      {q.isError && <p role="alert" className="text-sm text-red-700">Could not refresh runs: {q.error.message}</p>}
      {q.data.runs.length === 0 ? (
        <EmptyState title="No runs yet">Verify an image above; every run is kept here, nothing is overwritten.</EmptyState>
      ) : (
        <RunsTable runs={q.data.runs} caption="Recent verification runs" />
      )}
    </section>
  );
}
