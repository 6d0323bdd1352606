/**
 * Where the database layer finds things: the project root, the committed
 * migrations, the default SQLite file, and how a DATABASE_URL is classified.
 *
 * No `server-only` here: scripts/db-*.ts (plain tsx) use this module too.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SigscopeError } from '../errors';

function thisDir(): string {
  try {
    return path.dirname(fileURLToPath(import.meta.url));
  } catch {
    return process.cwd();
  }
}

function isProjectRoot(dir: string): boolean {
  const pkg = path.join(dir, 'package.json');
  if (!existsSync(pkg)) return false;
  try {
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'sigscope';
  } catch {
    return false;
  }
}

let cachedRoot: string | undefined;

/**
 * The Sigscope checkout: the nearest directory above this module (or, when a
 * bundler moved the module, above the working directory) whose package.json
 * is named "sigscope". SIGSCOPE_ROOT (or SIGSCOPE_HOME, set by bin/sigscope) overrides.
 */
export function projectRoot(): string {
  if (cachedRoot) return cachedRoot;
  const override = process.env.SIGSCOPE_ROOT || process.env.SIGSCOPE_HOME;
  if (override) return (cachedRoot = path.resolve(override));
  for (const start of [thisDir(), process.cwd()]) {
    let dir = start;
    for (;;) {
      if (isProjectRoot(dir)) return (cachedRoot = dir);
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return (cachedRoot = process.cwd());
}

/** The committed SQLite migrations (`prisma/migrations`). */
export function defaultMigrationsDir(): string {
  return path.join(projectRoot(), 'prisma', 'migrations');
}

/** The committed PostgreSQL migrations (`prisma/postgres/migrations`). */
export function defaultPostgresMigrationsDir(): string {
  return path.join(projectRoot(), 'prisma', 'postgres', 'migrations');
}

/**
 * The PostgreSQL schema the newest PostgreSQL migration was written from (committed):
 * `npm run db:migration` diffs it against the current schema (no shadow database needed).
 */
export function postgresSnapshotPath(): string {
  return path.join(projectRoot(), 'prisma', 'postgres', 'schema.snapshot.prisma');
}

export function schemaPath(): string {
  return path.join(projectRoot(), 'prisma', 'schema.prisma');
}

/** `file:<project>/data/sigscope.db`: the database used when DATABASE_URL is unset. */
export function defaultDatabaseUrl(): string {
  return `file:${path.join(projectRoot(), 'data', 'sigscope.db')}`;
}

export function databaseUrlFromEnv(): string {
  const url = process.env.DATABASE_URL?.trim();
  return url ? url : defaultDatabaseUrl();
}

export type DatabaseTarget =
  | { kind: 'sqlite'; url: string; filePath: string }
  | { kind: 'postgresql'; url: string };

/**
 * Classify a database URL. `file:` paths that are relative are taken from the
 * project root (not the working directory), so the CLI run from elsewhere and
 * the web app agree on the file. The returned `url` is the normalized one to
 * hand to the driver.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('file:')) {
    let rest = url.slice('file:'.length);
    const q = rest.indexOf('?');
    if (q >= 0) rest = rest.slice(0, q);
    if (rest.startsWith('//')) rest = rest.slice(2); // file:///abs/path
    if (rest === '' || rest === ':memory:') {
      throw new SigscopeError('DATABASE', `DATABASE_URL "${url}" names no database file; use file:/absolute/path.db.`);
    }
    const filePath = path.isAbsolute(rest) ? rest : path.resolve(projectRoot(), rest);
    return { kind: 'sqlite', url: `file:${filePath}`, filePath };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { kind: 'postgresql', url };
  }
  throw new SigscopeError(
    'DATABASE',
    `DATABASE_URL "${redactUrl(url)}" is not supported: use file:/path/to/sigscope.db (SQLite) or postgresql://... .`,
  );
}

/** A URL safe to print: the password, if any, is masked. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]+:)[^@]*@/i, '$1***@');
}
