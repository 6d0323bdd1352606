import { formatTime } from './format';

function duration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  if (s < 86400 * 2) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.round(s / 86400)} days`;
}

/**
 * A certificate's validity window as a bar, with each signing time (Rekor integrated time)
 * marked: green inside the window, red outside. Server-rendered, no script.
 */
export function ValidityBar({ notBefore, notAfter, signedAt }: { notBefore: Date; notAfter: Date; signedAt: Date[] }) {
  const nb = notBefore.getTime();
  const na = notAfter.getTime();
  const times = [...new Set(signedAt.map((d) => d.getTime()))].sort((a, b) => a - b).slice(0, 20);
  const lo = Math.min(nb, ...times);
  const hi = Math.max(na, ...times);
  const span = Math.max(1, hi - lo);
  const pad = span * 0.08;
  const from = lo - pad;
  const total = span + 2 * pad;
  const pct = (t: number) => `${(((t - from) / total) * 100).toFixed(3)}%`;
  const inside = (t: number) => t >= nb && t <= na;
  // "not before" starts at its mark and "not after" ends at its mark, unless that would run off the bar.
  const anchor = (t: number, prefer: 'start' | 'end') => {
    const at = ((t - from) / total) * 100;
    const end = prefer === 'end' ? at >= 40 : at > 60;
    return end ? { right: `${(100 - at).toFixed(3)}%` } : { left: `${at.toFixed(3)}%` };
  };
  const description = times.length
    ? times.map((t) => `signed ${formatTime(new Date(t))}, ${inside(t) ? `inside the validity window (${duration(t - nb)} after it opened)` : t < nb ? `BEFORE the validity window opened (${duration(nb - t)} early)` : `AFTER the validity window closed (${duration(t - na)} late)`}`).join('; ')
    : 'no transparency-log time recorded: the signing time is unknown';

  return (
    <figure className="space-y-2" data-testid="validity-bar">
      <div role="img" aria-label={`Valid ${formatTime(notBefore)} to ${formatTime(notAfter)} (${duration(na - nb)}); ${description}`} className="relative h-10">
        <div className="absolute inset-x-0 top-4 h-2 rounded-full bg-slate-200" />
        <div className="absolute top-3 h-4 rounded bg-emerald-200 ring-1 ring-emerald-500/50" style={{ left: pct(nb), width: `calc(${pct(na)} - ${pct(nb)})` }} />
        {times.map((t) => (
          <div
            key={t}
            data-inside={inside(t)}
            title={`signed ${formatTime(new Date(t))}`}
            className={`absolute top-0 h-10 w-1 -translate-x-1/2 rounded ${inside(t) ? 'bg-emerald-700' : 'bg-red-600'}`}
            style={{ left: pct(t) }}
          />
        ))}
      </div>
      <figcaption className="relative h-10 text-xs text-slate-600">
        <span className="absolute top-0 whitespace-nowrap" style={anchor(nb, 'start')}>not before {formatTime(notBefore)}</span>
        <span className="absolute top-5 whitespace-nowrap" style={anchor(na, 'end')}>not after {formatTime(notAfter)}</span>
      </figcaption>
      <p className={`text-sm ${times.length && times.every(inside) ? 'text-emerald-800' : times.length ? 'text-red-800' : 'text-slate-600'}`}>Valid for {duration(na - nb)}; {description}.</p>
    </figure>
  );
}
