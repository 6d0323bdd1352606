/**
 * Scans as the dashboard drives them: start (SQLite: a background runner in this
 * process; PostgreSQL: queued for workers, with one embedded worker in this process so
 * a scan progresses even before any `sigscope worker` is started), cancel, resume, and
 * picking up scans a restart interrupted.
 */
import 'server-only';
import { SigscopeError } from '../../errors';
import type { Db } from '../../db';
import { databaseUrlFromEnv, parseDatabaseUrl } from '../../db/paths';
import { getScanJob, requeueCancelledItems, transitionScan } from '../../db/scans';
import { createScanJob, type CreateScanRequest } from './create';
import { resumeInterruptedScans, startBackgroundScan } from './runner';

function usesQueue(): boolean {
  return parseDatabaseUrl(databaseUrlFromEnv()).kind === 'postgresql';
}

interface Embedded {
  ready: Promise<{ boss: import('pg-boss') }>;
}
const state = ((globalThis as { __sigscopeQueue?: { embedded?: Embedded; resumed?: boolean } }).__sigscopeQueue ??= {});

async function embeddedQueue(db: Db) {
  if (!state.embedded) {
    const ready = (async () => {
      const { openQueue, startWorker } = await import('./queue');
      const boss = await openQueue(databaseUrlFromEnv());
      await startWorker(db, boss, {});
      return { boss };
    })();
    state.embedded = { ready };
    ready.catch(() => (state.embedded = undefined));
  }
  return state.embedded.ready;
}

export async function startScan(db: Db, request: Omit<CreateScanRequest, 'runner'>): Promise<{ id: string }> {
  const queue = usesQueue();
  const { id } = await createScanJob(db, { ...request, runner: queue ? 'queue' : 'in-process' });
  await kick(db, id, queue);
  return { id };
}

async function kick(db: Db, id: string, queue: boolean): Promise<void> {
  if (queue) {
    const { enqueueScan } = await import('./queue');
    const { boss } = await embeddedQueue(db);
    await enqueueScan(db, boss, id);
  } else {
    startBackgroundScan(db, id);
  }
}

export async function cancelScan(db: Db, id: string): Promise<void> {
  const job = await getScanJob(db, id);
  if (!job) throw new SigscopeError('NOT_FOUND', `no scan ${id}`);
  if (!(await transitionScan(db, id, ['queued', 'running'], 'cancelling'))) {
    throw new SigscopeError('CONFLICT', `scan ${id} is ${job.status}; only a queued or running scan can be cancelled`);
  }
  if (job.runner === 'queue') {
    // Queue workers do not watch for cancellation between items: settle it here.
    const { cancelPendingItems } = await import('../../db/scans');
    await cancelPendingItems(db, id);
    await transitionScan(db, id, ['cancelling'], 'cancelled');
  }
}

export async function resumeScan(db: Db, id: string): Promise<void> {
  const job = await getScanJob(db, id);
  if (!job) throw new SigscopeError('NOT_FOUND', `no scan ${id}`);
  if (!['cancelled', 'failed'].includes(job.status)) throw new SigscopeError('CONFLICT', `scan ${id} is ${job.status}; only a cancelled or failed scan can be resumed`);
  await requeueCancelledItems(db, id);
  await transitionScan(db, id, ['cancelled', 'failed'], job.runner === 'queue' ? 'queued' : 'running');
  await kick(db, id, job.runner === 'queue');
}

/** Once per process: runners for in-process scans that a restart interrupted. */
export async function resumeOnce(db: Db): Promise<void> {
  if (state.resumed || usesQueue()) return;
  state.resumed = true;
  await resumeInterruptedScans(db);
}
