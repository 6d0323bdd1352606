/**
 * Scan jobs and their items.
 *
 * A scan is a job row plus items: 'catalog' (list a registry's repositories under a
 * prefix), 'repository' (list its tags) and 'image' (verify one tag or digest). Items
 * are claimed with a lease (owner + expiry), so a worker that dies mid-item loses it
 * when the lease runs out and another worker takes it over; every state change is a
 * conditional update, so an item is finished exactly once whoever races for it.
 * Verdicts are ordinary VerificationRuns linked by `scanId`; the item keeps a copy
 * of the outcome for fast aggregation over 10k+ items.
 */
import 'server-only';
import { randomBytes } from 'node:crypto';
import { SigscopeError, isSigscopeError } from '../errors';
import type { Db } from './client';
import { Prisma } from './generated/client';
import { insertNewRows } from './sql-rows';

export const SCAN_STATUSES = ['queued', 'running', 'cancelling', 'cancelled', 'finished', 'failed'] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];
export const ITEM_STATES = ['pending', 'running', 'done', 'error', 'cancelled'] as const;
export type ItemState = (typeof ITEM_STATES)[number];
export type ItemKind = 'catalog' | 'repository' | 'image';
export type ImageOutcome = 'verified' | 'signed-unchecked' | 'failed' | 'unsigned' | 'error';

export interface NewItem {
  kind: ItemKind;
  registry: string;
  /** The prefix for a catalog item. */
  repository: string;
  tag?: string;
  digest?: string | null;
}

export interface ScanItemRow {
  id: string;
  scanId: string;
  kind: ItemKind;
  registry: string;
  repository: string;
  tag: string;
  digest: string | null;
  state: ItemState;
  attempts: number;
  outcome: string | null;
  reused: boolean;
  previousDigest: string | null;
  runId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface CreateScanInput {
  spec: unknown;
  policy: unknown;
  policyVersionId?: string | null;
  policyHash: string;
  trustRootName: string;
  trustRootHash: string;
  source: 'cli' | 'web' | 'demo' | 'bench';
  actor?: string;
  runner: 'in-process' | 'queue';
  items: NewItem[];
}

async function dbCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isSigscopeError(e)) throw e;
    const message = e instanceof Error ? e.message.trim().split('\n').filter(Boolean).slice(-1)[0] ?? e.message : String(e);
    throw new SigscopeError('DATABASE', `${what} failed: ${message}`, { cause: e });
  }
}

const itemKey = (i: { kind: string; registry: string; repository: string; tag?: string | null }) => `${i.kind}\u0000${i.registry}\u0000${i.repository}\u0000${i.tag ?? ''}`;

export function createScan(db: Db, input: CreateScanInput): Promise<{ id: string; itemIds: string[] }> {
  return dbCall('Creating the scan', () =>
    db.$transaction(async (tx) => {
      const job = await tx.scanJob.create({
        data: {
          spec: JSON.stringify(input.spec),
          status: 'queued',
          policy: JSON.stringify(input.policy ?? {}),
          policyVersionId: input.policyVersionId ?? null,
          policyHash: input.policyHash,
          trustRootName: input.trustRootName,
          trustRootHash: input.trustRootHash,
          source: input.source,
          actor: input.actor ?? 'local',
          runner: input.runner,
        },
      });
      const unique = new Map<string, NewItem>();
      for (const i of input.items) unique.set(itemKey(i), i);
      const data = [...unique.values()].map((i) => ({ scanId: job.id, kind: i.kind, registry: i.registry, repository: i.repository, tag: i.tag ?? '', digest: i.digest ?? null }));
      if (data.length > 0) await tx.scanItem.createMany({ data });
      const rows = await tx.scanItem.findMany({ where: { scanId: job.id }, select: { id: true } });
      return { id: job.id, itemIds: rows.map((r) => r.id) };
    }, { maxWait: 20_000, timeout: 60_000 }),
  );
}

/** Every column of ScanItem, named (a default the database would fill in is not Prisma's). */
const ITEM_COLUMNS = ['id', 'scanId', 'kind', 'registry', 'repository', 'tag', 'digest', 'state', 'attempts', 'leaseOwner', 'leaseUntil', 'outcome', 'reused', 'previousDigest', 'runId', 'errorCode', 'errorMessage', 'createdAt', 'startedAt', 'finishedAt'];
const ITEM_KEY = ['scanId', 'kind', 'registry', 'repository', 'tag'];

