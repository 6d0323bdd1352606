/**
 * Faults with the real local registry behind a fault-injecting proxy
 * (sandbox/fault-proxy.ts, real sockets): connection refused, 5xx, 429 with
 * Retry-After, truncated and stalled bodies, a slow answer, and a database
 * locked by another writer. Each time: the run is recorded with a precise error,
 * what was stored earlier is untouched, and a retry succeeds once the fault clears.
 */
import path from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerification, type RunOutcome } from '@/lib/audit/run-verification';
import { getRun, listRuns, openDb, type Db } from '@/lib/db';
import { startFaultProxy, type FaultProxy } from '@/sandbox/fault-proxy';
import { EXPECTED_IDENTITY, EXPECTED_ISSUER } from '@/sandbox/world';
import { startTestWorld, type TestWorld } from '../support/world';

let t: TestWorld;
let db: Db;
let dbFile: string;
let proxy: FaultProxy;
let baseline: RunOutcome;
let baselineStored: string;
let viaProxy: string;

const TIMEOUT_MS = 1500;

async function verify(reference = viaProxy): Promise<RunOutcome> {
  return runVerification({
    reference,
    policy: { identity: EXPECTED_IDENTITY, issuer: EXPECTED_ISSUER },
    trustRoot: t.world.trustedRootPath,
    allowHttpRegistries: [proxy.host],
    source: 'cli',
    db,
  });
}

