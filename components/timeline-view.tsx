'use client';
/**
 * The timeline chart (recharts: events per time bucket, stacked by kind) with a Brush to pick
 * a window, and the table of events beneath it. The brush filters the table at once; "Zoom to
 * this window" puts the window in the URL (from / to), so the server reloads just that span.
 */
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState } from 'react';
import { Bar, BarChart, Brush, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { EVENT_KIND_COLOR, EVENT_KIND_LABEL, TIMELINE_EVENT_KINDS, bucketEvents, shortDigest, type TimelineEvent, type TimelineEventKind } from '@/lib/audit/timeline';
import { identityHref } from '@/lib/db/identity-key';
import { formatTime } from './format';

/** A TimelineEvent as sent to the browser (times as ISO strings). */
export type TimelineEventView = Omit<TimelineEvent, 'at'> & { at: string };

const TABLE_PAGE = 200;

function bucketLabel(ms: number, sizeMs: number): string {
  const iso = new Date(ms).toISOString();
  if (sizeMs < 60_000) return iso.slice(11, 19);
  if (sizeMs < 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(0, 10);
}

export function KindBadge({ kind }: { kind: TimelineEventKind }) {
  return (
    <span className="inline-flex items-center gap-1.5 whitespace-nowrap rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-800" data-kind={kind}>
      <span aria-hidden className="inline-block h-2 w-2 rounded-full" style={{ backgroundColor: EVENT_KIND_COLOR[kind] }} />
      {EVENT_KIND_LABEL[kind]}
    </span>
  );
}

export function TimelineView({ events, baseQuery, window }: { events: TimelineEventView[]; baseQuery: string; window: { from: string | null; to: string | null } }) {
  const router = useRouter();
  const { sizeMs, buckets } = useMemo(
    () => bucketEvents(events, { from: window.from ? new Date(window.from) : null, to: window.to ? new Date(window.to) : null }),
    [events, window.from, window.to],
  );
  const kinds = useMemo(() => TIMELINE_EVENT_KINDS.filter((k) => events.some((e) => e.kind === k)), [events]);
  const data = useMemo(() => buckets.map((b) => ({ ...b, label: bucketLabel(b.start, sizeMs) })), [buckets, sizeMs]);
  const [range, setRange] = useState<{ start: number; end: number } | null>(null);
  const [shown, setShown] = useState(TABLE_PAGE);

  const selected = range && buckets.length > 0 && (range.start > 0 || range.end < buckets.length - 1) ? range : null;
  const lo = selected ? buckets[selected.start]!.start : -Infinity;
  const hi = selected ? buckets[selected.end]!.end : Infinity;
  const rows = useMemo(() => events.filter((e) => {
    const t = Date.parse(e.at);
    return t >= lo && t < hi;
  }), [events, lo, hi]);

  function zoom() {
    if (!selected) return;
    const q = new URLSearchParams(baseQuery);
    q.set('from', new Date(lo).toISOString());
    q.set('to', new Date(hi - 1).toISOString());
    router.push(`/timeline?${q.toString()}`);
  }

  return (
    <div className="space-y-4">
      <figure className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm" aria-label="Events over time">
        <div className="h-80" data-testid="timeline-chart">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data} margin={{ top: 8, right: 48, bottom: 0, left: 40 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
              <XAxis dataKey="label" tick={{ fontSize: 11, fill: '#475569' }} minTickGap={24} />
              <YAxis allowDecimals={false} tick={{ fontSize: 11, fill: '#475569' }} width={36} />
              <Tooltip
                cursor={{ fill: '#f1f5f9' }}
                labelFormatter={(_label, payload) => {
                  const p = payload?.[0]?.payload as { start?: number; end?: number } | undefined;
                  return p?.start !== undefined && p.end !== undefined ? `${formatTime(new Date(p.start))} – ${formatTime(new Date(p.end))}` : '';
                }}
              />
              <Legend verticalAlign="top" height={32} wrapperStyle={{ fontSize: 12 }} />
              {kinds.map((k) => (
                <Bar key={k} dataKey={k} name={EVENT_KIND_LABEL[k]} stackId="events" fill={EVENT_KIND_COLOR[k]} isAnimationActive={false} />
              ))}
              {data.length > 1 && (
                <Brush
                  dataKey="label"
                  height={28}
                  stroke="#0284c7"
                  travellerWidth={8}
                  ariaLabel="Choose a time window"
                  onChange={(s) => {
                    if (typeof s.startIndex === 'number' && typeof s.endIndex === 'number') {
                      setRange({ start: s.startIndex, end: s.endIndex });
                      setShown(TABLE_PAGE);
                    }
                  }}
                />
              )}
            </BarChart>
          </ResponsiveContainer>
        </div>
        <figcaption className="mt-3 flex flex-wrap items-center gap-3 text-sm text-slate-600">
          <span data-testid="timeline-window">
            {selected ? (
              <>Selected {formatTime(new Date(lo))} – {formatTime(new Date(hi))}: {rows.length} of {events.length} events</>
            ) : (
              <>{events.length} events{sizeMs > 0 ? `, ${bucketName(sizeMs)} per bar` : ''}.{data.length > 1 ? ' Drag the handles under the chart to pick a window.' : ''}</>
            )}
          </span>
          {selected && (
            <button type="button" onClick={zoom} className="rounded-md border border-sky-600 px-3 py-1 text-sm font-medium text-sky-700 hover:bg-sky-50">
              Zoom to this window
            </button>
          )}
        </figcaption>
      </figure>

      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <caption className="sr-only">Timeline events</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-2">When (UTC)</th>
              <th scope="col" className="px-4 py-2">Event</th>
              <th scope="col" className="px-4 py-2">Image</th>
              <th scope="col" className="px-4 py-2">Detail</th>
              <th scope="col" className="px-4 py-2">Evidence</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.slice(0, shown).map((e) => (
              <tr key={e.id} className="align-top hover:bg-slate-50">
                <td className="whitespace-nowrap px-4 py-2 text-slate-600">
                  {formatTime(e.at)}
                  {e.approximate && <span title="No verified Rekor entry: the time Sigscope first saw it" className="ml-1 text-amber-700">≈</span>}
                </td>
                <td className="px-4 py-2"><KindBadge kind={e.kind} /></td>
                <td className="px-4 py-2 text-xs">
                  {e.imageId && e.digest ? (
                    <>
                      <Link href={`/images/${e.imageId}`} className="break-all">{e.repository}</Link>
                      {e.tag ? <span className="font-mono">:{e.tag}</span> : null}
                      <div><code className="font-mono text-slate-600" title={e.digest}>{shortDigest(e.digest)}</code></div>
                    </>
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </td>
                <td className="max-w-md px-4 py-2 text-slate-700 [overflow-wrap:anywhere]">{e.detail}</td>
                <td className="whitespace-nowrap px-4 py-2 text-xs">
                  <span className="flex flex-col gap-0.5">
                    {e.runId && <Link href={`/runs/${e.runId}`}>run</Link>}
                    {e.signatureId && e.signatureKind === 'attestation' && <Link href={`/attestations/${e.signatureId}`}>attestation</Link>}
                    {e.certificateId && <Link href={`/certificates/${e.certificateId}`}>certificate</Link>}
                    {signerLink(e)}
                    {e.previousImageId && <Link href={`/images/${e.previousImageId}`}>previous digest</Link>}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length > shown && (
          <div className="border-t border-slate-100 px-4 py-2 text-sm">
            <button type="button" className="text-sky-700 hover:underline" onClick={() => setShown(rows.length)}>
              Show all {rows.length} events
            </button>
          </div>
        )}
      </div>
    </div>
  );
}

function signerLink(e: TimelineEventView) {
  const href = identityHref({ identity: e.identity, oidcIssuer: e.issuer, publicKeyFingerprint: e.keyFingerprint });
  return href ? <Link href={href}>signer</Link> : null;
}

function bucketName(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${s / 60} min`;
  if (s < 86400) return `${s / 3600} h`;
  return `${Math.round(s / 86400)} d`;
}