/**
 * Adds items found while expanding (repositories of a catalog, tags of a repository),
 * skipping ones the scan already has (the unique key decides, so two workers expanding the
 * same repository add each item once). Returns the ids of the items added.
 * One plain INSERT … ON CONFLICT DO NOTHING per 1,000 items (lib/db/sql-rows.ts): as a
 * Prisma findMany over an OR of the items plus a createMany, expanding a repository of
 * 20 tags cost ~10 ms of CPU in the query compiler, 0.5 ms per image of a scan.
 */
export function addItems(db: Db, scanId: string, items: NewItem[]): Promise<string[]> {
  return dbCall('Adding scan items', async () => {
    const unique = new Map<string, NewItem>();
    for (const i of items) unique.set(itemKey(i), i);
    const now = new Date();
    const rows = [...unique.values()].map((i) => ({
      id: randomBytes(12).toString('hex'), scanId, kind: i.kind, registry: i.registry, repository: i.repository, tag: i.tag ?? '', digest: i.digest ?? null,
      state: 'pending', attempts: 0, leaseOwner: null, leaseUntil: null, outcome: null, reused: false, previousDigest: null, runId: null, errorCode: null, errorMessage: null,
      createdAt: now, startedAt: null, finishedAt: null,
    }));
    return insertNewRows(db, 'ScanItem', ITEM_COLUMNS, ITEM_KEY, rows);
  });
}

function toItem(r: Record<string, unknown>): ScanItemRow {
  return r as unknown as ScanItemRow;
}

/** Pending, or running under a lease that expired before `now` (its worker died). */
const claimable = (now: Date) => Prisma.sql`("state" = 'pending' OR ("state" = 'running' AND "leaseUntil" < ${now}))`;

/**
 * Claims up to `limit` items that are pending, or running under a lease that expired
 * (their worker died). Expansion items (catalog, repository) first, so totals are known
 * early; then oldest first. Plain SQL (lib/db/sql-rows.ts says why): as three Prisma
 * queries, a claim cost ~5 ms of CPU.
 */
export function claimItems(db: Db, scanId: string, owner: string, limit: number, leaseMs: number): Promise<ClaimedItem[]> {
  return dbCall('Claiming scan items', async () => {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`cannot claim ${limit} items`);
    const now = new Date();
    const candidates = await db.$queryRaw<Array<{ id: string; state: string; runId: string | null }>>`
      SELECT "id", "state", "runId" FROM "ScanItem" WHERE "scanId" = ${scanId} AND ${claimable(now)}
      ORDER BY ("kind" = 'image') ASC, "createdAt" ASC LIMIT ${Prisma.raw(String(limit))}`;
    if (candidates.length === 0) return [];
    // One conditional update for the batch: items another worker claimed in between no
    // longer match `claimable` and are left alone. The lease value marks this claim.
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const rows = await db.$queryRaw<ScanItemRow[]>`
      UPDATE "ScanItem" SET "state" = 'running', "leaseOwner" = ${owner}, "leaseUntil" = ${leaseUntil}, "attempts" = "attempts" + 1, "startedAt" = ${now}
      WHERE "id" IN (${Prisma.join(candidates.map((c) => c.id))}) AND ${claimable(now)}
      RETURNING *`;
    const claimed = new Map(rows.map((r) => [r.id, r]));
    // In claim order (RETURNING has none), with what a dead previous holder left.
    return candidates.flatMap((c) => {
      const r = claimed.get(c.id);
      return r ? [{ ...r, previousRunId: c.state === 'running' && c.runId ? c.runId : null }] : [];
    });
  });
}

/** A claimed item, with the run a dead previous holder left unfinished (to close). */
export type ClaimedItem = ScanItemRow & { previousRunId: string | null };

export type ClaimResult = { claimed: true; item: ScanItemRow; previousRunId: string | null } | { claimed: false; reason: 'finished' | 'held' | 'missing' | 'cancelled' };