async function storedSnapshot(runId: string): Promise<string> {
  return JSON.stringify(await getRun(db, runId), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** The run is stored as an error with this code, and everything before it is as it was. */
async function expectRecordedError(outcome: RunOutcome, code: string, message: RegExp, runsBefore: number): Promise<void> {
  expect(outcome.status, outcome.summary).toBe('error');
  expect(outcome.errorCode, outcome.errorMessage).toBe(code);
  expect(outcome.errorMessage).toMatch(message);
  const stored = await getRun(db, outcome.runId!);
  expect(stored?.status).toBe('error');
  expect(stored?.errorCode).toBe(code);
  expect(stored?.errorMessage).toBe(outcome.errorMessage);
  expect(await storedSnapshot(baseline.runId!)).toBe(baselineStored);
  expect((await listRuns(db, { limit: 200 })).runs.length).toBe(runsBefore + 1);
}

async function expectRetrySucceeds(): Promise<void> {
  const again = await verify();
  expect(again.status, again.errorMessage).toBe(baseline.status);
  expect(again.digest).toBe(baseline.digest);
  expect(again.signatures.map((s) => s.verdict)).toEqual(baseline.signatures.map((s) => s.verdict));
}

const runCount = async () => (await listRuns(db, { limit: 200 })).runs.length;

beforeAll(async () => {
  process.env.SIGSCOPE_REGISTRY_TIMEOUT_MS = String(TIMEOUT_MS);
  t = await startTestWorld();
  dbFile = path.join(t.dir, 'faults.db');
  db = await openDb(`file:${dbFile}`);
  proxy = await startFaultProxy(t.world.registry.host);
  viaProxy = t.ref('keyless-ok').replace(t.world.registry.host, proxy.host);
  baseline = await verify();
  expect(baseline.status, baseline.errorMessage).not.toBe('error');
  baselineStored = await storedSnapshot(baseline.runId!);
});

afterAll(async () => {
  delete process.env.SIGSCOPE_REGISTRY_TIMEOUT_MS;
  await proxy?.stop();
  await db?.$disconnect();
  await t?.world.stop();
});

describe('registry faults during a run', () => {
  it('connection refused', async () => {
    const before = await runCount();
    await proxy.refuse();
    try {
      await expectRecordedError(await verify(), 'REGISTRY_UNREACHABLE', new RegExp(`cannot reach registry ${proxy.host} .*connection refused`), before);
    } finally {
      await proxy.accept();
    }
    await expectRetrySucceeds();
  });

  it('5xx on every attempt', async () => {
    const before = await runCount();
    proxy.inject({ kind: 'status', status: 503 });
    const outcome = await verify();
    proxy.clear();
    await expectRecordedError(outcome, 'REGISTRY_ERROR', /answered 503 for manifest demo\/keyless-ok:1\.0 — a server-side error \(registry says: UNAVAILABLE: injected 503\); retry later/, before);
    await expectRetrySucceeds();
  });

  it('a single 5xx is retried within the run', async () => {
    const seen = proxy.log.length;
    proxy.inject({ kind: 'status', status: 502, times: 1 });
    await expectRetrySucceeds();
    expect(proxy.log.slice(seen, seen + 2)).toEqual([proxy.log[seen], proxy.log[seen]]); // the same request twice
  });

  it('429 with Retry-After is honoured, then the run goes on', async () => {
    const seen = proxy.log.length;
    proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': '1' }, times: 1 });
    const started = Date.now();
    await expectRetrySucceeds();
    // Behaviour, not speed: the client waited the second the registry asked for before asking again.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(proxy.log[seen + 1]).toBe(proxy.log[seen]);
  });

  it('429 that does not stop: recorded as rate limiting, with the wait the registry asked for', async () => {
    const before = await runCount();
    proxy.inject({ kind: 'status', status: 429, headers: { 'Retry-After': '1' } });
    const outcome = await verify();
    proxy.clear();
    await expectRecordedError(outcome, 'REGISTRY_ERROR', /answered 429 .* rate limited .*it asks to wait 1 s \(Retry-After\)/, before);
    await expectRetrySucceeds();
  });

  it('truncated bodies', async () => {
    const before = await runCount();
    proxy.inject({ kind: 'truncate', path: /\/manifests\// });
    const outcome = await verify();
    proxy.clear();
    await expectRecordedError(outcome, 'REGISTRY_UNREACHABLE', /closed the connection after \d+ bytes of manifest demo\/keyless-ok:1\.0 \(of \d+ announced\) — the answer was truncated/, before);
    await expectRetrySucceeds();
  });

  it('a truncated body once is fetched again within the run', async () => {
    proxy.inject({ kind: 'truncate', path: /\/manifests\//, times: 1 });
    await expectRetrySucceeds();
  });

  it('a server that stalls mid-body', async () => {
    const before = await runCount();
    proxy.inject({ kind: 'stall', path: /\/manifests\// });
    const outcome = await verify();
    proxy.clear();
    await expectRecordedError(outcome, 'TIMEOUT', new RegExp(`registry ${proxy.host} did not answer within 1\\.5 s \\(manifest demo/keyless-ok:1\\.0, while reading the body\\)`), before);
    await expectRetrySucceeds();
  });

  it('a slow answer within the timeout is just slow', async () => {
    proxy.inject({ kind: 'delay', ms: 300, times: 3 });
    await expectRetrySucceeds();
  });

  it('an answer slower than the timeout is a timeout', async () => {
    const before = await runCount();
    proxy.inject({ kind: 'delay', ms: TIMEOUT_MS + 1000 });
    const outcome = await verify();
    proxy.clear();
    await expectRecordedError(outcome, 'TIMEOUT', /did not answer within 1\.5 s/, before);
    await expectRetrySucceeds();
  });
});

describe('database faults during a run', () => {
  let raw: Client;
  beforeAll(() => {
    raw = createClient({ url: `file:${dbFile}` });
  });
  afterAll(() => raw.close());

  it('locked by another writer beyond the busy timeout: a precise error, nothing lost, a retry works', async () => {
    const before = await runCount();
    const tx = await raw.transaction('write'); // BEGIN IMMEDIATE: holds the write lock
    let outcome: RunOutcome;
    try {
      await tx.execute("SELECT 1");
      outcome = await verify();
    } finally {
      await tx.rollback();
    }
    expect(outcome.status).toBe('error');
    expect(outcome.errorCode, outcome.errorMessage).toBe('DATABASE');
    expect(outcome.errorMessage).toMatch(/^Creating the run failed: the database is locked by another writer and stayed locked past the busy timeout .*retry once the other process has finished$/);
    // Nothing was written while locked, and nothing earlier changed.
    expect(await runCount()).toBe(before);
    expect(await storedSnapshot(baseline.runId!)).toBe(baselineStored);
    await expectRetrySucceeds();
  }, 90_000);
});
