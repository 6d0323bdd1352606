/**
 * `npm run db:migration -- <name>`: write the next migration, for SQLite AND PostgreSQL, offline.
 *
 * Replaces `prisma migrate dev --create-only` (whose native engine cannot be downloaded
 * here) with the WebAssembly schema engine:
 *
 * - SQLite: the engine replays the committed migrations (prisma/migrations) on an
 *   in-memory shadow SQLite database and diffs the result against prisma/schema.prisma;
 * - PostgreSQL: no shadow database (none is needed to write a migration): the engine diffs
 *   prisma/postgres/schema.snapshot.prisma (the PostgreSQL schema the newest PostgreSQL
 *   migration was written from, committed) against the PostgreSQL copy of the current
 *   schema (lib/db/pg-schema.ts), then the snapshot is updated. That the PostgreSQL
 *   migrations really build the schema is proven by tests/postgres/migrate.test.ts on a
 *   real server.
 *
 * Both land in folders of the same name, <UTC yyyymmddhhmmss>_<name>/migration.sql, under
 * prisma/migrations and prisma/postgres/migrations. Nothing touches your database: apply
 * with `npm run db:migrate` (or just start the app).
 *
 *   npm run db:migration -- add_attestations        write the migrations (if the schema changed)
 *   npm run db:migration -- add_view --empty        write empty migrations (both) to fill by hand
 *   npm run db:migration -- --check                 exit 1 if schema.prisma has changes no migration covers (CI)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeError } from '../lib/errors';
import { defaultMigrationsDir, defaultPostgresMigrationsDir, postgresSnapshotPath, projectRoot, schemaPath } from '../lib/db/paths';
import { postgresSchemaText } from '../lib/db/pg-schema';
import {
  LOCKFILE,
  NO_FILTERS,
  engineError,
  lockfileContent,
  openPostgresDiffEngine,
  openSchemaEngine,
  readMigrationsList,
  type MigrationProvider,
} from '../lib/db/schema-engine';

const USAGE = 'usage: npm run db:migration -- <name> [--empty]   |   npm run db:migration -- --check';

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** True when a diff script has no statement (only comments / blank lines). */
function isEmptyScript(sql: string | null): boolean {
  if (!sql) return true;
  return sql
    .split('\n')
    .map((l) => l.trim())
    .every((l) => l === '' || l.startsWith('--'));
}

const rel = (p: string) => path.relative(projectRoot(), p);

function readSchema(): { path: string; content: string } {
  const file = schemaPath();
  return { path: path.basename(file), content: readFileSync(file, 'utf8') };
}

