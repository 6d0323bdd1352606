/** Home page section: the five most pressing open findings (server component, loads its own data). */
import Link from 'next/link';
import type { ReactNode } from 'react';
import { getDb } from '@/lib/db';
import { listFindings } from '@/lib/db/findings';
import { describeError } from '@/lib/errors';
import { EmptyState } from './empty-state';
import { FindingList } from './finding-list';

export async function OpenFindings({ limit = 5 }: { limit?: number }) {
  let open;
  try {
    open = (await listFindings(await getDb(), { status: 'open' })).findings;
  } catch (e) {
    return (
      <Section>
        <p role="alert" className="text-sm text-red-700">Could not derive findings: {describeError(e)}</p>
      </Section>
    );
  }
  return (
    <Section count={open.length}>
      {open.length === 0 ? (
        <EmptyState title="No open findings">Sigscope flags drift in how repositories are signed once it has seen their history; anything acknowledged stays on the Findings page.</EmptyState>
      ) : (
        <FindingList findings={open.slice(0, limit)} label="Open findings" compact />
      )}
    </Section>
  );
}

function Section({ count, children }: { count?: number; children: ReactNode }) {
  return (
    <section aria-labelledby="home-open-findings" className="space-y-3">
      <div className="flex items-baseline justify-between">
        <h2 id="home-open-findings" className="text-lg font-semibold">
          Open findings{count ? <span className="text-slate-500"> ({count})</span> : null}
        </h2>
        <Link href="/findings" className="text-sm">All findings →</Link>
      </div>
      {children}
    </section>
  );
}

export function OpenFindingsLoading() {
  return (
    <section aria-label="Open findings (loading)" className="space-y-3">
      <h2 className="text-lg font-semibold">Open findings</h2>
      <p className="text-sm text-slate-500">Reading the signing history…</p>
    </section>
  );
}