/** Claims one item (a queue job names it). A held item (live lease elsewhere) is not taken. */
export function claimItem(db: Db, itemId: string, owner: string, leaseMs: number): Promise<ClaimResult> {
  return dbCall('Claiming a scan item', async () => {
    const now = new Date();
    const before = await db.scanItem.findUnique({ where: { id: itemId }, select: { runId: true, state: true, leaseOwner: true } });
    if (!before) return { claimed: false, reason: 'missing' };
    const updated = await db.scanItem.updateMany({
      // Never a live lease, not even our own: a queue may deliver a job again while we still work on it.
      where: { id: itemId, OR: [{ state: 'pending' }, { state: 'running', leaseUntil: { lt: now } }] },
      data: { state: 'running', leaseOwner: owner, leaseUntil: new Date(now.getTime() + leaseMs), attempts: { increment: 1 }, startedAt: now },
    });
    if (updated.count !== 1) {
      const current = await db.scanItem.findUnique({ where: { id: itemId }, select: { state: true } });
      if (!current) return { claimed: false, reason: 'missing' };
      if (current.state === 'cancelled') return { claimed: false, reason: 'cancelled' };
      return { claimed: false, reason: current.state === 'running' ? 'held' : 'finished' };
    }
    const item = await db.scanItem.findUniqueOrThrow({ where: { id: itemId } });
    // A previous holder died mid-item: its run stays 'running' forever unless we close it.
    const previousRunId = before.state === 'running' && before.runId ? before.runId : null;
    return { claimed: true, item: toItem(item), previousRunId };
  });
}

/** Keeps leases alive while items take long (slow registries). */
export function extendLeases(db: Db, itemIds: string[], owner: string, leaseMs: number): Promise<number> {
  return dbCall('Extending leases', async () => {
    if (itemIds.length === 0) return 0;
    const r = await db.scanItem.updateMany({ where: { id: { in: itemIds }, leaseOwner: owner, state: 'running' }, data: { leaseUntil: new Date(Date.now() + leaseMs) } });
    return r.count;
  });
}

/** Records the run an item started, so a successor can close it if this worker dies. */
export function attachRun(db: Db, itemId: string, owner: string, runId: string): Promise<void> {
  return dbCall('Linking the run to its item', async () => {
    await db.scanItem.updateMany({ where: { id: itemId, leaseOwner: owner, state: 'running' }, data: { runId } });
  });
}

