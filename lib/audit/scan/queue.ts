/**
 * The team path: scan items queued in PostgreSQL with pg-boss, so `sigscope worker`
 * processes on several machines share one scan.
 *
 * One pg-boss job per item (singletonKey = item id, so re-enqueueing is harmless).
 * pg-boss hands a dead worker's jobs to another worker once they expire; the item's
 * own lease (lib/db/scans.ts) is what makes processing exactly-once: a job whose item
 * another live worker holds is failed and retried later, a job whose item is already
 * finished completes at once, and only the lease holder can finish an item.
 * Jobs are fetched in batches and run through a local pool: pg-boss waits a polling
 * interval between fetches, so one job per fetch would cap a worker at 2 items/s.
 */
import 'server-only';
import PgBoss from 'pg-boss';
import type { Db } from '../../db';
import { adoptOrCloseRun, claimItem, finishScanIfDone, getScanJob, transitionScan } from '../../db/scans';
import { loadScanContext, type ScanContext } from './context';
import { itemWrite, processItem } from './process-item';
import { ItemWriter } from './item-writer';
import { workerId } from './runner';

export const SCAN_QUEUE = 'sigscope-scan-items';
const SCHEMA = 'sigscope_queue';

export interface QueueOptions {
  /** A job not finished in this time is given to another worker (default 300 s). */
  expireInSeconds?: number;
  /** How often pg-boss looks for expired jobs (default 30 s). */
  maintenanceIntervalSeconds?: number;
}

export interface ScanJobData {
  scanId: string;
  itemId: string;
}

export async function openQueue(url: string, options: QueueOptions = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    schema: SCHEMA,
    max: 4,
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 30,
    monitorStateIntervalSeconds: 3600,
    application_name: 'sigscope',
  });
  boss.on('error', (e: Error) => process.stderr.write(`sigscope: queue: ${e.message}\n`));
  await boss.start();
  const existing = await boss.getQueue(SCAN_QUEUE);
  if (!existing) {
    await boss.createQueue(SCAN_QUEUE, { name: SCAN_QUEUE, retryLimit: 50, retryDelay: 2, retryBackoff: false, expireInSeconds: options.expireInSeconds ?? 300 });
  } else if (options.expireInSeconds && existing.expireInSeconds !== options.expireInSeconds) {
    await boss.updateQueue(SCAN_QUEUE, { name: SCAN_QUEUE, retryLimit: 50, retryDelay: 2, expireInSeconds: options.expireInSeconds });
  }
  return boss;
}

export async function enqueueItems(boss: PgBoss, scanId: string, itemIds: readonly string[]): Promise<void> {
  for (let i = 0; i < itemIds.length; i += 1000) {
    await boss.insert(itemIds.slice(i, i + 1000).map((itemId) => ({ name: SCAN_QUEUE, data: { scanId, itemId } satisfies ScanJobData, singletonKey: itemId })));
  }
}

/** Queues a scan's open items (a new scan, or a resumed one) and marks it running. */
export async function enqueueScan(db: Db, boss: PgBoss, scanId: string): Promise<number> {
  const open = await db.scanItem.findMany({ where: { scanId, state: { in: ['pending', 'running'] } }, select: { id: true } });
  await enqueueItems(boss, scanId, open.map((o) => o.id));
  await transitionScan(db, scanId, ['queued'], 'running');
  return open.length;
}

export interface WorkerOptions {
  owner?: string;
  concurrency?: number;
  leaseMs?: number;
  /** Called after each item (for progress output). */
  onItem?: (scanId: string, itemId: string, state: string) => void;
  /** Verify signatures on a worker thread (see lib/verify/verify-thread.ts); the CLI does. */
  verifyOffThread?: boolean;
}

export interface RunningWorker {
  owner: string;
  stop(): Promise<void>;
}

