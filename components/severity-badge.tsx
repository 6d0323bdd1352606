import clsx from 'clsx';

const STYLES: Record<string, string> = {
  high: 'bg-red-100 text-red-800 ring-red-600/30',
  medium: 'bg-amber-100 text-amber-900 ring-amber-600/30',
  low: 'bg-slate-100 text-slate-700 ring-slate-400/30',
};

export function SeverityBadge({ severity }: { severity: string }) {
  return (
    <span data-severity={severity} className={clsx('inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium uppercase tracking-wide ring-1 ring-inset', STYLES[severity] ?? STYLES.low)}>
      {severity}
    </span>
  );
}

export function AckBadge({ status }: { status: 'open' | 'acknowledged' }) {
  return status === 'open' ? (
    <span data-finding-status="open" className="inline-flex items-center rounded-full bg-white px-2 py-0.5 text-xs font-medium text-red-800 ring-1 ring-inset ring-red-600/40">Open</span>
  ) : (
    <span data-finding-status="acknowledged" className="inline-flex items-center rounded-full bg-emerald-50 px-2 py-0.5 text-xs font-medium text-emerald-800 ring-1 ring-inset ring-emerald-600/30">Acknowledged</span>
  );
}

/** `/findings/<key>` (the key has slashes and colons: one encoded path segment). */
export function findingHref(key: string): string {
  return `/findings/${encodeURIComponent(key)}`;
}