async function diffSqlite(migrationsDir: string, scratchUrl: string): Promise<string> {
  const schema = readSchema();
  const conn = await openSchemaEngine(scratchUrl, schema);
  try {
    const result = await conn.engine.diff({
      from: { tag: 'migrations', ...readMigrationsList(migrationsDir, 'sqlite') },
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return result.stdout ?? '';
  } catch (cause) {
    throw engineError('Diffing prisma/migrations against prisma/schema.prisma failed', cause);
  } finally {
    await conn.close();
  }
}

interface PostgresState {
  /** The PostgreSQL copy of the current schema (what the snapshot becomes). */
  current: string;
  /** SQL from the snapshot to the current schema. */
  sql: string;
  /** Why the migrations folder and the snapshot disagree, if they do. */
  inconsistency?: string;
}

function migrationNames(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => existsSync(path.join(dir, n, 'migration.sql'))).sort() : [];
}

async function diffPostgres(migrationsDir: string): Promise<PostgresState> {
  const current = postgresSchemaText(readSchema().content);
  const snapshotFile = postgresSnapshotPath();
  const snapshot = existsSync(snapshotFile) ? readFileSync(snapshotFile, 'utf8') : null;
  const names = migrationNames(migrationsDir);
  let inconsistency: string | undefined;
  if (snapshot === null && names.length > 0) {
    inconsistency = `${rel(snapshotFile)} is missing but ${rel(migrationsDir)} has migrations: restore the snapshot from git.`;
  } else if (snapshot !== null && names.length === 0) {
    inconsistency = `${rel(snapshotFile)} exists but ${rel(migrationsDir)} has no migration: restore the migrations from git, or delete the snapshot to start over.`;
  }
  const files = [{ path: 'schema.prisma', content: current }];
  const conn = await openPostgresDiffEngine(files[0]!);
  try {
    const result = await conn.engine.diff({
      from: snapshot === null ? { tag: 'empty' } : { tag: 'schemaDatamodel', files: [{ path: 'schema.snapshot.prisma', content: snapshot }] },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return { current, sql: result.stdout ?? '', inconsistency };
  } catch (cause) {
    throw engineError(`Diffing ${rel(snapshotFile)} against prisma/schema.prisma (PostgreSQL) failed`, cause);
  } finally {
    await conn.close();
  }
}

function writeMigration(migrationsDir: string, provider: MigrationProvider, dirName: string, body: string): string {
  mkdirSync(migrationsDir, { recursive: true });
  const lockPath = path.join(migrationsDir, LOCKFILE);
  if (!existsSync(lockPath)) writeFileSync(lockPath, lockfileContent(provider));
  const dir = path.join(migrationsDir, dirName);
  if (existsSync(dir)) throw new Error(`${dir} already exists`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'migration.sql'), body.endsWith('\n') ? body : `${body}\n`);
  return rel(path.join(dir, 'migration.sql'));
}

async function main(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const positional = argv.filter((a) => !a.startsWith('--'));
  for (const f of flags) {
    if (f !== '--empty' && f !== '--check') {
      console.error(`unknown option ${f}\n${USAGE}`);
      return 2;
    }
  }
  const check = flags.has('--check');
  const rawName = positional[0];
  if (!check && (!rawName || positional.length > 1)) {
    console.error(USAGE);
    return 2;
  }

  const sqliteDir = defaultMigrationsDir();
  const pgDir = defaultPostgresMigrationsDir();
  // The SQLite engine needs a main connection even though `diff` only uses the shadow one.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'sigscope-migration-'));
  const scratchUrl = `file:${path.join(scratch, 'scratch.db')}`;
  try {
    const started = performance.now();
    const sqliteSql = await diffSqlite(sqliteDir, scratchUrl);
    const pg = await diffPostgres(pgDir);
    const sqlitePending = !isEmptyScript(sqliteSql);
    const pgPending = !isEmptyScript(pg.sql);
    if (pg.inconsistency) {
      console.error(pg.inconsistency);
      return 1;
    }

    if (check) {
      if (sqlitePending) console.error(`prisma/schema.prisma has changes that no SQLite migration (prisma/migrations) covers:\n\n${sqliteSql}\n`);
      if (pgPending) console.error(`prisma/schema.prisma has changes that no PostgreSQL migration (prisma/postgres/migrations) covers:\n\n${pg.sql}\n`);
      if (sqlitePending || pgPending) {
        console.error('Create them with: npm run db:migration -- <name>');
        return 1;
      }
      console.log(`SQLite and PostgreSQL migrations match prisma/schema.prisma (${Math.round(performance.now() - started)} ms).`);
      return 0;
    }

    const name = rawName!.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
    if (!name) {
      console.error(`invalid migration name "${rawName}"\n${USAGE}`);
      return 2;
    }
    const empty = flags.has('--empty');
    if (!sqlitePending && !pgPending && !empty) {
      console.log('No schema changes since the last migrations: nothing written (use --empty for a hand-written migration).');
      return 0;
    }

    const dirName = `${timestamp()}_${name}`;
    const emptyBody = (db: string) => `-- This is an empty ${db} migration: write its SQL by hand (or delete this folder if ${db} needs none).\n`;
    const written: string[] = [];
    if (sqlitePending || empty) written.push(writeMigration(sqliteDir, 'sqlite', dirName, sqlitePending ? sqliteSql : emptyBody('SQLite')));
    if (pgPending || empty) {
      written.push(writeMigration(pgDir, 'postgresql', dirName, pgPending ? pg.sql : emptyBody('PostgreSQL')));
      writeFileSync(postgresSnapshotPath(), pg.current);
    }

    if (sqlitePending) {
      const rest = await diffSqlite(sqliteDir, scratchUrl);
      if (!isEmptyScript(rest)) {
        console.error(`Wrote ${written.join(', ')}, but replaying the SQLite migrations still differs from the schema:\n${rest}`);
        return 1;
      }
    }
    console.log(
      `Wrote ${written.join(' and ')} (${Math.round(performance.now() - started)} ms). ` +
        'Review, commit (with prisma/postgres/schema.snapshot.prisma), then apply with: npm run db:migrate',
    );
    return 0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`db:migration failed: ${describeError(e)}`);
    process.exitCode = 1;
  },
);
