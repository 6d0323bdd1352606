/**
 * The team path: one scan queued in PostgreSQL (pg-boss), processed by two `sigscope worker`
 * processes; one is killed (SIGKILL) in the middle. Every item must still be finished
 * exactly once: one finished verification per image, the dead worker's held items taken
 * over after their lease, its abandoned runs closed as such.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { corpusPolicy, generateCorpus, CORPUS_ORG_REPO, CORPUS_WORKFLOW, type CorpusImage } from '../../sandbox/corpus';
import { GITHUB_ACTIONS_ISSUER, githubWorkflowIdentity } from '../../sandbox/cosign-sign';
import { startSandboxWorld, type SandboxWorld } from '../../sandbox/world';
import { testPostgresUrl } from '../support/database';
import { createDatabase, queryPostgres } from '../support/postgres';

const BIN = path.resolve('bin/sigscope');
let world: SandboxWorld;
let corpus: CorpusImage[];
let url: string;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-pg-workers-'));
  world = await startSandboxWorld({ dataDir: path.join(dir, 'sandbox') });
  corpus = await generateCorpus(world, { prefix: 'fleet', repos: 6, tags: 10 });
  url = await createDatabase(testPostgresUrl(), `scan_workers_${process.pid}`);
}, 180_000);
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await world?.stop();
});

const env = () => ({ ...process.env, NODE_OPTIONS: '', DATABASE_URL: url });

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: env(), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

function startWorker(): ChildProcess {
  // Short lease and pg-boss expiry so the takeover happens within the test.
  const w = spawn(BIN, ['worker', '--concurrency', '4', '--lease-seconds', '4', '--expire-seconds', '6'], { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
  workers.push(w);
  return w;
}

async function imageCounts(scanId: string): Promise<{ done: number; total: number }> {
  const rows = await queryPostgres<{ state: string; n: string }>(url, `SELECT state, count(*) AS n FROM "ScanItem" WHERE "scanId" = $1 AND kind = 'image' GROUP BY state`, [scanId]);
  const total = rows.reduce((t, r) => t + Number(r.n), 0);
  const done = rows.filter((r) => r.state === 'done' || r.state === 'error').reduce((t, r) => t + Number(r.n), 0);
  return { done, total };
}

it('two workers share a scan; killing one mid-scan loses nothing and does nothing twice', async () => {
  expect(corpusPolicy(world).keys).toHaveLength(1);
  const queued = await cli([
    'scan', `${world.registry.host}/fleet/*`, '--detach', '--output', 'json', '--full',
    '--certificate-identity', githubWorkflowIdentity(CORPUS_ORG_REPO, CORPUS_WORKFLOW), '--certificate-oidc-issuer', GITHUB_ACTIONS_ISSUER,
    '--key', world.key.publicKeyPath, '--trusted-root', world.trustedRootPath, '--allow-http-registry', world.registry.host,
  ]);
  expect(queued.stderr).toBe('');
  expect(queued.code).toBe(0);
  const { scanId } = JSON.parse(queued.stdout) as { scanId: string };

  const doomed = startWorker();
  const survivor = startWorker();
  // Kill one worker once a fifth of the images are done and it has finished some of them (the
  // two share the scan), at a moment it holds items: it is frozen (SIGSTOP) while we look, so
  // what it holds cannot change before the SIGKILL. (A worker between two pg-boss fetches holds
  // nothing; then it is let go and we look again.) Its lease owner is host:pid:random.
  const doomedItems = async (state: 'running' | 'done') =>
    Number((await queryPostgres<{ n: string }>(url, `SELECT count(*) AS n FROM "ScanItem" WHERE "scanId" = $1 AND kind = 'image' AND state = $2 AND "leaseOwner" LIKE $3`, [scanId, state, `%:${doomed.pid}:%`]))[0]!.n);
  const doomedHolds = () => doomedItems('running');
  for (let i = 0; ; i++) {
    const c = await imageCounts(scanId);
    if (c.total === corpus.length && c.done >= corpus.length / 5 && (await doomedItems('done')) > 0) {
      doomed.kill('SIGSTOP');
      if ((await doomedHolds()) > 0) break;
      doomed.kill('SIGCONT');
    }
    if (i > 3000) throw new Error(`the worker to kill never held an item: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const held = await doomedHolds();
  doomed.kill('SIGKILL');
  expect(held).toBeGreaterThan(0);

  for (let i = 0; ; i++) {
    const [job] = await queryPostgres<{ status: string }>(url, 'SELECT status FROM "ScanJob" WHERE id = $1', [scanId]);
    if (job!.status === 'finished') break;
    if (i > 1200) throw new Error(`scan did not finish: ${JSON.stringify(await imageCounts(scanId))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(survivor.exitCode).toBeNull();

  const items = await queryPostgres<{ repository: string; tag: string; state: string; outcome: string; runId: string; attempts: number; leaseOwner: string; errorMessage: string | null }>(
    url,
    `SELECT repository, tag, state, outcome, "runId", attempts, "leaseOwner", "errorMessage" FROM "ScanItem" WHERE "scanId" = $1 AND kind = 'image'`,
    [scanId],
  );
  expect(items).toHaveLength(corpus.length);
  for (const c of corpus) {
    const item = items.find((i) => i.repository === c.repository && i.tag === c.tag)!;
    expect(item.state, `${c.repository}:${c.tag}: ${item.errorMessage}`).toBe('done');
    expect(item.outcome, `${c.repository}:${c.tag}`).toBe(c.expected);
  }
  // Exactly one finished verification per image; anything else is a run the dead worker abandoned.
  const runs = await queryPostgres<{ status: string; errorCode: string | null; n: string }>(url, `SELECT status, "errorCode", count(*) AS n FROM "VerificationRun" WHERE "scanId" = $1 GROUP BY status, "errorCode"`, [scanId]);
  const finished = runs.filter((r) => r.errorCode !== 'WORKER_LOST').reduce((t, r) => t + Number(r.n), 0);
  expect(finished).toBe(corpus.length);
  expect(runs.filter((r) => r.status === 'running')).toEqual([]);
  const linked = new Set(items.map((i) => i.runId));
  expect(linked.size).toBe(corpus.length);
  // The killed worker's in-flight items were retried by the survivor.
  expect(items.some((i) => i.attempts > 1)).toBe(true);
  expect(new Set(items.map((i) => i.leaseOwner)).size).toBe(2);
}, 300_000);