export interface ItemResult {
  state: 'done' | 'error';
  outcome?: string | null;
  digest?: string | null;
  reused?: boolean;
  previousDigest?: string | null;
  runId?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

/** What finishing an item writes (batched with its run in lib/db/run-batch.ts). */
export function itemFinishData(result: ItemResult) {
  return {
    state: result.state,
    outcome: result.outcome ?? null,
    ...(result.digest ? { digest: result.digest } : {}),
    reused: result.reused ?? false,
    previousDigest: result.previousDigest ?? null,
    ...(result.runId ? { runId: result.runId } : {}),
    errorCode: result.errorCode ?? null,
    errorMessage: result.errorMessage ? result.errorMessage.slice(0, 2000) : null,
    leaseUntil: null,
    finishedAt: new Date(),
  };
}

export function getScanJob(db: Db, scanId: string) {
  return dbCall('Reading the scan', () => db.scanJob.findUnique({ where: { id: scanId } }));
}

/** Just the scan's status (a runner polls it for a cancel), or null when the scan is gone. */
export async function getScanStatus(db: Db, scanId: string): Promise<ScanStatus | null> {
  const row = await dbCall('Reading the scan status', () => db.scanJob.findUnique({ where: { id: scanId }, select: { status: true } }));
  return row ? (row.status as ScanStatus) : null;
}

/** Moves a scan between states only from the expected ones (no lost updates between workers). */
export function transitionScan(db: Db, scanId: string, from: readonly ScanStatus[], to: ScanStatus, extra: { errorMessage?: string } = {}): Promise<boolean> {
  return dbCall('Updating the scan status', async () => {
    const now = new Date();
    const r = await db.scanJob.updateMany({
      where: { id: scanId, status: { in: [...from] } },
      data: {
        status: to,
        ...(to === 'running' ? { startedAt: now, finishedAt: null } : {}),
        ...(['finished', 'cancelled', 'failed'].includes(to) ? { finishedAt: now } : {}),
        ...(extra.errorMessage ? { errorMessage: extra.errorMessage.slice(0, 2000) } : {}),
      },
    });
    return r.count === 1;
  });
}

/** Cancels what has not started; running items finish (their results are kept). */
export function cancelPendingItems(db: Db, scanId: string): Promise<number> {
  return dbCall('Cancelling scan items', async () => (await db.scanItem.updateMany({ where: { scanId, state: 'pending' }, data: { state: 'cancelled' } })).count);
}

/**
 * Items a runner claimed ahead but never started: cancelled with the scan, or handed back
 * (pending) when the runner stops, so nobody waits for their leases to expire.
 */
export function releaseClaimedItems(db: Db, itemIds: string[], owner: string, to: 'pending' | 'cancelled'): Promise<number> {
  return dbCall('Releasing claimed scan items', async () => {
    if (itemIds.length === 0) return 0;
    const r = await db.scanItem.updateMany({ where: { id: { in: itemIds }, leaseOwner: owner, state: 'running' }, data: { state: to, leaseOwner: null, leaseUntil: null } });
    return r.count;
  });
}

/** Resuming a cancelled scan puts its cancelled items back; finished ones are not redone. */
export function requeueCancelledItems(db: Db, scanId: string): Promise<string[]> {
  return dbCall('Resuming scan items', async () => {
    const rows = await db.scanItem.findMany({ where: { scanId, state: 'cancelled' }, select: { id: true } });
    await db.scanItem.updateMany({ where: { scanId, state: 'cancelled' }, data: { state: 'pending' } });
    return rows.map((r) => r.id);
  });
}

/** Items still to do (pending, or running under any lease). */
export function openItemCount(db: Db, scanId: string): Promise<number> {
  return dbCall('Counting open items', () => db.scanItem.count({ where: { scanId, state: { in: ['pending', 'running'] } } }));
}

/** Marks the scan finished when nothing is left; true for the caller that did it. */
export async function finishScanIfDone(db: Db, scanId: string): Promise<boolean> {
  if ((await openItemCount(db, scanId)) > 0) return false;
  // A cancel that came after the last item: nothing was left to cancel, the scan is complete.
  return transitionScan(db, scanId, ['running', 'queued', 'cancelling'], 'finished');
}

export interface ScanProgress {
  status: ScanStatus;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  errorMessage: string | null;
  images: { total: number; done: number; pending: number; running: number; errors: number; cancelled: number };
  expansions: { total: number; done: number; errors: number };
  outcomes: Record<ImageOutcome, number>;
  reused: number;
  movedTags: number;
  /** Images finished per second since the scan started, and the estimated seconds left. */
  rate: number | null;
  etaSeconds: number | null;
}

export function scanProgress(db: Db, scanId: string): Promise<ScanProgress | null> {
  return dbCall('Reading scan progress', async () => {
    const job = await db.scanJob.findUnique({ where: { id: scanId } });
    if (!job) return null;
    const [byState, byOutcome, reused, moved] = await Promise.all([
      db.scanItem.groupBy({ by: ['kind', 'state'], where: { scanId }, _count: { _all: true } }),
      db.scanItem.groupBy({ by: ['outcome'], where: { scanId, kind: 'image', state: { in: ['done', 'error'] } }, _count: { _all: true } }),
      db.scanItem.count({ where: { scanId, kind: 'image', reused: true } }),
      db.scanItem.count({ where: { scanId, kind: 'image', previousDigest: { not: null } } }),
    ]);
    const images = { total: 0, done: 0, pending: 0, running: 0, errors: 0, cancelled: 0 };
    const expansions = { total: 0, done: 0, errors: 0 };
    for (const g of byState) {
      const n = g._count._all;
      if (g.kind === 'image') {
        images.total += n;
        if (g.state === 'done') images.done += n;
        else if (g.state === 'error') {
          images.done += n;
          images.errors += n;
        } else if (g.state === 'pending') images.pending += n;
        else if (g.state === 'running') images.running += n;
        else if (g.state === 'cancelled') images.cancelled += n;
      } else {
        expansions.total += n;
        if (g.state === 'done') expansions.done += n;
        if (g.state === 'error') {
          expansions.done += n;
          expansions.errors += n;
        }
      }
    }
    const outcomes: Record<ImageOutcome, number> = { verified: 0, 'signed-unchecked': 0, failed: 0, unsigned: 0, error: 0 };
    for (const g of byOutcome) if (g.outcome && g.outcome in outcomes) outcomes[g.outcome as ImageOutcome] += g._count._all;
    const end = job.finishedAt ?? new Date();
    const elapsed = job.startedAt ? (end.getTime() - job.startedAt.getTime()) / 1000 : 0;
    const rate = elapsed > 0.5 && images.done > 0 ? images.done / elapsed : null;
    const left = images.pending + images.running;
    const etaSeconds = rate && job.status === 'running' && expansions.done === expansions.total ? Math.round(left / rate) : null;
    return {
      status: job.status as ScanStatus,
      createdAt: job.createdAt,
      startedAt: job.startedAt,
      finishedAt: job.finishedAt,
      errorMessage: job.errorMessage,
      images,
      expansions,
      outcomes,
      reused,
      movedTags: moved,
      rate,
      etaSeconds,
    };
  });
}

export interface RepositorySummary {
  registry: string;
  repository: string;
  images: number;
  verified: number;
  signedUnchecked: number;
  failed: number;
  unsigned: number;
  errors: number;
  pending: number;
}

export function repositorySummaries(db: Db, scanId: string): Promise<RepositorySummary[]> {
  return dbCall('Summarizing repositories', async () => {
    const groups = await db.scanItem.groupBy({ by: ['registry', 'repository', 'state', 'outcome'], where: { scanId, kind: 'image' }, _count: { _all: true } });
    const map = new Map<string, RepositorySummary>();
    for (const g of groups) {
      const key = `${g.registry}/${g.repository}`;
      let s = map.get(key);
      if (!s) map.set(key, (s = { registry: g.registry, repository: g.repository, images: 0, verified: 0, signedUnchecked: 0, failed: 0, unsigned: 0, errors: 0, pending: 0 }));
      const n = g._count._all;
      s.images += n;
      if (g.state === 'pending' || g.state === 'running') s.pending += n;
      else if (g.outcome === 'verified') s.verified += n;
      else if (g.outcome === 'signed-unchecked') s.signedUnchecked += n;
      else if (g.outcome === 'failed') s.failed += n;
      else if (g.outcome === 'unsigned') s.unsigned += n;
      else if (g.state === 'error' || g.outcome === 'error') s.errors += n;
    }
    return [...map.values()].sort((a, b) => `${a.registry}/${a.repository}`.localeCompare(`${b.registry}/${b.repository}`));
  });
}

export const ITEM_SORTS = ['repository', 'tag', 'outcome', 'finishedAt'] as const;
export interface ListItemsOptions {
  kind?: ItemKind;
  outcome?: string;
  state?: ItemState;
  repository?: string;
  /** Substring of repository or tag. */
  q?: string;
  sort?: (typeof ITEM_SORTS)[number];
  dir?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

/** One page of items (offset pagination: a scan's item set is stable once expanded). */
export function listScanItems(db: Db, scanId: string, o: ListItemsOptions = {}): Promise<{ items: ScanItemRow[]; total: number }> {
  return dbCall('Listing scan items', async () => {
    const where = {
      scanId,
      kind: o.kind ?? 'image',
      ...(o.outcome ? { outcome: o.outcome } : {}),
      ...(o.state ? { state: o.state } : {}),
      ...(o.repository ? { repository: o.repository } : {}),
      ...(o.q ? { OR: [{ repository: { contains: o.q } }, { tag: { contains: o.q } }, { digest: { contains: o.q } }] } : {}),
    };
    const dir = o.dir ?? 'asc';
    const sort = o.sort ?? 'repository';
    const orderBy =
      sort === 'repository'
        ? [{ repository: dir }, { tag: dir }]
        : sort === 'tag'
          ? [{ tag: dir }, { repository: dir }]
          : sort === 'outcome'
            ? [{ outcome: dir }, { repository: 'asc' as const }, { tag: 'asc' as const }]
            : [{ finishedAt: dir }, { id: 'asc' as const }];
    const [items, total] = await Promise.all([
      db.scanItem.findMany({ where, orderBy, skip: o.offset ?? 0, take: Math.min(Math.max(o.limit ?? 100, 1), 500) }),
      db.scanItem.count({ where }),
    ]);
    return { items: items.map(toItem), total };
  });
}

export interface ScanListItem {
  id: string;
  createdAt: Date;
  finishedAt: Date | null;
  status: string;
  targets: string[];
  source: string;
  actor: string;
  images: number;
  done: number;
}

export function listScans(db: Db, limit = 50): Promise<ScanListItem[]> {
  return dbCall('Listing scans', async () => {
    const jobs = await db.scanJob.findMany({ orderBy: { createdAt: 'desc' }, take: Math.min(Math.max(limit, 1), 200) });
    if (jobs.length === 0) return [];
    const counts = await db.scanItem.groupBy({ by: ['scanId', 'state'], where: { scanId: { in: jobs.map((j) => j.id) }, kind: 'image' }, _count: { _all: true } });
    return jobs.map((j) => {
      let images = 0;
      let done = 0;
      for (const c of counts) {
        if (c.scanId !== j.id) continue;
        images += c._count._all;
        if (c.state === 'done' || c.state === 'error') done += c._count._all;
      }
      let targets: string[] = [];
      try {
        const spec = JSON.parse(j.spec) as { targets?: unknown };
        if (Array.isArray(spec.targets)) targets = spec.targets.filter((t): t is string => typeof t === 'string');
      } catch {
        targets = ['(unreadable spec)'];
      }
      return { id: j.id, createdAt: j.createdAt, finishedAt: j.finishedAt, status: j.status, targets, source: j.source, actor: j.actor, images, done };
    });
  });
}

/**
 * What a scan needs to know about one repository before verifying its images, in two
 * queries instead of three per image: the last digest each tag was seen at, and per
 * digest the latest finished verification under this policy and trust root (reusable
 * unless it was an error).
 */
export interface RepositoryHistory {
  lastDigestByTag: Map<string, string>;
  reusableByDigest: Map<string, { id: string; status: string; imageId: string }>;
}

export function repositoryHistory(db: Db, q: { registry: string; repository: string; policyHash: string; trustRootHash: string }): Promise<RepositoryHistory> {
  return dbCall('Reading the repository history', async () => {
    const observations = await db.tagObservation.findMany({
      where: { image: { registry: q.registry, repository: q.repository } },
      orderBy: [{ observedAt: 'desc' }, { id: 'desc' }],
      select: { tag: true, digest: true },
    });
    const lastDigestByTag = new Map<string, string>();
    for (const o of observations) if (!lastDigestByTag.has(o.tag)) lastDigestByTag.set(o.tag, o.digest);
    const runs = await db.verificationRun.findMany({
      where: { image: { registry: q.registry, repository: q.repository }, policyHash: q.policyHash, trustRootHash: q.trustRootHash, finishedAt: { not: null }, status: { notIn: ['error', 'running'] } },
      orderBy: { createdAt: 'desc' },
      select: { id: true, status: true, imageId: true, image: { select: { digest: true } } },
    });
    const reusableByDigest = new Map<string, { id: string; status: string; imageId: string }>();
    for (const r of runs) if (r.image && r.imageId && !reusableByDigest.has(r.image.digest)) reusableByDigest.set(r.image.digest, { id: r.id, status: r.status, imageId: r.imageId });
    return { lastDigestByTag, reusableByDigest };
  });
}

/**
 * A previous holder of an item died after starting its run. If that run finished, its
 * verdict stands and is adopted (verifying again would record the image twice); if not,
 * the run is closed as abandoned and the caller verifies anew.
 */
export async function adoptOrCloseRun(db: Db, runId: string): Promise<ItemResult | null> {
  const run = await dbCall('Reading an interrupted run', () => db.verificationRun.findUnique({ where: { id: runId }, select: { finishedAt: true, status: true, errorCode: true, errorMessage: true, image: { select: { digest: true } } } }));
  if (run?.finishedAt) {
    const error = run.status === 'error';
    return { state: error ? 'error' : 'done', outcome: run.status, runId, digest: run.image?.digest ?? null, errorCode: run.errorCode, errorMessage: run.errorMessage };
  }
  await closeAbandonedRun(db, runId, 'the worker verifying this image stopped mid-item (lease expired); the item was retried');
  return null;
}

/** Closes a run left 'running' by a worker that died mid-item (history keeps it, marked). */
export function closeAbandonedRun(db: Db, runId: string, note: string): Promise<void> {
  return dbCall('Closing an abandoned run', async () => {
    await db.verificationRun.updateMany({
      where: { id: runId, finishedAt: null },
      data: { status: 'error', errorCode: 'WORKER_LOST', errorMessage: note, summary: JSON.stringify({ text: `Error: ${note}` }), finishedAt: new Date() },
    });
  });
}
