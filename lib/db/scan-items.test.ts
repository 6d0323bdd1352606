// Scan items as expansions add them and runners claim them (scans.ts), on a temp database
// (SQLite, or PostgreSQL in the PostgreSQL pass): plain SQL must store what Prisma would,
// add each item once however many writers expand the same repository, and claim in order.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../tests/support/database';
import { openDb, type Db } from './client';
import { addItems, claimItems, createScan, type NewItem } from './scans';

const REG = '127.0.0.1:5000';
let db: Db;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-scan-items-'));
  db = await openDb(await testDatabaseUrl(path.join(dir, 'items.db')));
});
afterAll(async () => {
  await db?.$disconnect();
});

async function emptyScan(): Promise<string> {
  const { id } = await createScan(db, { spec: {}, policy: {}, policyHash: 'p'.repeat(64), trustRootName: 'sandbox', trustRootHash: 't'.repeat(64), source: 'cli', runner: 'in-process', items: [] });
  return id;
}

const images = (repository: string, tags: string[]): NewItem[] => tags.map((tag) => ({ kind: 'image', registry: REG, repository, tag }));

describe('addItems', () => {
  it('stores new items with the defaults Prisma gives, and returns their ids', async () => {
    const scanId = await emptyScan();
    const before = Date.now();
    const ids = await addItems(db, scanId, [...images('acme/api', ['v1', 'v2']), { kind: 'repository', registry: REG, repository: 'acme/web' }]);
    expect(ids).toHaveLength(3);
    const rows = await db.scanItem.findMany({ where: { scanId }, orderBy: { tag: 'asc' } });
    expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
    const byTag = new Map(rows.map((r) => [`${r.kind}:${r.repository}:${r.tag}`, r]));
    expect([...byTag.keys()].sort()).toEqual(['image:acme/api:v1', 'image:acme/api:v2', 'repository:acme/web:']);
    for (const r of rows) {
      expect(r).toMatchObject({ scanId, registry: REG, digest: null, state: 'pending', attempts: 0, leaseOwner: null, leaseUntil: null, outcome: null, reused: false, runId: null, startedAt: null, finishedAt: null });
      // Read back through Prisma as a real Date: the bound value is stored the way Prisma stores its own.
      expect(r.createdAt).toBeInstanceOf(Date);
      expect(r.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(r.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    }
  });

  it('skips items the scan already has and repeats within one call', async () => {
    const scanId = await emptyScan();
    const first = await addItems(db, scanId, images('acme/api', ['v1', 'v2']));
    const second = await addItems(db, scanId, images('acme/api', ['v2', 'v3', 'v3', 'v1', 'v4']));
    expect(second).toHaveLength(2);
    const rows = await db.scanItem.findMany({ where: { scanId } });
    expect(rows.map((r) => r.tag).sort()).toEqual(['v1', 'v2', 'v3', 'v4']);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set([...first, ...second]));
    // Another scan's items do not count as "already there".
    expect(await addItems(db, await emptyScan(), images('acme/api', ['v1']))).toHaveLength(1);
    expect(await addItems(db, scanId, [])).toEqual([]);
  });

  it('adds each item once when two writers expand the same repository at the same moment', async () => {
    const scanId = await emptyScan();
    const tags = Array.from({ length: 300 }, (_, i) => `t${i}`);
    const [a, b] = await Promise.all([addItems(db, scanId, images('acme/api', tags)), addItems(db, scanId, images('acme/api', [...tags].reverse()))]);
    expect(a.length + b.length).toBe(300);
    expect(new Set([...a, ...b]).size).toBe(300);
    expect(await db.scanItem.count({ where: { scanId } })).toBe(300);
  });

  it('splits a very large expansion into statements under the parameter bound', async () => {
    const scanId = await emptyScan();
    const ids = await addItems(db, scanId, images('acme/big', Array.from({ length: 2_500 }, (_, i) => `t${i}`)));
    expect(ids).toHaveLength(2_500);
    expect(await db.scanItem.count({ where: { scanId } })).toBe(2_500);
  });

  it('gives what it added to claimItems, once', async () => {
    const scanId = await emptyScan();
    await addItems(db, scanId, images('acme/api', ['v1', 'v2', 'v3']));
    const claimed = await claimItems(db, scanId, 'worker-a', 10, 60_000);
    expect(claimed.map((c) => c.tag).sort()).toEqual(['v1', 'v2', 'v3']);
    expect(claimed.every((c) => c.state === 'running' && c.leaseOwner === 'worker-a' && c.attempts === 1)).toBe(true);
    expect(await claimItems(db, scanId, 'worker-b', 10, 60_000)).toEqual([]);
  });
});

describe('claimItems', () => {
  it('claims expansions first (so totals are known early), then images oldest first, up to the limit, each once', async () => {
    const scanId = await emptyScan();
    await addItems(db, scanId, images('acme/api', ['v1', 'v2', 'v3']));
    await addItems(db, scanId, [{ kind: 'repository', registry: REG, repository: 'acme/web' }]);
    await addItems(db, scanId, [{ kind: 'catalog', registry: REG, repository: 'acme' }]);
    const first = await claimItems(db, scanId, 'worker-a', 3, 60_000);
    // The two expansions may share a millisecond: their order between them is not asserted.
    expect(first.slice(0, 2).map((c) => c.kind).sort()).toEqual(['catalog', 'repository']);
    expect(first[2]!.kind).toBe('image');
    const [a, b] = await Promise.all([claimItems(db, scanId, 'worker-a', 2, 60_000), claimItems(db, scanId, 'worker-b', 2, 60_000)]);
    const all = [...first, ...a, ...b];
    expect(all).toHaveLength(5);
    expect(new Set(all.map((c) => c.id)).size).toBe(5);
    for (const c of all) {
      expect(c).toMatchObject({ state: 'running', attempts: 1, previousRunId: null });
      expect(c.leaseUntil).toBeInstanceOf(Date);
      expect(c.leaseUntil!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    }
    const stored = await db.scanItem.findMany({ where: { scanId } });
    for (const r of stored) expect(r.leaseOwner).toBe(all.find((c) => c.id === r.id)!.leaseOwner);
  });

  it('takes over an item whose lease expired, naming the run its dead holder left; a live lease is not taken', async () => {
    const scanId = await emptyScan();
    await addItems(db, scanId, images('acme/api', ['dead', 'alive']));
    const held = await claimItems(db, scanId, 'worker-a', 2, 60_000);
    const dead = held.find((c) => c.tag === 'dead')!;
    await db.scanItem.update({ where: { id: dead.id }, data: { leaseUntil: new Date(Date.now() - 1000), runId: 'run-left-behind' } });
    const taken = await claimItems(db, scanId, 'worker-b', 10, 60_000);
    expect(taken.map((c) => [c.tag, c.leaseOwner, c.attempts, c.previousRunId])).toEqual([['dead', 'worker-b', 2, 'run-left-behind']]);
    expect(await claimItems(db, scanId, 'worker-c', 10, 60_000)).toEqual([]);
  });

  it('refuses a limit that is not a positive whole number', async () => {
    const scanId = await emptyScan();
    await expect(claimItems(db, scanId, 'worker-a', 0, 60_000)).rejects.toThrow(/cannot claim 0 items/);
    await expect(claimItems(db, scanId, 'worker-a', 1.5, 60_000)).rejects.toThrow(/cannot claim 1.5 items/);
  });
});
