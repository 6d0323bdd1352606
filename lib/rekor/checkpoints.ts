/**
 * Checkpoint history: at each visit the log's current signed checkpoint is
 * fetched, its signature verified with the log's key from the trusted root, and
 * related to the last checkpoint we trusted (RFC 6962 / RFC 9162 consistency proof
 * for v1, a proof built from the tiles for v2). A log that rewrites history —
 * a smaller tree, the same size with another root, or a proof that does not
 * verify — gets the verdict 'inconsistent'.
 *
 * The comparison is always with the last *trusted* observation (first, consistent
 * or same), never with an inconsistent or unverifiable one: once a log forks, every
 * later visit keeps comparing with the history we saw before the fork, so the fork
 * stays flagged (as a witness would refuse it). Framework-free: storage is passed in
 * (lib/db/checkpoints.ts is the Prisma one).
 */
import { SigscopeError } from '../errors';
import type { ExploreLog } from './explore';
import type { TransparencyLogKey } from './log-keys';
import { verifyCheckpoint, type Checkpoint } from './proofs';
import { proveConsistency, RekorV1Client, verifyLogInfo } from './v1-client';
import { RekorV2TileClient } from './v2-tiles';
import type { RekorHttpOptions } from './http';

export type ConsistencyVerdict = 'first' | 'consistent' | 'same' | 'inconsistent' | 'unverifiable';

/** Verdicts after which an observation may be compared with later ones. */
export const TRUSTED_VERDICTS: readonly ConsistencyVerdict[] = ['first', 'consistent', 'same'];

export interface ObservedCheckpoint {
  id: string;
  logId: string;
  logUrl: string;
  treeSize: number;
  rootHash: string;
  checkpoint: string;
  observedAt: Date;
  previousId: string | null;
  consistency: ConsistencyVerdict;
  detail: string | null;
}

export type NewObservation = Omit<ObservedCheckpoint, 'id' | 'observedAt'>;

/** Where observations are kept (lib/db/checkpoints.ts; an array in unit tests). */
export interface CheckpointStore {
  /** The latest observation of this log (origin and URL) with a trusted verdict. */
  latestTrusted(logId: string, logUrl: string): Promise<ObservedCheckpoint | undefined>;
  record(o: NewObservation): Promise<ObservedCheckpoint>;
  /** The most recent observations of this log URL whose verdict is 'inconsistent', newest first. */
  rewrites(logUrl: string, take: number): Promise<ObservedCheckpoint[]>;
}

/** What one visit found: the stored observation and the log's rewrite record. */
export interface CheckpointStatus {
  logUrl: string;
  observation: ObservedCheckpoint;
  /** Earlier (or this) observations that caught the log rewriting history, newest first. */
  rewrites: ObservedCheckpoint[];
  /** This visit's verdict, or an earlier one, says the log rewrote history. */
  flagged: boolean;
}

/** The current checkpoint, verified: either `checkpoint` or why it could not be trusted. */
export interface FetchedCheckpoint {
  text: string;
  checkpoint?: Checkpoint;
  reason?: string;
}

/** Reads and verifies a log's current checkpoint (never throws for a bad signature: returns the reason). */
export async function fetchCheckpoint(log: ExploreLog, keys: readonly TransparencyLogKey[], http: Omit<RekorHttpOptions, 'baseUrl'>): Promise<FetchedCheckpoint> {
  if (log.version === 'v2') {
    const client = new RekorV2TileClient({ ...http, baseUrl: log.baseUrl });
    const v = await client.getVerifiedCheckpoint(keys);
    return v.ok && v.checkpoint ? { text: v.text, checkpoint: v.checkpoint } : { text: v.text, reason: v.reason ?? 'no trusted signature' };
  }
  const client = new RekorV1Client({ ...http, baseUrl: log.baseUrl });
  const info = await client.getLogInfo();
  const v = verifyLogInfo(info, keys);
  return v.ok && v.checkpoint ? { text: info.signedTreeHead, checkpoint: v.checkpoint } : { text: info.signedTreeHead, reason: v.reason ?? 'no trusted signature' };
}

/**
 * Relates a verified checkpoint to the previous trusted one. Asks the log for a
 * consistency proof when the tree grew; a log that cannot be reached for the
 * proof is 'unverifiable' (not trusted, not accused).
 */
