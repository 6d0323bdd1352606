import clsx from 'clsx';

const STYLES: Record<string, { label: string; className: string }> = {
  verified: { label: 'Verified', className: 'bg-emerald-100 text-emerald-800 ring-emerald-600/30' },
  'signed-unchecked': { label: 'Signed, signer not checked', className: 'bg-amber-100 text-amber-900 ring-amber-600/30' },
  failed: { label: 'Not verified', className: 'bg-red-100 text-red-800 ring-red-600/30' },
  unsigned: { label: 'Unsigned', className: 'bg-slate-200 text-slate-800 ring-slate-500/30' },
  error: { label: 'Error', className: 'bg-white text-red-800 ring-red-600/60' },
  running: { label: 'Running', className: 'bg-sky-100 text-sky-800 ring-sky-600/30' },
};

export function StatusBadge({ status, large }: { status: string; large?: boolean }) {
  const s = STYLES[status] ?? { label: status, className: 'bg-slate-100 text-slate-700 ring-slate-400/30' };
  return (
    <span
      data-status={status}
      className={clsx('inline-flex items-center rounded-full font-medium ring-1 ring-inset whitespace-nowrap', large ? 'px-3 py-1 text-sm' : 'px-2 py-0.5 text-xs', s.className)}
    >
      {s.label}
    </span>
  );
}
