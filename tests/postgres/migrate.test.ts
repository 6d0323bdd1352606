// PostgreSQL (team path): the committed migrations on a real server (the PostgreSQL pass of
// scripts/test.sh starts one, see tests/support/postgres-global-setup.ts). Fresh database,
// no-op second run, concurrent first opens, a failed migration, migrations == schema, and
// the raw-SQL dialect on data a SQLite-only query would trip on.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SigscopeError } from '../../lib/errors';
import { closeDb, getDb, openDb } from '../../lib/db/client';
import { providerOf } from '../../lib/db/dialect';
import { listIdentities } from '../../lib/db/identities';
import { migrateDatabase } from '../../lib/db/migrate';
import { defaultPostgresMigrationsDir, postgresSnapshotPath, schemaPath } from '../../lib/db/paths';
import { postgresSchemaText } from '../../lib/db/pg-schema';
import { NO_FILTERS, openPostgresDiffEngine } from '../../lib/db/schema-engine';
import { testPostgresUrl } from '../support/database';
import { HistoryWriter, workflow } from '../support/history';
import { createDatabase, queryPostgres } from '../support/postgres';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigscope-pg-migrate-'));
const committed = readdirSync(defaultPostgresMigrationsDir()).filter((n) => /^\d{14}_/.test(n)).sort();
let n = 0;
const freshDb = (label: string) => createDatabase(testPostgresUrl(), `m_${label}_${process.pid}_${++n}`);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const MODELS = [...readFileSync(schemaPath(), 'utf8').matchAll(/^model (\w+) \{/gm)].map((m) => m[1]!);

async function tables(url: string): Promise<string[]> {
  const rows = await queryPostgres<{ name: string }>(url, "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
  return rows.map((r) => r.name);
}

/** Columns, indexes and constraints of the public schema, as comparable text. */
async function shape(url: string): Promise<string[]> {
  const columns = await queryPostgres<{ t: string }>(
    url,
    `SELECT table_name || '.' || column_name || ' ' || data_type || COALESCE('(' || datetime_precision || ')', '') ||
            ' null=' || is_nullable || ' default=' || COALESCE(column_default, '-') AS t
     FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
  );
  const indexes = await queryPostgres<{ t: string }>(url, "SELECT indexdef AS t FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'");
  const constraints = await queryPostgres<{ t: string }>(
    url,
    `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS t
     FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations'`,
  );
  return [...columns, ...indexes, ...constraints].map((r) => r.t).sort();
}

describe('PostgreSQL migrations', () => {
  it('has a committed baseline for the whole schema, for provider postgresql', () => {
    expect(committed[0]).toMatch(/^\d{14}_baseline$/);
    expect(readFileSync(path.join(defaultPostgresMigrationsDir(), 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
    const baseline = readFileSync(path.join(defaultPostgresMigrationsDir(), committed[0]!, 'migration.sql'), 'utf8');
    for (const model of MODELS) expect(baseline).toContain(`CREATE TABLE "${model}"`);
  });

  it('migrates a fresh database from nothing, and a second run is a no-op', async () => {
    const url = await freshDb('fresh');
    expect(await tables(url)).toEqual([]);
    const first = await migrateDatabase(url);
    expect(first.applied).toEqual(committed);
    console.info(`PostgreSQL: fresh migration of ${committed.length} migration(s): ${first.durationMs} ms`);
    expect(await tables(url)).toEqual([...MODELS, '_prisma_migrations'].sort());

    const rows = await queryPostgres<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      url,
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(rows.map((r) => r.migration_name)).toEqual(committed);
    for (const r of rows) {
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.applied_steps_count).toBe(1);
      const file = readFileSync(path.join(defaultPostgresMigrationsDir(), r.migration_name, 'migration.sql'));
      expect(r.checksum).toBe(createHash('sha256').update(file).digest('hex'));
    }

    const before = await shape(url);
    const second = await migrateDatabase(url);
    expect(second.applied).toEqual([]);
    expect(await shape(url)).toEqual(before);
    expect((await queryPostgres(url, 'SELECT 1 FROM "_prisma_migrations"')).length).toBe(committed.length);
  });

  it('builds exactly the schema: the migrations replayed equal prisma/schema.prisma created from scratch', async () => {
    const migrated = await freshDb('replayed');
    await migrateDatabase(migrated);

    const current = postgresSchemaText(readFileSync(schemaPath(), 'utf8'));
    // The committed snapshot is the schema of the newest migration: it must be the current schema.
    expect(readFileSync(postgresSnapshotPath(), 'utf8')).toBe(current);
    const conn = await openPostgresDiffEngine({ path: 'schema.prisma', content: current });
    let script: string;
    try {
      const diff = await conn.engine.diff({
        from: { tag: 'empty' },
        to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: current }] },
        script: true,
        exitCode: null,
        filters: NO_FILTERS,
      });
      script = diff.stdout ?? '';
    } finally {
      await conn.close();
    }
    const direct = await freshDb('direct');
    await queryPostgres(direct, script);

    const [a, b] = [await shape(migrated), await shape(direct)];
    expect(a.length).toBeGreaterThan(100);
    expect(a).toEqual(b);
  });

  it('serializes concurrent first opens: every migration applied exactly once', async () => {
    const url = await freshDb('concurrent');
    const clients = await Promise.all([openDb(url), openDb(url), openDb(url), openDb(url)]);
    try {
      const rows = await queryPostgres<{ migration_name: string; n: string }>(
        url,
        'SELECT migration_name, COUNT(*) AS n FROM "_prisma_migrations" GROUP BY 1 ORDER BY 1',
      );
      expect(rows).toEqual(committed.map((name) => ({ migration_name: name, n: '1' })));
      for (const db of clients) {
        expect(providerOf(db)).toBe('postgresql');
        expect(await db.verificationRun.count()).toBe(0);
      }
    } finally {
      await Promise.all(clients.map((c) => c.$disconnect()));
    }
  });

  it('rolls a failed migration back entirely, records it, and refuses to go on until someone fixes it', async () => {
    const dir = path.join(tmp, 'broken');
    cpSync(defaultPostgresMigrationsDir(), dir, { recursive: true });
    mkdirSync(path.join(dir, '29990101000000_broken'));
    writeFileSync(path.join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE "Ok" ("id" TEXT);\nCREATE TABLLE oops (;\n');
    const url = await freshDb('broken');

    const error = await migrateDatabase(url, { migrationsDir: dir }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SigscopeError);
    expect((error as SigscopeError).code).toBe('DATABASE');
    expect((error as Error).message).toContain('29990101000000_broken');
    expect((error as Error).message).toMatch(/syntax error at or near "TABLLE"/);
    // The good migrations stayed applied; the broken one left nothing behind.
    expect(await tables(url)).not.toContain('Ok');
    expect(await tables(url)).toContain('Signature');
    const rows = await queryPostgres<{ migration_name: string; finished_at: Date | null; logs: string | null }>(
      url,
      `SELECT migration_name, finished_at, logs FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.finished_at).toBeNull();
    expect(rows[0]!.logs).toMatch(/syntax error/);

    await expect(migrateDatabase(url, { migrationsDir: dir })).rejects.toThrow(/29990101000000_broken failed earlier .* blocks further migrations/s);
    await expect(migrateDatabase(url)).rejects.toThrow(/blocks further migrations/);
    await expect(openDb(url)).rejects.toThrow(/blocks further migrations/);

    // The documented way out: fix the file, delete the failed row, migrate again.
    writeFileSync(path.join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE "Ok" ("id" TEXT);\n');
    await queryPostgres(url, `DELETE FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`);
    expect((await migrateDatabase(url, { migrationsDir: dir })).applied).toEqual(['29990101000000_broken']);
    expect(await tables(url)).toContain('Ok');
  });

  it('refuses SQLite migrations on PostgreSQL', async () => {
    const dir = path.join(tmp, 'sqlite-lock');
    cpSync(defaultPostgresMigrationsDir(), dir, { recursive: true });
    writeFileSync(path.join(dir, 'migration_lock.toml'), 'provider = "sqlite"\n');
    await expect(migrateDatabase(await freshDb('lock'), { migrationsDir: dir })).rejects.toThrow(/is for provider "sqlite" but the database is postgresql/);
  });
});

describe('getDb on PostgreSQL', () => {
  const saved = process.env.DATABASE_URL;
  afterAll(async () => {
    await closeDb();
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  });

  it('opens a migrated PostgreSQL client for a postgresql:// DATABASE_URL, shared per URL', async () => {
    process.env.DATABASE_URL = await freshDb('getdb');
    const [a, b] = await Promise.all([getDb(), getDb()]);
    expect(a).toBe(b);
    expect(providerOf(a)).toBe('postgresql');
    const server = await a.$queryRaw<Array<{ v: string }>>`SELECT current_setting('server_version') AS v`;
    expect(server[0]?.v).toMatch(/^\d+\.\d+/);
  });

  it('accepts the postgres:// spelling too', async () => {
    const url = (await freshDb('spelling')).replace(/^postgresql:/, 'postgres:');
    const db = await openDb(url);
    try {
      expect(await db.image.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });

  it('filters identities by certificate claims without failing on a certificate whose JSON is corrupt', async () => {
    const db = await openDb(await freshDb('dialect'));
    try {
      const h = new HistoryWriter(db);
      const img = await h.image('reg.example', 'acme/app', 'a', 1);
      const good = await h.keyless(img, 2, { identity: workflow('acme/app', 'release.yml', 'refs/tags/v1'), ref: 'refs/tags/v1' });
      const bad = await h.keyless(img, 3, { identity: workflow('acme/app', 'nightly.yml', 'refs/heads/main'), ref: 'refs/heads/main' });
      await db.$executeRaw`UPDATE "Certificate" SET "extensions" = ${'{not json'} WHERE "id" = ${bad.certificate.id}`;

      // The filter reads every certificate's claims in SQL; the corrupt one must not fail it.
      const byRef = await listIdentities(db, { ref: 'refs/tags/v*' });
      expect(byRef.identities.map((i) => i.ref.kind === 'keyless' && i.ref.subject)).toEqual([good.signature.identity]);
      expect(byRef.identities[0]?.claims?.ref).toBe('refs/tags/v1');
      const byWorkflow = await listIdentities(db, { workflow: 'release.yml', ref: 'refs/heads/*' });
      expect(byWorkflow.identities).toEqual([]);
      // Case-insensitive, like SQLite's LIKE.
      const byText = await listIdentities(db, { q: 'ACME/APP/.GITHUB/WORKFLOWS/RELEASE' });
      expect(byText.identities.map((i) => i.key)).toEqual(byRef.identities.map((i) => i.key));
    } finally {
      await db.$disconnect();
    }
  });
});
