import clsx from 'clsx';

/** enforce / warn, and the verdicts pass / fail / warn / unknown / no-match. */
const STYLES: Record<string, string> = {
  enforce: 'bg-slate-800 text-white ring-slate-800',
  warn: 'bg-amber-100 text-amber-900 ring-amber-600/30',
  pass: 'bg-emerald-100 text-emerald-800 ring-emerald-600/30',
  fail: 'bg-red-100 text-red-800 ring-red-600/30',
  unknown: 'bg-slate-100 text-slate-700 ring-slate-400/40',
  'no-match': 'bg-white text-slate-600 ring-slate-400/40',
  error: 'bg-white text-red-800 ring-red-600/60',
};

export function ModeBadge({ mode }: { mode: string }) {
  return <span data-verdict={mode} className={clsx('inline-flex items-center rounded px-1.5 py-0.5 text-[11px] font-semibold uppercase tracking-wide ring-1 ring-inset', STYLES[mode] ?? STYLES.unknown)}>{mode}</span>;
}
