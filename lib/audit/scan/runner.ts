/**
 * The in-process scan runner (the SQLite default; also what `sigscope scan` runs in the
 * foreground). It claims items with leases like any queue worker would, so a scan
 * interrupted by a crash or restart resumes where it stopped: finished items are never
 * redone, and items a dead process held come back when their lease expires.
 *
 * Concurrency is bounded per registry; the registry client itself backs off on 429/5xx
 * honouring Retry-After (lib/oci/transport.ts).
 */
import 'server-only';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db';
import {
  cancelPendingItems,
  claimItems,
  adoptOrCloseRun,
  extendLeases,
  finishScanIfDone,
  getScanJob,
  getScanStatus,
  openItemCount,
  releaseClaimedItems,
  scanProgress,
  transitionScan,
  type ClaimedItem,
  type ScanProgress,
} from '../../db/scans';
import { loadScanContext, type ScanContext } from './context';
import { itemWrite, processItem } from './process-item';
import { ItemWriter } from './item-writer';

export interface RunScanOptions {
  /** Who holds the leases; defaults to host:pid:random. */
  owner?: string;
  /** Lease length; renewed every third of it while an item runs. Default 60 s. */
  leaseMs?: number;
  /** Awaited when it returns a promise. */
  onProgress?: (p: ScanProgress) => void | Promise<void>;
  progressIntervalMs?: number;
  /** How often the scan's status is read for a cancel (default 100 ms; 0: before every claim). */
  statusPollMs?: number;
  /** How long finished items wait to be stored together (default 250 ms; 0: as soon as possible). */
  writeDelayMs?: number;
  /** Stop claiming new items (the process is shutting down); the scan stays resumable. */
  signal?: AbortSignal;
  /** Verify signatures on a worker thread (see lib/verify/verify-thread.ts); the CLI does. */
  verifyOffThread?: boolean;
}

export function workerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a scan to its end (finished or cancelled) in this process; returns the final progress. */
export async function runScan(db: Db, scanId: string, options: RunScanOptions = {}): Promise<ScanProgress> {
  const owner = options.owner ?? workerId();
  const leaseMs = options.leaseMs ?? 60_000;
  const job = await getScanJob(db, scanId);
  if (!job) throw new Error(`no scan ${scanId}`);
  if (job.status === 'queued') await transitionScan(db, scanId, ['queued'], 'running');
  const ctx = await loadScanContext(db, scanId, { verifyOffThread: options.verifyOffThread ?? false });
  const limit = ctx.spec.concurrency;
  // A task hands its result to the writer and frees its slot; results are stored in
  // batches within ~250 ms (the item keeps its lease until then; a crash before the
  // write leaves it to be retried, never half-stored).
  const writer = new ItemWriter(db, { delayMs: options.writeDelayMs ?? 250 });
  let writeError: unknown = null;
  const onWriteError = (e: unknown) => {
    writeError ??= e;
  };

  const queue: ClaimedItem[] = [];
  const inflight = new Map<string, Promise<void>>();
  const perRegistry = new Map<string, number>();
  let lastStatusCheck = 0;
  let lastProgress = 0;
  const heartbeat = setInterval(() => {
    void extendLeases(db, [...inflight.keys(), ...queue.map((q) => q.id)], owner, leaseMs).catch(() => undefined);
  }, Math.max(250, leaseMs / 3));
  heartbeat.unref?.();

  const report = async (force = false) => {
    if (!options.onProgress) return;
    const now = Date.now();
    if (!force && now - lastProgress < (options.progressIntervalMs ?? 500)) return;
    lastProgress = now;
    const p = await scanProgress(db, scanId);
    if (p) await options.onProgress(p);
  };

  try {
    for (;;) {
      if (writeError) throw writeError;
      const now = Date.now();
      // Often enough that a cancel stops the scan within a few items.
      if (now - lastStatusCheck >= (options.statusPollMs ?? 100)) {
        lastStatusCheck = now;
        const status = await getScanStatus(db, scanId);
        if (!status || status === 'cancelling' || status === 'cancelled') {
          await releaseClaimedItems(db, queue.splice(0).map((q) => q.id), owner, 'cancelled');
          await cancelPendingItems(db, scanId);
          await Promise.allSettled(inflight.values());
          await writer.flush();
          await cancelPendingItems(db, scanId); // items our queue had claimed are running; anything left pending is cancelled
          await transitionScan(db, scanId, ['cancelling'], 'cancelled');
          break;
        }
        if (status === 'finished' || status === 'failed') break;
      }
      if (options.signal?.aborted) {
        await releaseClaimedItems(db, queue.splice(0).map((q) => q.id), owner, 'pending');
        await Promise.allSettled(inflight.values());
        await writer.flush();
        break;
      }

      if (queue.length < limit) {
        // Claimed a few rounds ahead: one claim (three statements) per several dozen items.
        const claimed = await claimItems(db, scanId, owner, limit * 4 - queue.length, leaseMs);
        queue.push(...claimed);
      }
      // Start what the per-registry bound allows.
      for (let i = 0; i < queue.length && inflight.size < limit; ) {
        const item = queue[i]!;
        const running = perRegistry.get(item.registry) ?? 0;
        if (running >= limit) {
          i++;
          continue;
        }
        queue.splice(i, 1);
        perRegistry.set(item.registry, running + 1);
        const task = runItem(ctx, writer, item, owner, onWriteError).finally(() => {
          inflight.delete(item.id);
          perRegistry.set(item.registry, (perRegistry.get(item.registry) ?? 1) - 1);
        });
        inflight.set(item.id, task);
      }

      if (inflight.size === 0 && queue.length === 0) {
        await writer.flush();
        if (writeError) throw writeError;
        if ((await openItemCount(db, scanId)) === 0) {
          await finishScanIfDone(db, scanId);
          break;
        }
        await sleep(250); // items held by another worker: wait for them or their lease to expire
        continue;
      }
      if (inflight.size > 0) await Promise.race(inflight.values());
      await report();
    }
  } finally {
    clearInterval(heartbeat);
    // Items still running (the loop left on an error, or another runner finished the scan) end and
    // are stored before the verification thread stops: stopping it first would record them as errors.
    await Promise.allSettled(inflight.values());
    await writer.flush().catch(onWriteError);
    await ctx.verifyThreads?.close();
  }
  const final = await scanProgress(db, scanId);
  if (final) await options.onProgress?.(final);
  return final!;
}

