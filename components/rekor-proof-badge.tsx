import clsx from 'clsx';
import type { ProofStatus } from '@/lib/rekor/explore';

const STYLES: Record<ProofStatus, { label: string; title: string; className: string }> = {
  proven: { label: 'Proven in log', title: 'The inclusion proof leads to a root the log signed in a verified checkpoint', className: 'bg-emerald-100 text-emerald-800 ring-emerald-600/30' },
  'set-only': { label: 'SET only', title: "Only the log's signed entry timestamp (a promise of inclusion) verifies; no inclusion proof anchored in a signed checkpoint", className: 'bg-amber-100 text-amber-900 ring-amber-600/30' },
  'not-proven': { label: 'NOT proven', title: 'A proof step failed or nothing proves this entry is in the log: do not trust it', className: 'bg-red-100 text-red-800 ring-red-600/30' },
};

export function ProofBadge({ status, large }: { status: ProofStatus; large?: boolean }) {
  const s = STYLES[status];
  return (
    <span
      data-testid="proof-status"
      data-proof={status}
      title={s.title}
      className={clsx('inline-flex items-center rounded-full font-medium ring-1 ring-inset whitespace-nowrap', large ? 'px-3 py-1 text-sm' : 'px-2 py-0.5 text-xs', s.className)}
    >
      {s.label}
    </span>
  );
}
