/**
 * The log's checkpoint at this visit, and — prominently — a log caught rewriting
 * its history (an inconsistent checkpoint on record), with what was seen when.
 */
import { formatTime } from '@/components/format';
import type { CheckpointStatus } from '@/lib/rekor/checkpoints';

const VERDICT_TEXT: Record<string, string> = {
  first: 'first checkpoint recorded for this log',
  same: 'unchanged since the last visit',
  consistent: 'consistent with the last checkpoint (consistency proof verified)',
  inconsistent: 'INCONSISTENT with the history seen before',
  unverifiable: 'could not be verified',
};

export function CheckpointBanner({ statuses }: { statuses: CheckpointStatus[] }) {
  if (statuses.length === 0) return null;
  return (
    <div className="space-y-2">
      {statuses.map((c) =>
        c.flagged ? (
          <div key={c.logUrl} role="alert" data-testid="history-banner" className="rounded-lg border-2 border-red-600 bg-red-50 p-4 text-sm text-red-900 shadow-sm">
            <p className="text-base font-semibold">This log has rewritten its history</p>
            <p className="mt-1">
              <span className="font-mono text-xs">{c.logUrl}</span> signed checkpoints that do not extend the ones seen before. A log that rewrites history can hide or swap entries: treat what it shows with suspicion and report it.
            </p>
            {c.rewrites[0] && (
              <p className="mt-2 text-xs break-all">
                <span className="font-medium">Last seen {formatTime(c.rewrites[0].observedAt)}</span> (tree size {c.rewrites[0].treeSize}): {c.rewrites[0].detail}
              </p>
            )}
            {c.rewrites.length > 1 && (
              <details className="mt-1 text-xs">
                <summary className="cursor-pointer">{c.rewrites.length - 1} earlier inconsistent checkpoint{c.rewrites.length > 2 ? 's' : ''} on record{c.rewrites.length >= 5 ? ' (at least)' : ''}</summary>
                <ul className="mt-1 list-disc space-y-1 pl-5 break-all">
                  {c.rewrites.slice(1).map((r) => (
                    <li key={r.id}>
                      <span className="font-medium">{formatTime(r.observedAt)}</span> (tree size {r.treeSize}): {r.detail}
                    </li>
                  ))}
                </ul>
              </details>
            )}
            <p className="mt-2 text-xs">This visit: tree size {c.observation.treeSize}, {VERDICT_TEXT[c.observation.consistency]}.</p>
          </div>
        ) : (
          <p
            key={c.logUrl}
            data-testid="checkpoint-status"
            data-consistency={c.observation.consistency}
            className={`rounded-md border px-3 py-2 text-xs ${c.observation.consistency === 'unverifiable' ? 'border-amber-200 bg-amber-50 text-amber-900' : 'border-slate-200 bg-white text-slate-600'}`}
          >
            {c.observation.consistency === 'unverifiable' ? (
              <>Checkpoint of <span className="font-mono">{c.logUrl}</span> could not be verified: {c.observation.detail}</>
            ) : (
              <>Checkpoint of <span className="font-mono">{c.logUrl}</span>: tree size {c.observation.treeSize}, signed with the trusted root&apos;s log key, {VERDICT_TEXT[c.observation.consistency]}.</>
            )}
          </p>
        ),
      )}
    </div>
  );
}
