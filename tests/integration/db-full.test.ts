/**
 * A database that is full during a run: the SQLite file lives on a tiny tmpfs (mounted in a
 * private mount namespace with `unshare -m`, so nothing outside the test sees it) filled to the
 * brim. `bin/sigscope verify` must fail with a clear "full" error, the runs stored before must
 * be untouched and the file intact, and the same command must succeed once space is freed.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDb } from '../../lib/db/client';
import { EXPECTED_IDENTITY, EXPECTED_ISSUER } from '../../sandbox/world';
import { startTestWorld, type TestWorld } from '../support/world';

const BIN = path.resolve('bin/sigscope');
let t: TestWorld;
let dir: string;

beforeAll(async () => {
  t = await startTestWorld();
  dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-db-full-'));
}, 180_000);
afterAll(async () => {
  await t?.world.stop();
});

function sh(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('unshare', ['-m', 'sh', '-c', script], { env: { ...process.env, NODE_OPTIONS: '', ...env }, maxBuffer: 8 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

it('a full disk fails the run with a clear error, keeps every earlier run, and a retry succeeds once space is freed', async () => {
  const seeded = path.join(dir, 'seeded.db');
  const verify = `"${BIN}" verify ${t.ref('keyless-ok')} --trusted-root "${t.world.trustedRootPath}" --allow-http-registry ${t.world.registry.host} --certificate-identity ${EXPECTED_IDENTITY} --certificate-oidc-issuer ${EXPECTED_ISSUER} --output json`;
  // One stored run before the fault, written normally.
  const first = await sh(`DATABASE_URL=file:${seeded} ${verify}`, {});
  expect(first.code, first.stderr).toBe(0);
  const db = await openDb(`file:${seeded}`);
  const before = await db.verificationRun.findMany({ include: { results: true }, orderBy: { id: 'asc' } });
  await db.$queryRawUnsafe('PRAGMA wal_checkpoint(TRUNCATE)'); // everything into the main file before copying it
  await db.$disconnect();
  expect(before).toHaveLength(1);
  const walFree = path.join(dir, 'seed-copy.db');
  copyFileSync(seeded, walFree);

  const mnt = path.join(dir, 'mnt');
  const out = path.join(dir, 'out');
  const size = Math.ceil(statSync(walFree).size / 1024) + 512;
  const script = [
    'set -e',
    `mkdir -p ${mnt} ${out}`,
    `mount -t tmpfs -o size=${size}k tmpfs ${mnt}`,
    `cp ${walFree} ${mnt}/s.db`,
    // Fill every byte left (dd stops with "No space left on device"), then give back a little:
    // enough to open the database, not enough to store a run.
    `dd if=/dev/zero of=${mnt}/filler bs=4k 2>/dev/null || true`,
    `truncate -s -\${FREE_KB}K ${mnt}/filler`,
    'set +e',
    `DATABASE_URL=file:${mnt}/s.db ${verify} > ${out}/full.out 2> ${out}/full.err; echo $? > ${out}/full.code`,
    `cp ${mnt}/s.db ${out}/after-full.db; [ -f ${mnt}/s.db-wal ] && cp ${mnt}/s.db-wal ${out}/after-full.db-wal`,
    `rm -f ${mnt}/filler`,
    `DATABASE_URL=file:${mnt}/s.db ${verify} > ${out}/retry.out 2> ${out}/retry.err; echo $? > ${out}/retry.code`,
    `cp ${mnt}/s.db ${out}/after-retry.db; [ -f ${mnt}/s.db-wal ] && cp ${mnt}/s.db-wal ${out}/after-retry.db-wal`,
    'exit 0',
  ].join('\n');
  const r = await sh(script, { FREE_KB: process.env.DB_FULL_FREE_KB ?? '48' });
  expect(r.code, r.stderr).toBe(0);
  const read = (f: string) => (existsSync(path.join(out, f)) ? readFileSync(path.join(out, f), 'utf8') : '');

  // Full: not exit 0, and a message that says the disk or database is full.
  expect(read('full.code').trim()).not.toBe('0');
  expect(`${read('full.err')}${read('full.out')}`).toMatch(/SQLITE_FULL: database or disk is full|no space left on device/i);
  expect(read('full.err')).not.toMatch(/invocation/);

  // Nothing stored before the fault was lost or altered; the file is intact.
  const afterFull = await openDb(`file:${path.join(out, 'after-full.db')}`);
  expect(await afterFull.$queryRawUnsafe<Array<{ integrity_check: string }>>('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  const kept = await afterFull.verificationRun.findMany({ where: { id: { in: before.map((b) => b.id) } }, include: { results: true }, orderBy: { id: 'asc' } });
  expect(JSON.stringify(kept, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toBe(JSON.stringify(before, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  await afterFull.$disconnect();

  // Space freed: the same command succeeds and is stored next to the first run.
  expect(read('retry.code').trim(), read('retry.err')).toBe('0');
  const afterRetry = await openDb(`file:${path.join(out, 'after-retry.db')}`);
  const runs = await afterRetry.verificationRun.findMany({ where: { status: 'verified' } });
  expect(runs.length).toBeGreaterThanOrEqual(2);
  await afterRetry.$disconnect();
  writeFileSync(path.join(dir, 'done'), 'ok');
}, 180_000);
