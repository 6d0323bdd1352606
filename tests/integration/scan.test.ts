/**
 * Scans of a generated organization on the real local registry, signed by the local
 * Sigstore instance: expansion (catalog → repositories → tags), verdicts per image,
 * incremental rescans, moved tags, cancel and resume, and a worker that dies mid-item.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../lib/db/client';
import { createRun, finishRun } from '../../lib/db';
import { attachRun, claimItems, getScanJob, listScanItems, repositorySummaries, scanProgress, transitionScan, requeueCancelledItems } from '../../lib/db/scans';
import { createScanJob } from '../../lib/audit/scan/create';
import { runScan } from '../../lib/audit/scan/runner';
import { corpusPolicy, generateCorpus, type CorpusImage } from '../../sandbox/corpus';
import { retag, startSandboxWorld, type SandboxWorld } from '../../sandbox/world';
import { testDatabaseUrl } from '../support/database';

let world: SandboxWorld;
let db: Db;
let corpus: CorpusImage[];
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-scan-'));
  world = await startSandboxWorld({ dataDir: path.join(dir, 'sandbox') });
  corpus = await generateCorpus(world, { prefix: 'org', repos: 4, tags: 5, indexEvery: 2 });
  db = await openDb(await testDatabaseUrl(path.join(dir, 'scan.db')));
}, 120_000);
afterAll(async () => {
  await db?.$disconnect();
  await world?.stop();
});

function scanOf(targets: string[], extra: Record<string, unknown> = {}) {
  return createScanJob(db, {
    targets,
    policy: corpusPolicy(world),
    trustRoot: world.trustedRootPath,
    allowHttpRegistries: [world.registry.host],
    concurrency: 4,
    source: 'cli',
    ...extra,
  });
}

describe('scanning an organization', () => {
  let firstScan: string;

  it('expands the prefix from the catalog, verifies every tag, and agrees with how each image was signed', async () => {
    const { id } = await scanOf([`${world.registry.host}/org/*`]);
    firstScan = id;
    const progress = await runScan(db, id, { leaseMs: 10_000 });
    expect(progress.status).toBe('finished');
    expect(progress.images.total).toBe(corpus.length);
    expect(progress.images.errors).toBe(0);
    const { items } = await listScanItems(db, id, { limit: 500 });
    for (const image of corpus) {
      const item = items.find((i) => i.repository === image.repository && i.tag === image.tag);
      expect(item, `${image.repository}:${image.tag}`).toBeDefined();
      expect(item!.digest).toBe(image.digest);
      expect(item!.outcome, `${image.repository}:${image.tag} (${image.signing})`).toBe(image.expected);
      expect(item!.reused).toBe(false);
    }
    // Results are ordinary runs, linked to the scan, one per image.
    expect(await db.verificationRun.count({ where: { scanId: id } })).toBe(corpus.length);
    const summaries = await repositorySummaries(db, id);
    expect(summaries.map((s) => s.repository)).toEqual(['org/service-000', 'org/service-001', 'org/service-002', 'org/service-003']);
    expect(summaries.reduce((n, s) => n + s.verified, 0)).toBe(corpus.filter((c) => c.expected === 'verified').length);
  }, 120_000);

  it('reports the index and its platforms for a multi-arch tag', async () => {
    const { items } = await listScanItems(db, firstScan, { q: 'multi' });
    expect(items.length).toBe(2);
    const run = await db.verificationRun.findUniqueOrThrow({ where: { id: items[0]!.runId! }, include: { image: true } });
    const platforms = JSON.parse(run.image!.platforms) as Array<{ architecture: string }>;
    expect(platforms.map((p) => p.architecture).sort()).toEqual(['amd64', 'arm64']);
  });

  it('rescans incrementally: nothing re-verified, every verdict reused, a moved tag recorded and verified anew', async () => {
    const before = await db.verificationRun.count();
    const moved = corpus.find((c) => c.repository === 'org/service-001' && c.tag === 'v1.0.0')!;
    const target = corpus.find((c) => c.repository === 'org/service-001' && c.tag === 'v1.1.0')!;
    await retag(world, moved.repository, moved.tag, target.digest);

    const { id } = await scanOf([`${world.registry.host}/org/*`]);
    const progress = await runScan(db, id);
    expect(progress.status).toBe('finished');
    expect(progress.images.total).toBe(corpus.length);
    expect(progress.reused).toBe(corpus.length); // the moved tag now points at an already verified digest
    expect(progress.movedTags).toBe(1);
    expect(await db.verificationRun.count()).toBe(before);
    const { items } = await listScanItems(db, id, { repository: moved.repository, q: moved.tag });
    expect(items[0]).toMatchObject({ digest: target.digest, previousDigest: moved.digest, outcome: target.expected, reused: true });
    const observation = await db.tagObservation.findFirst({ where: { tag: moved.tag, image: { repository: moved.repository } }, orderBy: { observedAt: 'desc' } });
    expect(observation?.digest).toBe(target.digest);
    await retag(world, moved.repository, moved.tag, moved.digest);
  }, 120_000);

  it('verifies again with --full, and under another policy nothing is reused', async () => {
    const { id } = await scanOf([`${world.registry.host}/org/service-002`], { full: true });
    const p = await runScan(db, id);
    expect(p.reused).toBe(0);
    const { id: other } = await createScanJob(db, { targets: [`${world.registry.host}/org/service-002`], policy: { keys: [world.key.publicKeyPem] }, trustRoot: world.trustedRootPath, allowHttpRegistries: [world.registry.host], source: 'cli' });
    const q = await runScan(db, other);
    expect(q.reused).toBe(0);
    const keyOnly = corpus.filter((c) => c.repository === 'org/service-002');
    expect(q.outcomes.verified).toBe(keyOnly.filter((c) => c.signing === 'key').length);
  }, 120_000);

  it('filters tags by glob, semver range and most recent N', async () => {
    const { id } = await scanOf([`${world.registry.host}/org/service-000`], { tags: { semver: '>=1.2.0', latest: 2 } });
    await runScan(db, id);
    const { items } = await listScanItems(db, id, { sort: 'tag', dir: 'desc' });
    expect(items.map((i) => i.tag)).toEqual(['v1.4.0', 'v1.3.0']);
  }, 60_000);

  it('records a repository that does not exist as an error item without stopping the scan', async () => {
    const { id } = await scanOf([`${world.registry.host}/org/no-such-repo`, `${world.registry.host}/org/service-003`]);
    const p = await runScan(db, id);
    expect(p.status).toBe('finished');
    expect(p.expansions.errors).toBe(1);
    const bad = await listScanItems(db, id, { kind: 'repository', state: 'error' });
    expect(bad.items[0]?.errorMessage).toMatch(/no-such-repo/);
    expect(p.images.total).toBe(corpus.filter((c) => c.repository === 'org/service-003').length);
  }, 60_000);

  it('can be cancelled, then resumed without redoing finished items', async () => {
    const { id } = await scanOf([`${world.registry.host}/org/*`], { full: true, concurrency: 1 });
    // The cancel lands after the third image and is seen before the next claim (however fast images
    // are): images are stored as they finish, so progress counts them before many more have run.
    const progress = runScan(db, id, {
      onProgress: async (p) => {
        if (p.images.done >= 3) await transitionScan(db, id, ['running'], 'cancelling');
      },
      progressIntervalMs: 0,
      statusPollMs: 0,
      writeDelayMs: 0,
    });
    const stopped = await progress;
    expect(stopped.status).toBe('cancelled');
    expect(stopped.images.cancelled).toBeGreaterThan(0);
    const doneBefore = stopped.images.done;
    const finishedRuns = await db.verificationRun.count({ where: { scanId: id } });
    expect(finishedRuns).toBe(doneBefore);

    await requeueCancelledItems(db, id);
    await transitionScan(db, id, ['cancelled'], 'running');
    const resumed = await runScan(db, id);
    expect(resumed.status).toBe('finished');
    expect(resumed.images.done).toBe(resumed.images.total);
    // One run per image: nothing finished before the cancel was verified twice.
    expect(await db.verificationRun.count({ where: { scanId: id } })).toBe(resumed.images.total);
  }, 120_000);

  it('takes over the items of a worker that died mid-item, closing its abandoned run', async () => {
    const { id } = await scanOf([`${world.registry.host}/org/service-001`], { full: true });
    await transitionScan(db, id, ['queued'], 'running');
    // A worker claims the repository, expands nothing yet, then "dies" holding it under a 1 ms lease.
    const dead = await claimItems(db, id, 'dead-worker', 1, 1);
    expect(dead).toHaveLength(1);
    const abandoned = await createRun(db, { input: 'abandoned', source: 'cli', policy: {}, policyHash: 'x', trustRootName: 't', trustRootHash: 't', scanId: id });
    await attachRun(db, dead[0]!.id, 'dead-worker', abandoned.id);
    await new Promise((r) => setTimeout(r, 5));

    const p = await runScan(db, id, { owner: 'survivor' });
    expect(p.status).toBe('finished');
    expect(p.images.total).toBe(corpus.filter((c) => c.repository === 'org/service-001').length);
    const repoItem = (await listScanItems(db, id, { kind: 'repository' })).items[0]!;
    expect(repoItem.attempts).toBe(2);
    expect(repoItem.leaseOwner).toBe('survivor');
    const closed = await db.verificationRun.findUniqueOrThrow({ where: { id: abandoned.id } });
    expect(closed.status).toBe('error');
    expect(closed.errorCode).toBe('WORKER_LOST');
    expect((await getScanJob(db, id))?.status).toBe('finished');
  }, 60_000);

  it("adopts the finished run of a worker that died before recording its item (no second verification)", async () => {
    const image = corpus.find((c) => c.repository === 'org/service-002' && c.expected === 'verified')!;
    const { id } = await scanOf([`${world.registry.host}/${image.repository}:${image.tag}`], { full: true });
    await transitionScan(db, id, ['queued'], 'running');
    const [held] = await claimItems(db, id, 'dead-worker', 1, 1);
    const run = await createRun(db, { input: 'finished-before-death', source: 'cli', policy: {}, policyHash: 'x', trustRootName: 't', trustRootHash: 't', scanId: id });
    await attachRun(db, held!.id, 'dead-worker', run.id);
    await finishRun(db, run.id, { status: 'unsigned', summary: { text: 'recorded by the dead worker' }, results: [] });
    await new Promise((r) => setTimeout(r, 5));
    const p = await runScan(db, id, { owner: 'survivor' });
    expect(p.status).toBe('finished');
    const [item] = (await listScanItems(db, id)).items;
    expect(item).toMatchObject({ runId: run.id, outcome: 'unsigned', state: 'done' });
    expect(await db.verificationRun.count({ where: { scanId: id } })).toBe(1);
  });

  it('refuses bad input before storing anything', async () => {
    const count = await db.scanJob.count();
    await expect(scanOf(['NOT A TARGET'])).rejects.toThrow(/target 1/);
    await expect(scanOf([`${world.registry.host}/org/*`], { tags: { semver: '((bad' } })).rejects.toThrow(/semver range/);
    await expect(scanOf([])).rejects.toThrow(/targets/);
    expect(await db.scanJob.count()).toBe(count);
    expect(await scanProgress(db, 'nope')).toBeNull();
  });
});
