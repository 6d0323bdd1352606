/**
 * Prisma's schema engine (the migrations engine) run as WebAssembly.
 *
 * Why not `prisma migrate`: the Prisma CLI's schema engine is a native binary
 * downloaded on first use, and that download is impossible here (no internet,
 * npm registry only). `@prisma/schema-engine-wasm` (pinned exact prerelease in
 * package.json) is the same engine compiled to WebAssembly and published on npm;
 * it talks to the database through a Prisma driver adapter, wrapped with
 * `bindMigrationAwareSqlAdapterFactory`. We use two of its commands:
 *
 * - `diff` (dev time, scripts/db-migration.ts): committed migrations → schema.prisma,
 *   replaying the migrations on a shadow database (SQLite: in memory);
 * - `applyMigrations` (lib/db/migrate.ts): apply pending committed migrations,
 *   keeping Prisma's normal `_prisma_migrations` table, exactly like
 *   `prisma migrate deploy` would.
 *
 * Node 20 cannot `import` a .wasm file, so the package's entry point (which does)
 * is bypassed: we load its JS glue (`schema_engine_bg.js`) and instantiate the
 * .wasm next to it ourselves.
 *
 * No `server-only` here: scripts/db-*.ts (plain tsx) use this module.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  ColumnTypeEnum,
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import type {
  MigrationList,
  SchemaEngine,
  SchemaFilter,
} from '@prisma/schema-engine-wasm';
import { SigscopeError } from '../errors';
import { libSqlAdapter } from './libsql';
import { parseDatabaseUrl, projectRoot, redactUrl } from './paths';

type SchemaEngineModule = typeof import('@prisma/schema-engine-wasm');

export type MigrationProvider = 'sqlite' | 'postgresql';

export const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

// ---------------------------------------------------------------------------
// Loading the WebAssembly module (once per process)

interface PanicRegistry {
  set_message(message: string): void;
}

let lastPanic: string | undefined;

// Process-wide (not per module instance): the glue module keeps the WebAssembly
// instance in its own module state, and test runners or dev servers may
// evaluate this file more than once while Node caches the glue only once.
const globalSlot = globalThis as { __sigscopeSchemaEngine?: Promise<SchemaEngineModule> };

async function instantiate(): Promise<SchemaEngineModule> {
  const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };
  // The engine reports a Rust panic here before throwing "RuntimeError: unreachable".
  g.PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message(message: string) {
      lastPanic = message;
    },
  };

  const requireFromRoot = createRequire(path.join(projectRoot(), 'package.json'));
  let gluePath: string;
  try {
    gluePath = requireFromRoot.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  } catch (cause) {
    throw new SigscopeError(
      'DATABASE',
      'The migrations engine @prisma/schema-engine-wasm is not installed (it is a devDependency; run npm ci without --omit=dev).',
      { cause },
    );
  }
  const wasmPath = path.join(path.dirname(gluePath), 'schema_engine_bg.wasm');
  const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as SchemaEngineModule & {
    __wbg_set_wasm(exports: WebAssembly.Exports): void;
  };
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {
    './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports,
  });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

export function loadSchemaEngineModule(): Promise<SchemaEngineModule> {
  globalSlot.__sigscopeSchemaEngine ??= instantiate().catch((e: unknown) => {
    globalSlot.__sigscopeSchemaEngine = undefined;
    throw e;
  });
  return globalSlot.__sigscopeSchemaEngine;
}

// ---------------------------------------------------------------------------
// Driver adapters

/**
 * The engine replays a whole migration file on the shadow database with one
 * `executeRaw` call; libSQL's `execute` runs only the first statement of a
 * multi-statement string and silently ignores the rest (so a diff against the
 * migrations would see a partial schema). On the shadow database only,
 * parameterless `executeRaw` calls are therefore routed to `executeScript`.
 */