async function runItem(ctx: ScanContext, writer: ItemWriter, item: ClaimedItem, owner: string, onWriteError: (e: unknown) => void): Promise<void> {
  // Runs of scans before batching were created first and linked to the item; a dead holder may have left one.
  const adopted = item.previousRunId ? await adoptOrCloseRun(ctx.db, item.previousRunId) : null;
  const processed = adopted ? { result: adopted, addedItemIds: [] } : await processItem(ctx, item);
  writer.submit(itemWrite(item, owner, processed)).catch(onWriteError);
}

// ---------------------------------------------------------------------------
// Background scans in the dashboard's process.

const active = ((globalThis as { __sigscopeScans?: Map<string, Promise<unknown>> }).__sigscopeScans ??= new Map());

/** Starts (or joins) the runner for a scan in this process, in the background. */
export function startBackgroundScan(db: Db, scanId: string): void {
  if (active.has(scanId)) return;
  const p = runScan(db, scanId)
    .catch(async (e: unknown) => {
      console.error(`scan ${scanId} stopped:`, e);
      await transitionScan(db, scanId, ['running', 'queued'], 'failed', { errorMessage: (e as Error).message }).catch(() => undefined);
    })
    .finally(() => active.delete(scanId));
  active.set(scanId, p);
}

export function isRunningHere(scanId: string): boolean {
  return active.has(scanId);
}

/**
 * After a restart: in-process scans left queued or running have no runner; start one.
 * Their leases keep a scan another live process is running from being processed twice.
 */
export async function resumeInterruptedScans(db: Db): Promise<string[]> {
  const stale = await db.scanJob.findMany({ where: { runner: 'in-process', status: { in: ['queued', 'running', 'cancelling'] } }, select: { id: true } });
  const resumed: string[] = [];
  for (const s of stale) {
    if (active.has(s.id)) continue;
    startBackgroundScan(db, s.id);
    resumed.push(s.id);
  }
  return resumed;
}
