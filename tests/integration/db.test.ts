// Storage: offline migrations (WASM schema engine) on fresh SQLite files, and the
// append-only history kept by lib/db/runs.ts (on SQLite, and on PostgreSQL in the
// PostgreSQL pass; PostgreSQL migrations: tests/postgres/). Needs `npm run db:generate` first.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testDatabaseUrl, usingPostgres } from '../support/database';
import { SigscopeError } from '../../lib/errors';
import { closeDb, getDb, openDb, type Db } from '../../lib/db/client';
import { migrateDatabase } from '../../lib/db/migrate';
import { defaultMigrationsDir } from '../../lib/db/paths';
import {
  createRun,
  finishRun,
  getImage,
  getRun,
  listImages,
  listRuns,
  recordTagObservation,
  upsertCertificate,
  upsertImage,
  upsertSignature,
  type CreateRunInput,
} from '../../lib/db/runs';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigscope-db-test-'));
const committed = readdirSync(defaultMigrationsDir()).filter((n) => /^\d{14}_/.test(n)).sort();

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function fileUrl(name: string): string {
  return `file:${path.join(tmp, name)}`;
}

async function sql<T = Record<string, unknown>>(url: string, query: string): Promise<T[]> {
  const c = createClient({ url });
  try {
    return (await c.execute(query)).rows as unknown as T[];
  } finally {
    c.close();
  }
}

const DIGEST_A = `sha256:${'a'.repeat(64)}`;
const DIGEST_B = `sha256:${'b'.repeat(64)}`;
const FP = 'ab'.repeat(32);

const runInput: CreateRunInput = {
  input: 'registry.example/team/app:1.0',
  source: 'cli',
  policy: { identity: 'https://github.com/team/app/.github/workflows/release.yml@refs/heads/main', issuer: 'https://token.actions.githubusercontent.com' },
  policyHash: 'sha256:policy',
  trustRootName: 'public-good',
  trustRootHash: 'sha256:root',
};

const checks = [
  { name: 'certificate-chain', passed: true, detail: 'chains to Fulcio' },
  { name: 'tlog', passed: true, detail: 'Rekor entry 42' },
];

