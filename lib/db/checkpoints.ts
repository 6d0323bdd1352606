/**
 * Stored checkpoint observations (append-only): the Prisma side of
 * lib/rekor/checkpoints.ts's CheckpointStore, and the history the explorer shows.
 */
import 'server-only';
import { TRUSTED_VERDICTS, type CheckpointStore, type ConsistencyVerdict, type ObservedCheckpoint } from '../rekor/checkpoints';
import type { Db } from './client';

type Row = { id: string; logId: string; logUrl: string; treeSize: bigint; rootHash: string; checkpoint: string; observedAt: Date; previousId: string | null; consistency: string; detail: string | null };

const VERDICTS: readonly ConsistencyVerdict[] = ['first', 'consistent', 'same', 'inconsistent', 'unverifiable'];

function toObserved(r: Row): ObservedCheckpoint {
  // A value outside the closed set cannot be trusted: read it as unverifiable.
  const consistency = (VERDICTS as readonly string[]).includes(r.consistency) ? (r.consistency as ConsistencyVerdict) : 'unverifiable';
  return { ...r, treeSize: Number(r.treeSize), consistency };
}

export function checkpointStore(db: Db): CheckpointStore {
  return {
    async latestTrusted(logId, logUrl) {
      const r = await db.checkpointObservation.findFirst({
        where: { logId, logUrl, consistency: { in: [...TRUSTED_VERDICTS] } },
        orderBy: [{ observedAt: 'desc' }, { treeSize: 'desc' }],
      });
      return r ? toObserved(r) : undefined;
    },
    async record(o) {
      const r = await db.checkpointObservation.create({ data: { ...o, treeSize: BigInt(o.treeSize) } });
      return toObserved(r);
    },
    async rewrites(logUrl, take) {
      const rows = await db.checkpointObservation.findMany({ where: { logUrl, consistency: 'inconsistent' }, orderBy: { observedAt: 'desc' }, take });
      return rows.map(toObserved);
    },
  };
}

/** The latest observations of a log, newest first. */
export async function listCheckpointObservations(db: Db, logUrl: string, take = 20): Promise<ObservedCheckpoint[]> {
  const rows = await db.checkpointObservation.findMany({ where: { logUrl }, orderBy: { observedAt: 'desc' }, take: Math.min(Math.max(take, 1), 500) });
  return rows.map(toObserved);
}