function routeScriptsToExecuteScript(adapter: SqlDriverAdapter): SqlDriverAdapter {
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      if (prop === 'executeRaw') {
        return async (query: SqlQuery) => {
          if (query.args.length === 0) {
            await target.executeScript(query.sql);
            return 0;
          }
          return target.executeRaw(query);
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export interface EngineConnection {
  engine: SchemaEngine;
  provider: MigrationProvider;
  /** Free the engine and close every connection it opened. Safe to call twice. */
  close(): Promise<void>;
}

async function sqliteFactory(url: string): Promise<SqlMigrationAwareDriverAdapterFactory> {
  const base = libSqlAdapter(url, 15_000);
  return {
    provider: base.provider,
    adapterName: base.adapterName,
    connect: () => base.connect(),
    connectToShadowDb: async () => routeScriptsToExecuteScript(await base.connectToShadowDb()),
  };
}

/**
 * PostgreSQL, datamodel diffs only (scripts/db-migration.ts writes PostgreSQL migrations by
 * diffing the schema snapshot of the last migration against the current schema: no
 * database involved). The engine still opens a connection and asks the server's version
 * once; this adapter answers that one question (as PostgreSQL 15, the version we ship
 * for) and refuses everything else, so no server is needed to write a migration.
 * PostgreSQL migrations are applied by ./migrate-pg.ts, not by the engine.
 */
function offlinePostgresFactory(): SqlMigrationAwareDriverAdapterFactory {
  const refuse = (sql: string): never => {
    throw new SigscopeError('DATABASE', `The offline PostgreSQL diff engine has no database (it was asked: ${sql.slice(0, 120)})`);
  };
  const adapter: SqlDriverAdapter = {
    provider: 'postgres',
    adapterName: 'sigscope-offline-postgres',
    async queryRaw(query) {
      if (query.sql.includes('server_version_num')) {
        return {
          columnNames: ['exists', 'version', 'numeric_version'],
          columnTypes: [ColumnTypeEnum.Boolean, ColumnTypeEnum.Text, ColumnTypeEnum.Int32],
          rows: [[true, 'PostgreSQL 15.0 (sigscope offline diff)', 150000]],
        };
      }
      return refuse(query.sql);
    },
    executeRaw: async (query) => refuse(query.sql),
    executeScript: async (script) => refuse(script),
    startTransaction: async () => refuse('BEGIN'),
    dispose: async () => {},
  };
  return {
    provider: 'postgres',
    adapterName: adapter.adapterName,
    connect: async () => adapter,
    connectToShadowDb: async () => refuse('CREATE DATABASE (shadow)'),
  };
}

/** The engine for diffing PostgreSQL datamodels, without any database (see offlinePostgresFactory). */
export function openPostgresDiffEngine(datamodel: { path: string; content: string }): Promise<EngineConnection> {
  return startEngine(offlinePostgresFactory(), 'postgresql', 'the offline PostgreSQL diff engine', datamodel);
}

/**
 * Open the schema engine on a database. `datamodel` (schema.prisma text) is
 * only needed for commands that read the schema; applying migrations does not.
 */
export async function openSchemaEngine(databaseUrl: string, datamodel?: { path: string; content: string }): Promise<EngineConnection> {
  const target = parseDatabaseUrl(databaseUrl);
  if (target.kind !== 'sqlite') {
    throw new SigscopeError('DATABASE', 'The migrations engine is used on SQLite only; PostgreSQL migrations are applied by lib/db/migrate-pg.ts.');
  }
  return startEngine(await sqliteFactory(target.url), 'sqlite', redactUrl(databaseUrl), datamodel);
}

async function startEngine(
  inner: SqlMigrationAwareDriverAdapterFactory,
  provider: MigrationProvider,
  label: string,
  datamodel?: { path: string; content: string },
): Promise<EngineConnection> {
  const mod = await loadSchemaEngineModule();
  const opened: SqlDriverAdapter[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => {
      const a = await inner.connect();
      opened.push(a);
      return a;
    },
    connectToShadowDb: () => inner.connectToShadowDb(),
  };
  const logs: string[] = [];
  const onLog = (line: string) => {
    if (process.env.SIGSCOPE_DEBUG_MIGRATIONS) process.stderr.write(`[schema-engine] ${line}\n`);
    logs.push(line);
    if (logs.length > 50) logs.shift();
  };
  let engine: SchemaEngine;
  try {
    engine = await mod.SchemaEngine.new(
      { datamodels: datamodel ? [[datamodel.path, datamodel.content]] : undefined },
      onLog,
      bindMigrationAwareSqlAdapterFactory(tracking),
    );
  } catch (cause) {
    await Promise.allSettled(opened.map((a) => a.dispose()));
    throw engineError(`Could not start the migrations engine on ${label}`, cause);
  }
  let closed = false;
  return {
    engine,
    provider,
    async close() {
      if (closed) return;
      closed = true;
      try {
        engine.free();
      } finally {
        await Promise.allSettled(opened.map((a) => a.dispose()));
      }
    },
  };
}

/**
 * A SigscopeError from an engine failure. The engine's message starts with the
 * database's own error (e.g. `SQLITE_ERROR: near "TABLLE": syntax error`)
 * followed by a Rust span trace; the trace is kept in `details.engineMessage`.
 */
export function engineError(context: string, cause: unknown): SigscopeError {
  const raw = cause instanceof Error ? cause.message : String(cause);
  const trace = raw.search(/\n\s+0: /);
  let message = (trace >= 0 ? raw.slice(0, trace) : raw).trim();
  if (/unreachable/i.test(message) && lastPanic) message = `engine panic: ${lastPanic}`;
  const code = (cause as { code?: unknown } | null)?.code;
  return new SigscopeError('DATABASE', `${context}: ${message}`, {
    cause,
    details: { engineMessage: raw, ...(typeof code === 'string' ? { engineCode: code } : {}) },
  });
}

// ---------------------------------------------------------------------------
// Migration folders

export const LOCKFILE = 'migration_lock.toml';

export function lockfileContent(provider: MigrationProvider): string {
  return (
    '# Please do not edit this file manually\n' +
    '# It should be added in your version-control system (e.g., Git)\n' +
    `provider = "${provider}"\n`
  );
}

/**
 * Read a migrations folder the way the Prisma CLI does: every subdirectory
 * holding a `migration.sql`, sorted by name (names start with a UTC timestamp).
 * A subdirectory without `migration.sql` is an error (a half-written migration
 * must not be skipped silently).
 */
export function readMigrationsList(migrationsDir: string, provider: MigrationProvider): MigrationList {
  const baseDir = path.resolve(migrationsDir);
  if (!existsSync(baseDir)) {
    return {
      baseDir,
      lockfile: { path: LOCKFILE, content: lockfileContent(provider) },
      shadowDbInitScript: '',
      migrationDirectories: [],
    };
  }
  const lockPath = path.join(baseDir, LOCKFILE);
  const lockContent = existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : lockfileContent(provider);
  const declared = /provider\s*=\s*"([^"]+)"/.exec(lockContent)?.[1];
  if (declared && declared !== provider) {
    throw new SigscopeError(
      'DATABASE',
      `${lockPath} is for provider "${declared}" but the database is ${provider}; these migrations cannot be applied to it.`,
    );
  }
  const names = readdirSync(baseDir)
    .filter((name) => statSync(path.join(baseDir, name)).isDirectory())
    .sort();
  const migrationDirectories = names.map((name) => {
    const file = path.join(baseDir, name, 'migration.sql');
    if (!existsSync(file)) {
      throw new SigscopeError('DATABASE', `Migration folder ${path.join(baseDir, name)} has no migration.sql.`);
    }
    return {
      path: name,
      migrationFile: { path: 'migration.sql', content: { tag: 'ok' as const, value: readFileSync(file, 'utf8') } },
    };
  });
  return {
    baseDir,
    lockfile: { path: LOCKFILE, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}
