/**
 * Apply the committed migrations (prisma/migrations) to a database.
 *
 * This is `prisma migrate deploy` without the Prisma CLI: the CLI's native
 * schema engine cannot be downloaded here, so the same engine compiled to
 * WebAssembly (@prisma/schema-engine-wasm, see ./schema-engine.ts) applies the
 * migrations through the libSQL driver adapter. Bookkeeping is Prisma's own
 * `_prisma_migrations` table (checksums, start/finish times, logs), so the
 * database stays compatible with the Prisma CLI should its engine become
 * available.
 *
 * Behaviour:
 * - pending migrations are applied in name order; already applied ones are skipped
 *   (running it again is a no-op);
 * - a migration whose SQL fails throws a SigscopeError('DATABASE') carrying the
 *   database's error, and is recorded as failed in `_prisma_migrations`; every
 *   later call then refuses to run (Prisma's P3009) until someone repairs the
 *   database and deletes (or marks rolled back) the failed row. SQLite migrations
 *   are not wrapped in a transaction (as with Prisma): statements before the
 *   failing one stay applied;
 * - a committed migration edited after it was applied is reported on stderr
 *   (its checksum no longer matches) but does not block;
 * - when `_prisma_migrations` already lists every committed migration as
 *   applied (the usual case), the engine is not even loaded;
 * - concurrent callers on one SQLite file (web workers, the CLI) are serialized
 *   with a lock file next to the database.
 *
 * PostgreSQL (`postgres://` / `postgresql://` URLs): the migrations of
 * prisma/postgres/migrations are applied by ./migrate-pg.ts (one transaction per
 * migration, an advisory lock between concurrent migrators, same `_prisma_migrations`
 * bookkeeping); see there.
 *
 * No `server-only` here: scripts/db-migrate.ts (plain tsx) uses this module.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { MigrationList } from '@prisma/schema-engine-wasm';
import { SigscopeError } from '../errors';
import { migratePostgres } from './migrate-pg';
import { defaultMigrationsDir, defaultPostgresMigrationsDir, parseDatabaseUrl } from './paths';
import { NO_FILTERS, engineError, openSchemaEngine, readMigrationsList } from './schema-engine';

export interface MigrateOptions {
  /** Defaults to `<project>/prisma/migrations` (SQLite) or `<project>/prisma/postgres/migrations` (PostgreSQL). */
  migrationsDir?: string;
}

export interface MigrateResult {
  /** Names of the migrations applied by this call (empty when already up to date). */
  applied: string[];
  durationMs: number;
}

export async function migrateDatabase(url: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const started = performance.now();
  const target = parseDatabaseUrl(url);
  if (target.kind === 'postgresql') {
    const { applied } = await migratePostgres(target.url, path.resolve(options.migrationsDir ?? defaultPostgresMigrationsDir()));
    return { applied, durationMs: Math.round(performance.now() - started) };
  }

  const migrationsDir = path.resolve(options.migrationsDir ?? defaultMigrationsDir());
  const migrationsList = readMigrationsList(migrationsDir, 'sqlite');
  if (migrationsList.migrationDirectories.length === 0) {
    throw new SigscopeError(
      'DATABASE',
      `No migrations found in ${migrationsDir}: the database cannot be created. Is the checkout complete?`,
    );
  }

  mkdirSync(path.dirname(target.filePath), { recursive: true });
  // Fast path (every start of the CLI/app once migrated): no engine needed.
  if (await isUpToDate(target.url, migrationsList)) {
    return { applied: [], durationMs: Math.round(performance.now() - started) };
  }
  return withLockFile(`${target.filePath}.migrate-lock`, async () => {
    const conn = await openSchemaEngine(target.url);
    try {
      let applied: string[];
      try {
        ({ appliedMigrationNames: applied } = await conn.engine.applyMigrations({ migrationsList, filters: NO_FILTERS }));
      } catch (cause) {
        const raw = cause instanceof Error ? cause.message : String(cause);
        const failed = /migration_name="([^"]+)"/.exec(raw)?.[1];
        const error = engineError(
          failed
            ? `Migration ${failed} (${path.join(migrationsDir, failed, 'migration.sql')}) failed on ${target.filePath}`
            : `Migrating ${target.filePath} with ${migrationsDir} failed`,
          cause,
        );
        if ((cause as { code?: unknown } | null)?.code === 'P3009') {
          error.message +=
            '\nTo recover: fix the migration (or the database by hand), then delete its row from _prisma_migrations ' +
            '(DELETE FROM _prisma_migrations WHERE finished_at IS NULL) and run npm run db:migrate again.';
        }
        throw error;
      }
      await warnAboutEditedMigrations(conn, migrationsList);
      return { applied, durationMs: Math.round(performance.now() - started) };
    } finally {
      await conn.close();
    }
  });
}