export async function judgeConsistency(
  log: ExploreLog,
  previous: Pick<ObservedCheckpoint, 'treeSize' | 'rootHash' | 'observedAt'> | undefined,
  current: Checkpoint,
  http: Omit<RekorHttpOptions, 'baseUrl'>,
  treeId?: string,
): Promise<{ consistency: ConsistencyVerdict; detail: string }> {
  if (!previous) return { consistency: 'first', detail: `first checkpoint seen: size ${current.treeSize}, root ${current.rootHash}` };
  const since = `the checkpoint seen at ${previous.observedAt.toISOString()} (size ${previous.treeSize}, root ${previous.rootHash})`;
  if (current.treeSize < previous.treeSize) {
    return { consistency: 'inconsistent', detail: `the log shrank: it now signs size ${current.treeSize}, smaller than ${since}` };
  }
  if (current.treeSize === previous.treeSize) {
    return current.rootHash === previous.rootHash
      ? { consistency: 'same', detail: `unchanged since ${since}` }
      : { consistency: 'inconsistent', detail: `the log signed a different root (${current.rootHash}) for the same size as ${since}: history was rewritten` };
  }
  try {
    const result =
      log.version === 'v2'
        ? await new RekorV2TileClient({ ...http, baseUrl: log.baseUrl }).proveConsistency(previous, current)
        : await proveConsistency(new RekorV1Client({ ...http, baseUrl: log.baseUrl }), previous, current, treeId);
    return result.ok
      ? { consistency: 'consistent', detail: `size ${current.treeSize} extends ${since} (consistency proof verified)` }
      : { consistency: 'inconsistent', detail: `the consistency proof from ${since} to size ${current.treeSize} does not hold: ${result.reason}` };
  } catch (e) {
    if (e instanceof SigscopeError && e.code === 'INVALID_INPUT') throw e;
    return { consistency: 'unverifiable', detail: `no consistency proof from ${since} to size ${current.treeSize} could be read: ${(e as Error).message}` };
  }
}

/** The tree ID a Rekor v1 checkpoint origin carries ("<name> - <tree ID>"). */
function treeIdOf(origin: string): string | undefined {
  return /^.* - ([0-9]{1,20})$/.exec(origin)?.[1];
}

/**
 * One visit: fetch and verify the log's checkpoint, judge it against the last
 * trusted observation, record it (append-only), and return the log's rewrite record.
 * A checkpoint whose signature does not verify is recorded as 'unverifiable' with
 * the reason, and never becomes a reference for later visits.
 */
export async function observeCheckpoint(log: ExploreLog, keys: readonly TransparencyLogKey[], store: CheckpointStore, http: Omit<RekorHttpOptions, 'baseUrl'> = { timeoutMs: 15_000, maxRetries: 1 }): Promise<CheckpointStatus> {
  const fetched = await fetchCheckpoint(log, keys, http);
  let observation: ObservedCheckpoint;
  if (!fetched.checkpoint) {
    // Keep what the log served, parsed only as far as it goes, so the record says what was refused.
    const parsed = verifyCheckpoint(fetched.text, []);
    observation = await store.record({
      logId: parsed.checkpoint?.origin ?? log.logId,
      logUrl: log.baseUrl,
      treeSize: parsed.checkpoint?.treeSize ?? 0,
      rootHash: parsed.checkpoint?.rootHash ?? '',
      checkpoint: fetched.text.slice(0, 64 * 1024),
      previousId: null,
      consistency: 'unverifiable',
      detail: `the checkpoint's signature does not verify with the trusted root's log key: ${fetched.reason}`,
    });
  } else {
    const cp = fetched.checkpoint;
    const previous = await store.latestTrusted(cp.origin, log.baseUrl);
    const verdict = await judgeConsistency(log, previous, cp, http, log.version === 'v1' ? treeIdOf(cp.origin) : undefined);
    observation = await store.record({
      logId: cp.origin,
      logUrl: log.baseUrl,
      treeSize: cp.treeSize,
      rootHash: cp.rootHash,
      checkpoint: fetched.text,
      previousId: previous?.id ?? null,
      ...verdict,
    });
  }
  const rewrites = await store.rewrites(log.baseUrl, 5);
  return { logUrl: log.baseUrl, observation, rewrites, flagged: observation.consistency === 'inconsistent' || rewrites.length > 0 };
}

/** An in-memory store (tests, and the CLI's --no-record runs). */
export function memoryCheckpointStore(initial: ObservedCheckpoint[] = []): CheckpointStore & { all: ObservedCheckpoint[] } {
  const all = [...initial];
  let n = all.length;
  return {
    all,
    async latestTrusted(logId, logUrl) {
      return [...all].reverse().find((o) => o.logId === logId && o.logUrl === logUrl && TRUSTED_VERDICTS.includes(o.consistency));
    },
    async record(o) {
      const row = { ...o, id: `mem-${++n}`, observedAt: new Date() };
      all.push(row);
      return row;
    },
    async rewrites(logUrl, take) {
      return [...all].reverse().filter((o) => o.logUrl === logUrl && o.consistency === 'inconsistent').slice(0, take);
    },
  };
}
