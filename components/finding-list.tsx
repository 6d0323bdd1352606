import Link from 'next/link';
import { FINDING_KIND_LABEL, type FindingKind } from '@/lib/audit/drift';
import { formatTime } from './format';
import { AckBadge, SeverityBadge, findingHref } from './severity-badge';

export interface FindingListItem {
  key: string;
  kind: FindingKind;
  severity: string;
  title: string;
  detail: string;
  registry: string;
  repository: string;
  detectedAt: Date;
  status: 'open' | 'acknowledged';
  lastAck: { action: string; note: string; actor: string; createdAt: Date } | null;
}

/** Findings as cards: severity, kind, title (link), what to do, and the last acknowledgement. */
export function FindingList({ findings, label, compact }: { findings: FindingListItem[]; label: string; compact?: boolean }) {
  return (
    <ul className="space-y-2" aria-label={label}>
      {findings.map((f) => (
        <li key={f.key} className="rounded-lg border border-slate-200 bg-white px-4 py-3 shadow-sm" data-finding-kind={f.kind}>
          <div className="flex flex-wrap items-center gap-2">
            <SeverityBadge severity={f.severity} />
            <span className="text-xs text-slate-500">{FINDING_KIND_LABEL[f.kind]}</span>
            {!compact && <AckBadge status={f.status} />}
            <span className="ml-auto text-xs text-slate-500">{formatTime(f.detectedAt)}</span>
          </div>
          <Link href={findingHref(f.key)} className="mt-1 block font-medium break-all">{f.title}</Link>
          {!compact && <p className="mt-1 text-sm text-slate-700 [overflow-wrap:anywhere]">{f.detail}</p>}
          {f.status === 'acknowledged' && f.lastAck && (
            <p className="mt-2 rounded bg-emerald-50 px-3 py-1.5 text-sm text-emerald-900" data-testid="ack-note">
              Acknowledged by {f.lastAck.actor} on {formatTime(f.lastAck.createdAt)}: “{f.lastAck.note}”
            </p>
          )}
        </li>
      ))}
    </ul>
  );
}