/**
 * True when `_prisma_migrations` records every committed migration as applied
 * and nothing as failed or in progress: then the engine (WebAssembly, ~100 ms
 * to load) is not needed. Anything else, including any doubt, goes to the
 * engine, which decides and reports. Checksums are Prisma's (SHA-256 of the file).
 */
async function isUpToDate(url: string, migrationsList: MigrationList): Promise<boolean> {
  const { createClient } = await import('@libsql/client');
  let client: ReturnType<typeof createClient> | undefined;
  try {
    client = createClient({ url, timeout: 15_000 });
    const table = await client.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'");
    if (table.rows.length === 0) return false;
    const { rows } = await client.execute('SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations');
    const applied = new Map<string, string>();
    for (const row of rows) {
      if (row.rolled_back_at != null) continue;
      if (row.finished_at == null) return false; // failed or in progress: let the engine report it
      applied.set(String(row.migration_name), String(row.checksum));
    }
    const edited: string[] = [];
    for (const dir of migrationsList.migrationDirectories) {
      const checksum = applied.get(dir.path);
      if (checksum === undefined) return false;
      const content = dir.migrationFile.content.tag === 'ok' ? dir.migrationFile.content.value : '';
      if (createHash('sha256').update(content).digest('hex') !== checksum) edited.push(dir.path);
    }
    if (edited.length > 0) warnEdited(edited);
    return true;
  } catch {
    return false;
  } finally {
    client?.close();
  }
}

function warnEdited(names: string[]): void {
  process.stderr.write(
    `sigscope: warning: committed migration(s) changed after being applied: ${names.join(', ')}. ` +
      'Never edit an applied migration; add a new one with `npm run db:migration -- <name>`.\n',
  );
}

async function warnAboutEditedMigrations(
  conn: Awaited<ReturnType<typeof openSchemaEngine>>,
  migrationsList: MigrationList,
): Promise<void> {
  try {
    const diagnosis = await conn.engine.diagnoseMigrationHistory({
      migrationsList,
      optInToShadowDatabase: false,
      filters: NO_FILTERS,
    });
    if (diagnosis.editedMigrationNames.length > 0) warnEdited(diagnosis.editedMigrationNames);
  } catch {
    // Diagnosis is advisory only.
  }
}

// ---------------------------------------------------------------------------
// A lock file serializing migrations of one SQLite file across processes.

const LOCK_WAIT_MS = 60_000;
const LOCK_STALE_MS = 5 * 60_000;

function lockIsStale(lockPath: string): boolean {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 0);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true; // holder is gone
      }
    }
    return Date.now() - statSync(lockPath).mtimeMs > LOCK_STALE_MS;
  } catch {
    return false; // vanished or unreadable: just retry
  }
}

async function withLockFile<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SigscopeError('DATABASE', `Cannot create the migration lock ${lockPath}: ${(e as Error).message}`, { cause: e });
      }
      if (lockIsStale(lockPath)) {
        try {
          unlinkSync(lockPath);
        } catch {
          // another waiter removed it first
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new SigscopeError(
          'DATABASE',
          `Timed out waiting for another process to finish migrating (lock file ${lockPath}). Delete it if no Sigscope process is running.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // already gone
    }
  }
}