// SQLite migrations (the PostgreSQL ones: tests/postgres/migrate.test.ts).
describe.skipIf(usingPostgres())('migrateDatabase', () => {
  it('has a committed init migration', () => {
    expect(committed.length).toBeGreaterThanOrEqual(1);
    expect(committed[0]).toMatch(/^\d{14}_init$/);
    expect(readFileSync(path.join(defaultMigrationsDir(), 'migration_lock.toml'), 'utf8')).toContain('provider = "sqlite"');
  });

  it('migrates a fresh database, keeps _prisma_migrations, and is idempotent', async () => {
    const url = fileUrl('nested/dir/fresh.db');
    const first = await migrateDatabase(url);
    expect(first.applied).toEqual(committed);
    console.info(`fresh migration of ${committed.length} migration(s): ${first.durationMs} ms`);

    const second = await migrateDatabase(url);
    expect(second.applied).toEqual([]);

    const rows = await sql<{ migration_name: string; checksum: string; finished_at: string | null; rolled_back_at: string | null }>(
      url,
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(committed);
    for (const r of rows) {
      expect(r.finished_at).not.toBeNull();
      expect(r.rolled_back_at).toBeNull();
      const file = readFileSync(path.join(defaultMigrationsDir(), r.migration_name, 'migration.sql'));
      expect(r.checksum).toBe(createHash('sha256').update(file).digest('hex'));
    }
    const tables = (await sql<{ name: string }>(url, "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['Image', 'TagObservation', 'Certificate', 'Signature', 'VerificationRun', 'SignatureResult']));
    expect(existsSync(`${path.join(tmp, 'nested/dir/fresh.db')}.migrate-lock`)).toBe(false);
  });

  it('serializes concurrent migrations of one file', async () => {
    const url = fileUrl('concurrent.db');
    const results = await Promise.all([migrateDatabase(url), migrateDatabase(url), migrateDatabase(url)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(committed);
  });

  it('fails loudly on a broken migration, and keeps refusing afterwards', async () => {
    const dir = path.join(tmp, 'broken-migrations');
    cpSync(defaultMigrationsDir(), dir, { recursive: true });
    mkdirSync(path.join(dir, '29990101000000_broken'));
    writeFileSync(path.join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE "Ok" ("id" TEXT);\nCREATE TABLLE oops (;\n');
    const url = fileUrl('broken.db');

    const error = await migrateDatabase(url, { migrationsDir: dir }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SigscopeError);
    expect((error as SigscopeError).code).toBe('DATABASE');
    expect((error as Error).message).toContain('29990101000000_broken');
    expect((error as Error).message).toMatch(/syntax error/);

    const rows = await sql<{ migration_name: string; finished_at: string | null; logs: string | null }>(
      url,
      'SELECT migration_name, finished_at, logs FROM _prisma_migrations ORDER BY migration_name',
    );
    const broken = rows.find((r) => r.migration_name === '29990101000000_broken');
    expect(broken?.finished_at).toBeNull();
    expect(broken?.logs).toMatch(/syntax error/);

    await expect(migrateDatabase(url, { migrationsDir: dir })).rejects.toThrow(/failed migrations/);
    // The good migrations alone are no longer enough either: the failure must be resolved by a person.
    await expect(migrateDatabase(url)).rejects.toThrow(/failed migrations/);
  });

  it('warns (without blocking) when an applied migration was edited', async () => {
    const dir = path.join(tmp, 'edited-migrations');
    cpSync(defaultMigrationsDir(), dir, { recursive: true });
    const url = fileUrl('edited.db');
    await migrateDatabase(url, { migrationsDir: dir });
    const file = path.join(dir, committed[0]!, 'migration.sql');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n-- edited\n`);
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      expect((await migrateDatabase(url, { migrationsDir: dir })).applied).toEqual([]);
    } finally {
      spy.mockRestore();
    }
    expect(writes.join('')).toContain(`changed after being applied: ${committed[0]}`);
  });

  it('refuses an empty or missing migrations folder and unsupported URLs', async () => {
    await expect(migrateDatabase(fileUrl('none.db'), { migrationsDir: path.join(tmp, 'does-not-exist') })).rejects.toThrow(/No migrations found/);
    await expect(migrateDatabase('postgresql://u@127.0.0.1:1/db')).rejects.toThrow(/Cannot connect to postgresql:\/\/u@127\.0\.0\.1:1\/db/);
    await expect(migrateDatabase('mysql://x')).rejects.toThrow(/not supported/);
  });
});

describe('getDb', () => {
  const saved = process.env.DATABASE_URL;
  afterAll(async () => {
    await closeDb();
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  });

  it('returns one migrated client per DATABASE_URL', async () => {
    process.env.DATABASE_URL = await testDatabaseUrl(path.join(tmp, 'getdb', 'app.db'));
    const [a, b] = await Promise.all([getDb(), getDb()]);
    expect(a).toBe(b);
    expect(await getDb()).toBe(a);
    expect(await a.verificationRun.count()).toBe(0);
    if (usingPostgres()) return;
    const mode = await a.$queryRawUnsafe<Array<{ journal_mode: string }>>('PRAGMA journal_mode');
    expect(mode[0]?.journal_mode).toBe('wal');
  });

  it('reports an unreachable PostgreSQL server clearly', async () => {
    process.env.DATABASE_URL = 'postgres://u:secret@127.0.0.1:1/db';
    const error = await getDb().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SigscopeError);
    expect((error as Error).message).toMatch(/Cannot connect to postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: .*ECONNREFUSED/);
    expect((error as Error).message).not.toContain('secret');
  });
});

describe('runs', () => {
  let db: Db;
  let url: string;

  beforeAll(async () => {
    url = await testDatabaseUrl(path.join(tmp, 'runs.db'));
    db = await openDb(url);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it('upserts are idempotent and never mutate stored rows', async () => {
    const platforms = [{ os: 'linux', architecture: 'amd64', digest: DIGEST_B }];
    const img = await upsertImage(db, { registry: 'registry.example', repository: 'team/app', digest: DIGEST_A, mediaType: 'application/vnd.oci.image.index.v1+json', platforms });
    const again = await upsertImage(db, { registry: 'registry.example', repository: 'team/app', digest: DIGEST_A, mediaType: 'changed', platforms: [] });
    expect(again.id).toBe(img.id);
    expect(again.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(again.platforms).toEqual(platforms);
    expect(again.firstSeenAt).toEqual(img.firstSeenAt);

    // Same digest in another repository is another image.
    const other = await upsertImage(db, { registry: 'registry.example', repository: 'team/other', digest: DIGEST_A, mediaType: 'm', platforms: [] });
    expect(other.id).not.toBe(img.id);

    const decoded = {
      fingerprintSha256: FP,
      pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      subject: '',
      issuer: 'O=sigstore.dev, CN=sigstore-intermediate',
      identity: 'https://github.com/team/app/.github/workflows/release.yml@refs/heads/main',
      oidcIssuer: 'https://token.actions.githubusercontent.com',
      notBefore: '2024-05-01T10:00:00.000Z',
      notAfter: '2024-05-01T10:10:00.000Z',
      serialNumber: '01ab',
      sctCount: 1,
      fulcio: { sourceRepositoryUri: 'https://github.com/team/app' },
    };
    const cert = await upsertCertificate(db, decoded);
    expect(cert.extensions).toEqual({ serialNumber: '01ab', sctCount: 1, fulcio: { sourceRepositoryUri: 'https://github.com/team/app' } });
    expect(cert.notBefore.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    const colonUpper = FP.toUpperCase().match(/../g)!.join(':');
    const certAgain = await upsertCertificate(db, { ...decoded, fingerprintSha256: colonUpper, pem: 'other', identity: 'someone-else' });
    expect(certAgain.id).toBe(cert.id);
    expect(certAgain.pem).toBe(decoded.pem);
    expect(certAgain.identity).toBe(decoded.identity);

    const sigInput = {
      imageId: img.id,
      kind: 'cosign-sig' as const,
      source: `sha256-${'a'.repeat(64)}.sig@sha256:${'c'.repeat(64)}`,
      layerDigest: `sha256:${'c'.repeat(64)}`,
      payloadDigest: `sha256:${'d'.repeat(64)}`,
      materialDigest: `sha256:${'e'.repeat(64)}`,
      signatureB64: 'MEUCIQ==',
      certificateId: cert.id,
      identity: decoded.identity,
      oidcIssuer: decoded.oidcIssuer,
      rekorLogIndex: 123456789012, // > 2^32
      rekorLogId: 'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d',
      rekorIntegratedTime: 1714557600,
    };
    const sig = await upsertSignature(db, sigInput);
    expect(sig.rekorLogIndex).toBe(123456789012n);
    expect(sig.rekorIntegratedTime?.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => upsertSignature(db, { ...sigInput, signatureB64: 'changed' })));
    expect(new Set(concurrent.map((s) => s.id))).toEqual(new Set([sig.id]));
    expect(await db.signature.count({ where: { imageId: img.id } })).toBe(1);
    expect((await db.signature.findUniqueOrThrow({ where: { id: sig.id } })).signatureB64).toBe('MEUCIQ==');
    // Another signer of the same payload (same layer, other material) is another row, not a reuse.
    const shared = await upsertImage(db, { registry: 'registry.example', repository: 'team/two-signers', digest: DIGEST_A, mediaType: 'x', platforms: [] });
    const first = await upsertSignature(db, { ...sigInput, imageId: shared.id });
    const otherSigner = await upsertSignature(db, { ...sigInput, imageId: shared.id, materialDigest: `sha256:${'f'.repeat(64)}`, identity: 'mallory', signatureB64: 'MEQCIA==' });
    expect(otherSigner.id).not.toBe(first.id);
    expect(otherSigner.identity).toBe('mallory');
    expect((await db.signature.findUniqueOrThrow({ where: { id: first.id } })).identity).toBe(decoded.identity);

    // Tag observations are one row each.
    await recordTagObservation(db, img.id, '1.0', DIGEST_A, new Date('2024-05-01T10:00:00Z'));
    await recordTagObservation(db, img.id, '1.0', DIGEST_A, new Date('2024-05-02T10:00:00Z'));
    expect(await db.tagObservation.count({ where: { imageId: img.id } })).toBe(2);
  });

  it('keeps every run: a later run for the same image never overwrites an earlier one', async () => {
    const img = await upsertImage(db, { registry: 'registry.example', repository: 'team/app', digest: DIGEST_A, mediaType: 'x', platforms: [] });
    const sig = await upsertSignature(db, {
      imageId: img.id,
      kind: 'cosign-sig',
      source: 's',
      layerDigest: `sha256:${'c'.repeat(64)}`,
      payloadDigest: `sha256:${'d'.repeat(64)}`,
      materialDigest: `sha256:${'e'.repeat(64)}`,
      signatureB64: 'x',
    });

    const run1 = await createRun(db, { ...runInput, imageId: img.id, tag: '1.0' });
    expect(run1.status).toBe('running');
    expect(run1.finishedAt).toBeNull();
    await finishRun(db, run1.id, {
      status: 'verified',
      summary: { text: '1 of 1 signature verified', verified: 1 },
      results: [{ signatureId: sig.id, verdict: 'verified', checks, identity: 'alice', oidcIssuer: 'https://issuer', platform: null }],
    });
    const run1Before = await getRun(db, run1.id);

    const run2 = await createRun(db, { ...runInput, source: 'web' });
    const finished2 = await finishRun(db, run2.id, {
      status: 'failed',
      imageId: img.id,
      tag: '1.0',
      summary: { text: '0 of 2 verified' },
      results: [
        { signatureId: sig.id, verdict: 'failed', reasonCode: 'IDENTITY_MISMATCH', reason: 'signed by bob', checks: [{ name: 'identity', passed: false, detail: 'bob' }] },
        { signatureId: null, verdict: 'signed-unchecked', checks: [], platform: 'linux/arm64/v8' },
      ],
    });
    expect(finished2.imageId).toBe(img.id);
    expect(finished2.finishedAt).toBeInstanceOf(Date);

    // Run 1 is untouched by run 2.
    expect(await getRun(db, run1.id)).toEqual(run1Before);
    expect(run1Before?.status).toBe('verified');
    expect(run1Before?.summary).toEqual({ text: '1 of 1 signature verified', verified: 1 });
    expect(run1Before?.policy).toEqual(runInput.policy);
    expect(run1Before?.results).toHaveLength(1);
    expect(run1Before?.results[0]?.checks).toEqual(checks);
    expect(run1Before?.results[0]?.signature?.id).toBe(sig.id);

    const detail2 = await getRun(db, run2.id);
    expect(detail2?.results.map((r) => r.verdict)).toEqual(['failed', 'signed-unchecked']);
    expect(detail2?.results[1]?.platform).toBe('linux/arm64/v8');
    expect(detail2?.image?.id).toBe(img.id);

    // Finishing twice is refused, and changes nothing.
    await expect(finishRun(db, run1.id, { status: 'failed', summary: {}, results: [] })).rejects.toThrow(/append-only/);
    expect(await getRun(db, run1.id)).toEqual(run1Before);

    const image = await getImage(db, img.id);
    expect(image?.runs.map((r) => r.id)).toEqual([run2.id, run1.id]);
    expect(image?.runs.map((r) => r.resultCount)).toEqual([2, 1]);
    expect(image?.signatures.map((s) => s.id)).toEqual([sig.id]);
    expect(image?.tagObservations.map((t) => t.observedAt.toISOString())).toEqual(['2024-05-02T10:00:00.000Z', '2024-05-01T10:00:00.000Z']);
  });

  it('stores a failed run with its error, earlier runs intact', async () => {
    const before = await listRuns(db, { limit: 200 });
    const details = await Promise.all(before.runs.map((r) => getRun(db, r.id)));

    const run = await createRun(db, { ...runInput, input: 'nope.invalid/app:latest' });
    const failed = await finishRun(db, run.id, {
      status: 'error',
      errorCode: 'REGISTRY_UNREACHABLE',
      errorMessage: 'Could not reach nope.invalid: getaddrinfo ENOTFOUND',
      summary: { text: 'registry unreachable' },
      results: [],
    });
    expect(failed).toMatchObject({ status: 'error', errorCode: 'REGISTRY_UNREACHABLE', imageId: null, input: 'nope.invalid/app:latest' });

    const after = await listRuns(db, { limit: 200 });
    expect(after.runs[0]?.id).toBe(run.id);
    expect(after.runs[0]?.image).toBeNull();
    expect(after.runs.slice(1).map((r) => r.id)).toEqual(before.runs.map((r) => r.id));
    expect(await Promise.all(before.runs.map((r) => getRun(db, r.id)))).toEqual(details);
  });

  it('writes a run and its results in one transaction', async () => {
    const run = await createRun(db, runInput);
    await expect(
      finishRun(db, run.id, {
        status: 'verified',
        summary: {},
        results: [
          { verdict: 'verified', checks },
          { signatureId: 'no-such-signature', verdict: 'verified', checks },
        ],
      }),
    ).rejects.toBeInstanceOf(SigscopeError);
    const stored = await getRun(db, run.id);
    expect(stored?.status).toBe('running');
    expect(stored?.finishedAt).toBeNull();
    expect(stored?.results).toEqual([]);
  });

  it('lets another process (the CLI beside the web app) write runs to the same file at the same time', async () => {
    // A second process, as in real use: libSQL waits for locks synchronously, so two
    // clients of one file inside one process would block each other's event loop.
    const root = path.resolve(__dirname, '..', '..');
    const childCode = `
      // tsx compiles these (non-"type: module") files to CommonJS: named exports sit on default.
      const load = async (f) => { const m = await import(f); return m.default ?? m; };
      const { openDb } = await load(${JSON.stringify(path.join(root, 'lib/db/client.ts'))});
      const { createRun, finishRun } = await load(${JSON.stringify(path.join(root, 'lib/db/runs.ts'))});
      const db = await openDb(process.env.SIGSCOPE_TEST_URL);
      const run = JSON.parse(process.env.SIGSCOPE_TEST_RUN);
      for (let i = 0; i < 40; i++) {
        const r = await createRun(db, { ...run, input: 'child-' + i });
        await finishRun(db, r.id, { status: 'unsigned', summary: { i }, results: [{ verdict: 'failed', checks: [] }] });
      }
      await db.$disconnect();`;
    const child = spawn(
      process.execPath,
      ['--conditions=react-server', '--import', path.join(root, 'node_modules/tsx/dist/loader.mjs'), '--input-type=module', '-e', childCode],
      { cwd: root, env: { ...process.env, SIGSCOPE_TEST_URL: url, SIGSCOPE_TEST_RUN: JSON.stringify(runInput) }, stdio: ['ignore', 'inherit', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let done = false;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => ((done = true), resolve(code))));
    // Keep writing until the child has finished, so that the two really overlap.
    let parentRuns = 0;
    while (!done || parentRuns < 15) {
      const r = await createRun(db, { ...runInput, input: `parent-${parentRuns}` });
      await finishRun(db, r.id, { status: 'unsigned', summary: { i: parentRuns }, results: [{ verdict: 'failed', checks }] });
      parentRuns++;
      await new Promise((resolve) => setTimeout(resolve, 2)); // like a real second writer, not a tight loop
    }
    expect(await exited, stderr).toBe(0);
    expect(await db.verificationRun.count({ where: { input: { startsWith: 'child-' }, status: 'unsigned' } })).toBe(40);
    expect(await db.verificationRun.count({ where: { input: { startsWith: 'parent-' }, status: 'unsigned' } })).toBe(parentRuns);
  });

  it.runIf(existsSync('/proc/self/fd'))('does not leak a connection per transaction', async () => {
    const openFiles = () => readdirSync('/proc/self/fd').length;
    const run0 = await createRun(db, runInput);
    await finishRun(db, run0.id, { status: 'unsigned', summary: {}, results: [] });
    const before = openFiles();
    for (let i = 0; i < 30; i++) {
      const run = await createRun(db, { ...runInput, input: `fd-${i}` });
      await finishRun(db, run.id, { status: 'unsigned', summary: {}, results: [{ verdict: 'failed', checks }] });
    }
    expect(openFiles() - before).toBeLessThan(5);
  });

  it('paginates runs newest first', async () => {
    // Page through everything twice, with small and large pages: same runs, same order, none lost.
    const collect = async (limit: number) => {
      const out: Array<{ id: string; createdAt: Date }> = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<typeof listRuns>> = await listRuns(db, { limit, cursor });
        out.push(...page.runs);
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    };
    const big = await collect(200);
    const small = await collect(2);
    expect(big.length).toBe(await db.verificationRun.count());
    expect(small.map((r) => r.id)).toEqual(big.map((r) => r.id));
    const times = big.map((r) => r.createdAt.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('lists images with their latest run', async () => {
    const images = await listImages(db);
    const app = images.find((i) => i.repository === 'team/app');
    expect(app?.runCount).toBe(2); // runs without an image (errors, concurrency) do not count
    expect(app?.latestRun?.status).toBe('failed');
    expect(app?.latestTag?.tag).toBe('1.0');
    expect(app?.signatureCount).toBe(1);
    expect(images.map((i) => i.repository)).toEqual(['team/app', 'team/other', 'team/two-signers']);
  });

  it('reports a corrupt JSON column clearly instead of crashing', async () => {
    const run = await createRun(db, runInput);
    await db.$executeRaw`UPDATE "VerificationRun" SET "summary" = ${'{not json'} WHERE "id" = ${run.id}`;
    const error = await getRun(db, run.id).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SigscopeError);
    expect((error as SigscopeError).code).toBe('DATABASE');
    expect((error as Error).message).toContain(`VerificationRun ${run.id} column "summary" is not valid JSON`);

    await db.$executeRaw`UPDATE "VerificationRun" SET "summary" = ${'[1,2]'} WHERE "id" = ${run.id}`;
    await expect(getRun(db, run.id)).rejects.toThrow(/column "summary" does not have the expected shape/);
  });

  it('rejects invalid input before writing', async () => {
    await expect(createRun(db, { ...runInput, source: 'nope' as never })).rejects.toThrow(/unknown source/);
    const run = await createRun(db, runInput);
    await expect(finishRun(db, run.id, { status: 'running' as never, summary: {}, results: [] })).rejects.toThrow(/unknown status/);
    await expect(
      finishRun(db, run.id, { status: 'verified', summary: {}, results: [{ verdict: 'verified', checks: [{ name: 'x' }] as never }] }),
    ).rejects.toThrow(/Cannot store result 0 checks/);
    await expect(upsertCertificate(db, { fingerprintSha256: 'zz', pem: 'p', subject: '', issuer: '', notBefore: new Date(), notAfter: new Date() })).rejects.toThrow(/SHA-256/);
    expect((await getRun(db, run.id))?.status).toBe('running');
  });
});