/** Starts processing queued items in this process until stop(). */
export async function startWorker(db: Db, boss: PgBoss, options: WorkerOptions = {}): Promise<RunningWorker> {
  const owner = options.owner ?? workerId();
  const concurrency = options.concurrency ?? 8;
  const leaseMs = options.leaseMs ?? 120_000;
  const contexts = new Map<string, Promise<ScanContext>>();
  const context = (scanId: string) => {
    let c = contexts.get(scanId);
    if (!c) {
      c = loadScanContext(db, scanId, { verifyOffThread: options.verifyOffThread ?? false });
      contexts.set(scanId, c);
      c.catch(() => contexts.delete(scanId));
    }
    return c;
  };
  const heldIds = new Set<string>();
  const writer = new ItemWriter(db);
  const heartbeat = setInterval(() => {
    if (heldIds.size === 0) return;
    void db.scanItem.updateMany({ where: { id: { in: [...heldIds] }, leaseOwner: owner, state: 'running' }, data: { leaseUntil: new Date(Date.now() + leaseMs) } }).catch(() => undefined);
  }, Math.max(250, leaseMs / 3));
  heartbeat.unref?.();

  const handle = async (job: { id: string; data: ScanJobData }): Promise<void> => {
    const { scanId, itemId } = job.data;
    const scan = await getScanJob(db, scanId);
    if (!scan || scan.status === 'cancelled' || scan.status === 'finished' || scan.status === 'failed') return;
    // pg-boss redelivers a job whose batch outlived its expiry, possibly to us: we are on it already.
    if (heldIds.has(itemId)) return;
    const claim = await claimItem(db, itemId, owner, leaseMs);
    if (!claim.claimed) {
      // Held by a live worker: retry later (if that worker dies, its lease expires).
      if (claim.reason === 'held') await boss.fail(SCAN_QUEUE, job.id, { reason: 'item held by another worker' });
      return;
    }
    heldIds.add(itemId);
    try {
      const adopted = claim.previousRunId ? await adoptOrCloseRun(db, claim.previousRunId) : null;
      const processed = adopted ? { result: adopted, addedItemIds: [] } : await processItem(await context(scanId), claim.item);
      const { result, addedItemIds } = processed;
      // Children are queued before the parent finishes: a crash in between re-runs the
      // parent, whose retry re-queues its pending children (singletonKey deduplicates).
      if (claim.item.kind !== 'image') {
        const children = await db.scanItem.findMany({
          where: { scanId, state: 'pending', ...(claim.item.kind === 'repository' ? { kind: 'image', registry: claim.item.registry, repository: claim.item.repository } : { kind: 'repository', registry: claim.item.registry }) },
          select: { id: true },
        });
        await enqueueItems(boss, scanId, [...new Set([...addedItemIds, ...children.map((c) => c.id)])]);
      }
      await writer.submit(itemWrite(claim.item, owner, processed));
      options.onItem?.(scanId, itemId, result.state);
      await finishScanIfDone(db, scanId);
    } finally {
      heldIds.delete(itemId);
    }
  };

  const workerIds: string[] = [];
  workerIds.push(
    await boss.work<ScanJobData>(SCAN_QUEUE, { batchSize: concurrency * 4, pollingIntervalSeconds: 0.5 }, async (jobs: Array<PgBoss.Job<ScanJobData>>) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, jobs.length) }, async () => {
          while (next < jobs.length) {
            const job = jobs[next++]!;
            try {
              await handle(job);
            } catch (e) {
              await boss.fail(SCAN_QUEUE, job.id, { reason: (e as Error).message }).catch(() => undefined);
            }
          }
        }),
      );
    }),
  );
  return {
    owner,
    async stop() {
      clearInterval(heartbeat);
      for (const id of workerIds) await boss.offWork({ id });
      const loaded = await Promise.allSettled(contexts.values());
      await Promise.all(loaded.map((c) => (c.status === 'fulfilled' ? c.value.verifyThreads?.close() : undefined)));
    },
  };
}
