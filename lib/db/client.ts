/**
 * The Prisma client for Sigscope's database.
 *
 * `await getDb()` returns one PrismaClient per process for DATABASE_URL
 * (default `file:<project>/data/sigscope.db`, directory created), after the
 * committed migrations have been applied to it: the first call migrates (a
 * fresh empty database gets the whole schema), concurrent first calls share
 * the same `ready` promise, later calls return at once.
 *
 * Drivers: `file:` URLs use the libSQL driver adapter (Prisma 7 needs one; no
 * native engine), on the pooled @libsql/client 0.18 (see ./libsql.ts).
 * `postgres://` / `postgresql://` URLs (the team path) use the client generated
 * from the PostgreSQL copy of the same schema (lib/db/generated-pg, see
 * ./pg-schema.ts) on @prisma/adapter-pg (a `pg` pool), migrated from
 * prisma/postgres/migrations (./migrate-pg.ts).
 *
 * Needs `npm run db:generate` (lib/db/generated and generated-pg are not committed).
 */
import 'server-only';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { SigscopeError } from '../errors';
import { registerProvider } from './dialect';
import { PrismaClient } from './generated/client';
import { libSqlAdapter } from './libsql';
import { migrateDatabase, type MigrateOptions } from './migrate';
import { databaseUrlFromEnv, parseDatabaseUrl, redactUrl } from './paths';

/**
 * The client type callers see, whatever the database. It is the SQLite client's type:
 * both clients are generated from the same models, so models, fields, results and the
 * `Prisma` namespace helpers (Prisma.sql, Prisma.join...) are identical; the PostgreSQL
 * client only accepts a few more inputs (e.g. `mode: 'insensitive'` string filters), which
 * this type does not offer, so code written against it runs on both.
 */
export type Db = PrismaClient;

/** Busy timeout for SQLite: how long a writer waits for another (web + CLI on one file). */
const SQLITE_BUSY_TIMEOUT_MS = 15_000;

/** A migrated client that is not shared: the caller must `$disconnect()` it. */
export async function openDb(url: string, options: MigrateOptions = {}): Promise<Db> {
  const target = parseDatabaseUrl(url);
  if (target.kind === 'postgresql') return openPostgres(target.url, options);
  mkdirSync(path.dirname(target.filePath), { recursive: true });
  await migrateDatabase(target.url, options);
  const db = new PrismaClient({ adapter: libSqlAdapter(target.url, SQLITE_BUSY_TIMEOUT_MS) });
  try {
    // Readers (the dashboard) and a writer (the CLI) at the same time; persistent per file.
    await db.$queryRawUnsafe('PRAGMA journal_mode = WAL');
    // In WAL mode NORMAL is still crash-safe (no corruption); only the last commits can be lost
    // on power failure. FULL would fsync every commit: ~10x slower scans (bench/scan.ts).
    await db.$queryRawUnsafe('PRAGMA synchronous = NORMAL');
  } catch (cause) {
    await db.$disconnect();
    throw new SigscopeError('DATABASE', `Cannot open ${target.filePath}: ${(cause as Error).message}`, { cause });
  }
  registerProvider(db, 'sqlite');
  return db;
}

/** Connections per client (web app or CLI); PostgreSQL's default limit is 100 for everyone. */
const POSTGRES_POOL_SIZE = 10;

async function openPostgres(url: string, options: MigrateOptions): Promise<Db> {
  await migrateDatabase(url, options);
  const [{ PrismaClient: PostgresPrismaClient }, { PrismaPg }] = await Promise.all([
    import('./generated-pg/client'),
    import('@prisma/adapter-pg'),
  ]);
  const adapter = new PrismaPg(
    { connectionString: url, max: POSTGRES_POOL_SIZE, connectionTimeoutMillis: 15_000, application_name: 'sigscope' },
    {
      onPoolError: (e) => process.stderr.write(`sigscope: PostgreSQL connection error (${redactUrl(url)}): ${e.message}\n`),
    },
  );
  // Same models, same shape: see the comment on `Db`.
  const db = new PostgresPrismaClient({ adapter }) as unknown as Db;
  try {
    await db.$queryRawUnsafe('SELECT 1');
  } catch (cause) {
    await db.$disconnect();
    throw new SigscopeError('DATABASE', `Cannot open ${redactUrl(url)}: ${(cause as Error).message}`, { cause });
  }
  registerProvider(db, 'postgresql');
  return db;
}

interface Entry {
  ready: Promise<Db>;
}

// Kept on globalThis so Next's dev server (module reloads) does not open a client per edit.
const registry = ((globalThis as { __sigscopeDb?: Map<string, Entry> }).__sigscopeDb ??= new Map<string, Entry>());

/**
 * The shared client for DATABASE_URL, migrated. A failed migration rejects
 * (loudly, with the SQL error) and is retried on the next call.
 */
export function getDb(): Promise<Db> {
  const url = databaseUrlFromEnv();
  let entry = registry.get(url);
  if (!entry) {
    const ready = openDb(url);
    entry = { ready };
    registry.set(url, entry);
    ready.catch(() => {
      if (registry.get(url) === entry) registry.delete(url);
    });
  }
  return entry.ready;
}

/** Disconnect every shared client (CLI exit, tests). */
export async function closeDb(): Promise<void> {
  const entries = [...registry.values()];
  registry.clear();
  await Promise.allSettled(entries.map(async (e) => (await e.ready).$disconnect()));
}
