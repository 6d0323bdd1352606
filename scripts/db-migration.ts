/**
 * `npm run db:migration -- <name>`: write the next migration, offline.
 *
 * Replaces `prisma migrate dev --create-only` (whose native engine cannot be
 * downloaded here): the WebAssembly schema engine replays the committed
 * migrations (prisma/migrations) on an in-memory shadow SQLite database, diffs
 * the result against prisma/schema.prisma, and the SQL is written to
 * prisma/migrations/<UTC yyyymmddhhmmss>_<name>/migration.sql. Nothing touches
 * your database: apply with `npm run db:migrate` (or just start the app).
 * Afterwards it checks that migrations + the new one == schema.
 *
 *   npm run db:migration -- add_attestations        write a migration (if the schema changed)
 *   npm run db:migration -- add_view --empty        write an empty migration to fill by hand
 *   npm run db:migration -- --check                 exit 1 if schema.prisma has changes no migration covers (CI)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeError } from '../lib/errors';
import { defaultMigrationsDir, schemaPath } from '../lib/db/paths';
import {
  LOCKFILE,
  NO_FILTERS,
  engineError,
  lockfileContent,
  openSchemaEngine,
  readMigrationsList,
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

async function diffMigrationsToSchema(migrationsDir: string, scratchUrl: string): Promise<string> {
  const file = schemaPath();
  const schema = { path: path.basename(file), content: readFileSync(file, 'utf8') };
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

  const migrationsDir = defaultMigrationsDir();
  // The engine needs a main connection even though `diff` only uses the shadow one.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'sigscope-migration-'));
  const scratchUrl = `file:${path.join(scratch, 'scratch.db')}`;
  try {
    const started = performance.now();
    const sql = await diffMigrationsToSchema(migrationsDir, scratchUrl);
    const pending = !isEmptyScript(sql);

    if (check) {
      if (pending) {
        console.error('prisma/schema.prisma has changes that no migration covers:\n');
        console.error(sql);
        console.error('Create one with: npm run db:migration -- <name>');
        return 1;
      }
      console.log(`Migrations match prisma/schema.prisma (${Math.round(performance.now() - started)} ms).`);
      return 0;
    }

    const name = rawName!.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
    if (!name) {
      console.error(`invalid migration name "${rawName}"\n${USAGE}`);
      return 2;
    }
    if (!pending && !flags.has('--empty')) {
      console.log('No schema changes since the last migration: nothing written (use --empty for a hand-written migration).');
      return 0;
    }

    mkdirSync(migrationsDir, { recursive: true });
    const lockPath = path.join(migrationsDir, LOCKFILE);
    if (!existsSync(lockPath)) writeFileSync(lockPath, lockfileContent('sqlite'));
    const dirName = `${timestamp()}_${name}`;
    const dir = path.join(migrationsDir, dirName);
    if (existsSync(dir)) {
      console.error(`${dir} already exists`);
      return 1;
    }
    mkdirSync(dir);
    const body = pending ? sql : '-- This is an empty migration: write its SQL by hand.\n';
    writeFileSync(path.join(dir, 'migration.sql'), body.endsWith('\n') ? body : `${body}\n`);

    if (pending) {
      const rest = await diffMigrationsToSchema(migrationsDir, scratchUrl);
      if (!isEmptyScript(rest)) {
        console.error(`Wrote ${dir}/migration.sql, but replaying the migrations still differs from the schema:\n${rest}`);
        return 1;
      }
    }
    console.log(
      `Wrote prisma/migrations/${dirName}/migration.sql (${Math.round(performance.now() - started)} ms). ` +
        'Review it, commit it, then apply with: npm run db:migrate',
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
