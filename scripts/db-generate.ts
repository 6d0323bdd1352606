/**
 * `npm run db:generate`: `prisma generate` that works offline.
 *
 * The Prisma CLI wants its native schema engine binary before running any
 * command and tries to download it (impossible here). `generate` itself only
 * uses WebAssembly, so pointing PRISMA_SCHEMA_ENGINE_BINARY at an existing file
 * is enough. That file is a stub that exits non-zero, so that a command which
 * really needs the native engine (`prisma migrate deploy`, `db push`) fails
 * instead of "succeeding" while doing nothing. Migrations go through
 * scripts/db-migration.ts and lib/db/migrate.ts instead.
 *
 * An existing PRISMA_SCHEMA_ENGINE_BINARY (a real engine) is respected.
 * Output: lib/db/generated (SQLite) and lib/db/generated-pg (PostgreSQL, from the copy of
 * the schema with the provider swapped that lib/db/pg-schema.ts derives), both gitignored.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { projectRoot, schemaPath } from '../lib/db/paths';
import { postgresSchemaText } from '../lib/db/pg-schema';

function main(): number {
  const root = projectRoot();
  const prismaCli = createRequire(path.join(root, 'package.json')).resolve('prisma/build/index.js');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  };
  let stubDir: string | undefined;
  if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
    stubDir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-prisma-'));
    const stub = path.join(stubDir, 'schema-engine-unavailable');
    writeFileSync(
      stub,
      '#!/bin/sh\necho "sigscope: the native Prisma schema engine is not available offline; use npm run db:migration / db:migrate" >&2\nexit 1\n',
    );
    chmodSync(stub, 0o755);
    env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
  }
  const generate = (extra: string[]): number => {
    const result = spawnSync(process.execPath, [prismaCli, 'generate', ...extra, ...process.argv.slice(2)], {
      cwd: root,
      env,
      stdio: 'inherit',
    });
    if (result.error) throw result.error;
    return result.status ?? 1;
  };
  const pgDir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-prisma-pg-'));
  try {
    const sqlite = generate([]);
    if (sqlite !== 0) return sqlite;
    const pgSchema = path.join(pgDir, 'schema.prisma');
    writeFileSync(pgSchema, postgresSchemaText(readFileSync(schemaPath(), 'utf8'), { output: path.join(root, 'lib', 'db', 'generated-pg') }));
    return generate(['--schema', pgSchema]);
  } finally {
    rmSync(pgDir, { recursive: true, force: true });
    if (stubDir) rmSync(stubDir, { recursive: true, force: true });
  }
}

process.exitCode = main();
