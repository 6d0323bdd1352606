/**
 * Apply the committed PostgreSQL migrations (prisma/postgres/migrations) to a database.
 *
 * Why by hand instead of the WebAssembly schema engine used for SQLite: through
 * @prisma/adapter-pg the engine reads a catalog column of PostgreSQL's internal type
 * "char" that the adapter refuses to decode, and PostgreSQL gives us something better
 * than the engine's SQLite behaviour anyway: transactional DDL. So this module runs each
 * migration's SQL itself, with `pg`, in one transaction per migration, and keeps Prisma's
 * own `_prisma_migrations` bookkeeping (same table, columns and SHA-256 checksums as
 * `prisma migrate deploy`), so the database stays manageable by the Prisma CLI.
 *
 * Behaviour (matches ./migrate.ts for SQLite):
 * - pending migrations are applied in name order; applied ones are skipped (a second run
 *   is a no-op);
 * - concurrent migrators (several web workers, the CLI, a scan worker) are serialized by
 *   a PostgreSQL advisory lock held for the whole pass: the second one waits, then finds
 *   nothing to do;
 * - a migration whose SQL fails is rolled back entirely (nothing half-applied), recorded
 *   as failed in `_prisma_migrations` (its error in `logs`), and a SigscopeError('DATABASE')
 *   carries the server's error. Every later run refuses to start until the failed row is
 *   deleted (Prisma's P3009), so a broken deploy is noticed rather than retried blindly;
 * - a committed migration edited after it was applied is reported on stderr.
 * Statements that cannot run inside a transaction (CREATE INDEX CONCURRENTLY, ...) are
 * therefore not supported in migrations.
 *
 * No `server-only` here: scripts/db-migrate.ts (plain tsx) uses this module.
 */
import { createHash, randomUUID } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { SigscopeError } from '../errors';
import { redactUrl } from './paths';
import { readMigrationsList } from './schema-engine';

/** Advisory lock key of Sigscope's migrator (any constant; Prisma's own is 72707369). */
const MIGRATION_LOCK_KEY = 0x5169_5c0e;
/** How long a migrator waits for another one before giving up. */
const LOCK_WAIT = '120s';

const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

export interface PostgresMigrateResult {
  applied: string[];
}

const checksum = (sql: string) => createHash('sha256').update(sql).digest('hex');

function pgMessage(e: unknown): string {
  const err = e as { message?: string; detail?: string; hint?: string; position?: string; code?: string };
  return [err.message ?? String(e), err.detail && `DETAIL: ${err.detail}`, err.hint && `HINT: ${err.hint}`, err.code && `(SQLSTATE ${err.code})`]
    .filter(Boolean)
    .join(' ');
}

export async function migratePostgres(url: string, migrationsDir: string): Promise<PostgresMigrateResult> {
  const list = readMigrationsList(migrationsDir, 'postgresql');
  if (list.migrationDirectories.length === 0) {
    throw new SigscopeError('DATABASE', `No PostgreSQL migrations found in ${migrationsDir}: the database cannot be created. Is the checkout complete?`);
  }
  const where = redactUrl(url);
  const client = new pg.Client({ connectionString: url, application_name: 'sigscope-migrate' });
  try {
    await client.connect();
  } catch (cause) {
    throw new SigscopeError('DATABASE', `Cannot connect to ${where}: ${pgMessage(cause)}`, { cause });
  }
  try {
    try {
      await client.query(`SET lock_timeout = '${LOCK_WAIT}'`);
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await client.query('SET lock_timeout = 0');
    } catch (cause) {
      throw new SigscopeError(
        'DATABASE',
        `Timed out waiting for another process to finish migrating ${where} (advisory lock ${MIGRATION_LOCK_KEY}): ${pgMessage(cause)}`,
        { cause },
      );
    }
    try {
      return await applyPending(client, list.migrationDirectories, migrationsDir, where);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function applyPending(
  client: pg.Client,
  migrations: ReturnType<typeof readMigrationsList>['migrationDirectories'],
  migrationsDir: string,
  where: string,
): Promise<PostgresMigrateResult> {
  await client.query(CREATE_MIGRATIONS_TABLE);
  const { rows } = await client.query<MigrationRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM "_prisma_migrations" ORDER BY started_at',
  );
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) {
    throw new SigscopeError(
      'DATABASE',
      `Migration ${failed.migration_name} failed earlier on ${where} and blocks further migrations` +
        (failed.logs ? ` (${failed.logs.split('\n')[0]})` : '') +
        '.\nTo recover: fix the migration (or the database by hand), then delete its row ' +
        `(DELETE FROM "_prisma_migrations" WHERE migration_name = '${failed.migration_name}') and run npm run db:migrate again.`,
      { details: { engineCode: 'P3009' } },
    );
  }
  const applied = new Map(rows.filter((r) => r.rolled_back_at === null).map((r) => [r.migration_name, r.checksum]));
  const edited: string[] = [];
  const done: string[] = [];
  for (const m of migrations) {
    const sql = m.migrationFile.content.tag === 'ok' ? m.migrationFile.content.value : '';
    const sum = checksum(sql);
    const previous = applied.get(m.path);
    if (previous !== undefined) {
      if (previous !== sum) edited.push(m.path);
      continue;
    }
    const id = randomUUID();
    try {
      await client.query('BEGIN');
      await client.query(sql);
      await client.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
        [id, sum, m.path],
      );
      await client.query('COMMIT');
      done.push(m.path);
    } catch (cause) {
      await client.query('ROLLBACK').catch(() => undefined);
      const message = pgMessage(cause);
      await client
        .query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, logs, applied_steps_count) VALUES ($1, $2, $3, $4, 0)', [
          id,
          sum,
          m.path,
          message,
        ])
        .catch(() => undefined);
      throw new SigscopeError(
        'DATABASE',
        `Migration ${m.path} (${path.join(migrationsDir, m.path, 'migration.sql')}) failed on ${where}: ${message}. ` +
          'It was rolled back entirely and recorded as failed in _prisma_migrations.',
        { cause, details: { migration: m.path } },
      );
    }
  }
  if (edited.length > 0) {
    process.stderr.write(
      `sigscope: warning: committed PostgreSQL migration(s) changed after being applied: ${edited.join(', ')}. ` +
        'Never edit an applied migration; add a new one with `npm run db:migration -- <name>`.\n',
    );
  }
  return { applied: done };
}
