// Batched scan results (run-batch.ts) on a temp database (SQLite, or PostgreSQL in the PostgreSQL pass):
// the rows are the ones a single run stores, an item whose lease was lost gets nothing, existing rows
// are reused untouched, and a value that does not validate becomes an error run instead of losing the batch.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../tests/support/database';
import { openDb, type Db } from './client';
import { createRun } from './runs';
import { claimItems, createScan, itemFinishData, type ItemResult } from './scans';
import { writeItems, writeRun, type RunWrite } from './run-batch';

const REG = '127.0.0.1:5000';
const REPO = 'batch/app';
const OWNER = 'worker-a';
const PEM = `-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n`;
let db: Db;
let n = 0;

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-run-batch-'));
  db = await openDb(await testDatabaseUrl(path.join(dir, 'batch.db')));
});
afterAll(async () => {
  await db?.$disconnect();
});

const digest = (i: number) => `sha256:${i.toString(16).padStart(64, '0')}`;

function runWrite(id: string, imageDigest: string, opts: { tag?: string; fingerprint?: string; verdict?: string } = {}): RunWrite {
  const fingerprint = opts.fingerprint ?? 'ab'.repeat(32);
  return {
    run: { id, startedAt: new Date('2026-11-01T10:00:00Z'), input: `${REG}/${REPO}:${opts.tag ?? 'v1'}`, source: 'cli', policy: { identity: 'x' }, policyHash: 'p'.repeat(64), trustRootName: 'sandbox', trustRootHash: 't'.repeat(64) },
    image: { registry: REG, repository: REPO, digest: imageDigest, mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: [] },
    tagObservation: { tag: opts.tag ?? 'v1', digest: imageDigest },
    evidence: [
      {
        certificate: { fingerprintSha256: fingerprint, pem: PEM, subject: '', issuer: 'O=sigstore.dev, CN=sigstore-intermediate', identity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main', oidcIssuer: 'https://token.actions.githubusercontent.com', notBefore: '2026-11-01T09:59:00Z', notAfter: '2026-11-01T10:09:00Z', extensions: { sctCount: 1 } },
        signature: { kind: 'cosign-sig', format: 'cosign-sig', source: 'cosign-tag', layerDigest: digest(1000 + n), payloadDigest: digest(2000 + n), materialDigest: digest(3000 + n), signatureB64: 'c2ln', identity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main', oidcIssuer: 'https://token.actions.githubusercontent.com', rekorLogIndex: 42, rekorLogId: 'log', rekorIntegratedTime: 1_793_000_000 },
        result: { verdict: (opts.verdict ?? 'verified') as 'verified', checks: [{ name: 'signature', passed: true, detail: 'ok' }], identity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main', oidcIssuer: 'https://token.actions.githubusercontent.com', platform: null },
      },
      {
        signature: { kind: 'cosign-sig', format: 'cosign-sig', source: 'cosign-tag', layerDigest: digest(4000 + n), payloadDigest: digest(5000 + n), materialDigest: digest(6000 + n), signatureB64: 'a2V5', publicKeyFingerprint: 'cd'.repeat(32) },
        result: { verdict: 'failed', reasonCode: 'KEY_MISMATCH', reason: 'signed by another key', checks: [], platform: null },
      },
    ],
    finish: { status: 'verified', summary: { text: 'Verified: signed by release.yml' }, tag: opts.tag ?? 'v1', finishedAt: new Date('2026-11-01T10:00:02Z') },
  };
}

/** A scan with `count` image items, all claimed by OWNER. */
async function claimed(count: number) {
  n++;
  const { id } = await createScan(db, {
    spec: {}, policy: {}, policyHash: 'p'.repeat(64), trustRootName: 'sandbox', trustRootHash: 't'.repeat(64), source: 'cli', runner: 'in-process',
    items: Array.from({ length: count }, (_, i) => ({ kind: 'image' as const, registry: REG, repository: REPO, tag: `t${n}-${i}` })),
  });
  const items = await claimItems(db, id, OWNER, count, 60_000);
  expect(items).toHaveLength(count);
  return items;
}

/** A run with its rows, ids and times left out: what a reader of the history sees. */
async function stored(runId: string) {
  const run = await db.verificationRun.findUniqueOrThrow({ where: { id: runId }, include: { image: true, results: { include: { signature: { include: { certificate: true } } }, orderBy: { verdict: 'desc' } } } });
  const strip = (o: unknown): unknown =>
    JSON.parse(JSON.stringify(o, (k, v: unknown) => (['id', 'runId', 'imageId', 'signatureId', 'certificateId', 'createdAt', 'finishedAt', 'observedAt', 'firstSeenAt', 'input'].includes(k) ? undefined : typeof v === 'bigint' ? v.toString() : v)));
  const tags = await db.tagObservation.findMany({ where: { imageId: run.imageId! }, select: { tag: true, digest: true } });
  return { run: strip(run), tags };
}

describe('writeItems', () => {
  it('stores the rows a single run stores, item and run together', async () => {
    const [item] = await claimed(1);
    const single = await createRun(db, { ...runWrite('x', digest(1)).run, id: undefined, input: 'single' });
    await writeRun(db, single.id, runWrite(single.id, digest(1)));
    const { lost } = await writeItems(db, [{ itemId: item!.id, owner: OWNER, result: { state: 'done', outcome: 'verified', digest: digest(2), runId: 'batched-run-1' }, run: runWrite('batched-run-1', digest(2)) }]);
    expect(lost.size).toBe(0);

    const a = await stored(single.id);
    const b = await stored('batched-run-1');
    const sameExceptDigest = JSON.stringify(b).replaceAll(digest(2), digest(1));
    expect(sameExceptDigest).toBe(JSON.stringify(a));
    expect(b.tags).toEqual([{ tag: 'v1', digest: digest(2) }]);
    const run = await db.verificationRun.findUniqueOrThrow({ where: { id: 'batched-run-1' } });
    expect(run.createdAt.toISOString()).toBe('2026-11-01T10:00:00.000Z');
    expect(run.finishedAt?.toISOString()).toBe('2026-11-01T10:00:02.000Z');
    const row = await db.scanItem.findUniqueOrThrow({ where: { id: item!.id } });
    expect(row).toMatchObject({ state: 'done', outcome: 'verified', runId: 'batched-run-1', digest: digest(2), leaseUntil: null });
    // Times written as SQL parameters are stored as Prisma stores them: equality and ranges in queries match.
    const image = await db.image.findFirstOrThrow({ where: { digest: digest(2) } });
    expect(await db.certificate.count({ where: { fingerprintSha256: 'ab'.repeat(32), notBefore: new Date('2026-11-01T09:59:00Z'), notAfter: { gt: new Date('2026-11-01T10:08:59.999Z') } } })).toBe(1);
    expect(await db.signature.count({ where: { imageId: image.id, rekorIntegratedTime: new Date(1_793_000_000_000), rekorLogIndex: 42n } })).toBe(1);
    expect(await db.verificationRun.count({ where: { id: 'batched-run-1', createdAt: new Date('2026-11-01T10:00:00Z'), finishedAt: { gte: new Date('2026-11-01T10:00:02Z'), lt: new Date('2026-11-01T10:00:02.001Z') } } })).toBe(1);
    expect(Date.now() - image.firstSeenAt.getTime()).toBeLessThan(60_000);
    expect(await db.image.count({ where: { id: image.id, firstSeenAt: { gte: new Date(Date.now() - 60_000) } } })).toBe(1);
    expect(await db.tagObservation.count({ where: { imageId: image.id, observedAt: { gte: new Date(Date.now() - 60_000) } } })).toBe(1);
  });

  it('skips an item another worker took over: neither its finish nor its run is written', async () => {
    const [mine, taken] = await claimed(2);
    await db.scanItem.update({ where: { id: taken!.id }, data: { leaseOwner: 'worker-b' } });
    const { lost } = await writeItems(db, [
      { itemId: mine!.id, owner: OWNER, result: { state: 'done', outcome: 'verified', runId: 'kept-run' }, run: runWrite('kept-run', digest(10), { tag: 'a', fingerprint: '11'.repeat(32) }) },
      { itemId: taken!.id, owner: OWNER, result: { state: 'done', outcome: 'verified', runId: 'lost-run' }, run: runWrite('lost-run', digest(11), { tag: 'b', fingerprint: '12'.repeat(32) }) },
    ]);
    expect([...lost]).toEqual([taken!.id]);
    expect(await db.verificationRun.findUnique({ where: { id: 'lost-run' } })).toBeNull();
    expect(await db.image.findFirst({ where: { digest: digest(11) } })).toBeNull();
    expect((await db.scanItem.findUniqueOrThrow({ where: { id: taken!.id } })).state).toBe('running');
    expect(await db.verificationRun.findUnique({ where: { id: 'kept-run' } })).not.toBeNull();
  });

  it('reuses stored images, certificates and signatures (in the batch and from before) without changing them', async () => {
    const items = await claimed(3);
    const before = await db.image.create({ data: { registry: REG, repository: REPO, digest: digest(20), mediaType: 'application/vnd.oci.image.index.v1+json', platforms: '[]' } });
    const writes = items.map((it, i) => ({ itemId: it.id, owner: OWNER, result: { state: 'done' as const, outcome: 'verified', runId: `reuse-${i}` }, run: runWrite(`reuse-${i}`, digest(20), { tag: `r${i}`, fingerprint: '21'.repeat(32) }) }));
    // The same signature discovered again for the same image.
    for (const w of writes) w.run.evidence = [w.run.evidence[0]!];
    for (const w of writes) w.run.evidence[0]!.signature = { ...writes[0]!.run.evidence[0]!.signature };
    await writeItems(db, writes);
    const images = await db.image.findMany({ where: { digest: digest(20) } });
    expect(images).toEqual([before]); // not updated: still the index media type it was stored with
    expect(await db.certificate.count({ where: { fingerprintSha256: '21'.repeat(32) } })).toBe(1);
    const runs = await db.verificationRun.findMany({ where: { id: { in: ['reuse-0', 'reuse-1', 'reuse-2'] } }, include: { results: true } });
    expect(runs).toHaveLength(3);
    expect(new Set(runs.map((r) => r.imageId))).toEqual(new Set([before.id]));
    expect(new Set(runs.flatMap((r) => r.results.map((x) => x.signatureId))).size).toBe(1);
    expect(await db.tagObservation.count({ where: { imageId: before.id } })).toBe(3);
  });

  it('stores a run whose values do not validate as an error run saying why; the rest of the batch is stored', async () => {
    const [bad, good] = await claimed(2);
    await writeItems(db, [
      { itemId: bad!.id, owner: OWNER, result: { state: 'done', outcome: 'verified', runId: 'bad-run' }, run: runWrite('bad-run', digest(30), { verdict: 'bogus', fingerprint: '31'.repeat(32) }) },
      { itemId: good!.id, owner: OWNER, result: { state: 'done', outcome: 'verified', runId: 'good-run' }, run: runWrite('good-run', digest(31), { fingerprint: '32'.repeat(32) }) },
    ]);
    const run = await db.verificationRun.findUniqueOrThrow({ where: { id: 'bad-run' }, include: { results: true } });
    expect(run.status).toBe('error');
    expect(run.errorMessage).toMatch(/could not be stored: .*unknown verdict "bogus"/);
    expect(run.results).toEqual([]);
    expect(await db.scanItem.findUniqueOrThrow({ where: { id: bad!.id } })).toMatchObject({ state: 'error', outcome: 'error', errorCode: 'DATABASE' });
    expect((await db.verificationRun.findUniqueOrThrow({ where: { id: 'good-run' } })).status).toBe('verified');
  });

  it('finishes items without runs (expansions, reused verdicts) and records a reused tag move', async () => {
    const [expansion, reused] = await claimed(2);
    const image = await db.image.create({ data: { registry: REG, repository: REPO, digest: digest(40), mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: '[]' } });
    await writeItems(db, [
      { itemId: expansion!.id, owner: OWNER, result: { state: 'done', outcome: 'empty' } },
      { itemId: reused!.id, owner: OWNER, result: { state: 'done', outcome: 'verified', reused: true, previousDigest: digest(39) }, observation: { imageId: image.id, tag: 'moved', digest: digest(40) } },
    ]);
    expect(await db.scanItem.findUniqueOrThrow({ where: { id: reused!.id } })).toMatchObject({ state: 'done', reused: true, previousDigest: digest(39) });
    expect(await db.tagObservation.findMany({ where: { imageId: image.id }, select: { tag: true, digest: true } })).toEqual([{ tag: 'moved', digest: digest(40) }]);
    expect((await db.scanItem.findUniqueOrThrow({ where: { id: expansion!.id } })).outcome).toBe('empty');
  });

  it('finishes items exactly as a Prisma update of the same result does (one SQL statement per batch)', async () => {
    const results: ItemResult[] = [
      { state: 'done', outcome: 'verified', digest: digest(50), runId: 'r-50' },
      { state: 'done', outcome: 'verified', reused: true, previousDigest: digest(49), runId: 'r-51' },
      { state: 'error', outcome: 'error', errorCode: 'REGISTRY_NOT_FOUND', errorMessage: `gone ${'x'.repeat(3000)}` },
      { state: 'done', outcome: 'empty' },
    ];
    const items = await claimed(results.length * 2);
    // Both halves held a digest and a run before: a result without them keeps them.
    await db.scanItem.updateMany({ where: { id: { in: items.map((i) => i.id) } }, data: { digest: digest(48), runId: 'earlier-run' } });
    const before = new Date(Date.now() - 1000);
    const reference = items.slice(0, results.length);
    const batched = items.slice(results.length);
    for (const [i, it] of reference.entries()) await db.scanItem.updateMany({ where: { id: it.id }, data: itemFinishData(results[i]!) });
    const { lost } = await writeItems(db, batched.map((it, i) => ({ itemId: it.id, owner: OWNER, result: results[i]! })));
    expect(lost.size).toBe(0);

    const row = async (id: string) => {
      const { id: _id, tag: _tag, createdAt: _c, startedAt: _s, finishedAt, ...rest } = await db.scanItem.findUniqueOrThrow({ where: { id } });
      return { ...rest, finished: finishedAt !== null && finishedAt >= before };
    };
    for (const [i, it] of batched.entries()) expect(await row(it.id)).toEqual(await row(reference[i]!.id));
    expect((await db.scanItem.findUniqueOrThrow({ where: { id: batched[2]!.id } })).errorMessage).toHaveLength(2000);
    // The time is stored the way Prisma stores it: comparisons and ordering in queries still work.
    const ids = batched.map((i) => i.id);
    expect(await db.scanItem.count({ where: { id: { in: ids }, finishedAt: { gte: before } } })).toBe(batched.length);
    expect(await db.scanItem.count({ where: { id: { in: ids }, finishedAt: { lt: before } } })).toBe(0);
  });
});
