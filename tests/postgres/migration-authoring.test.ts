// One schema edit → `npm run db:migration -- <name>` writes the SQLite AND the PostgreSQL
// migration (and the PostgreSQL snapshot); `--check` sees a pending change on both. Done on a
// copy of the project (SIGSCOPE_ROOT) so the real prisma/ folder is untouched, then the new
// PostgreSQL migration is applied to a real server and compared with the edited schema.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../lib/db/migrate';
import { PROJECT_ROOT } from '../support/fixtures';
import { testPostgresUrl } from '../support/database';
import { createDatabase, queryPostgres } from '../support/postgres';

const run = promisify(execFile);
const root = mkdtempSync(path.join(os.tmpdir(), 'sigscope-authoring-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function dbMigration(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'scripts', 'db-migration.ts'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, SIGSCOPE_ROOT: root, NODE_OPTIONS: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const names = (dir: string) => readdirSync(dir).filter((n) => /^\d{14}_/.test(n)).sort();

describe('db:migration writes both providers from one schema edit', () => {
  it('detects, writes and then accepts the change; the PostgreSQL migration applies and matches', async () => {
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'sigscope', private: true }));
    symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(root, 'node_modules'));
    cpSync(path.join(PROJECT_ROOT, 'prisma'), path.join(root, 'prisma'), { recursive: true });
    const sqliteDir = path.join(root, 'prisma', 'migrations');
    const pgDir = path.join(root, 'prisma', 'postgres', 'migrations');
    const before = { sqlite: names(sqliteDir), pg: names(pgDir) };

    expect((await dbMigration('--check')).code).toBe(0);

    const schemaFile = path.join(root, 'prisma', 'schema.prisma');
    const schema = readFileSync(schemaFile, 'utf8').replace(/(model Policy \{\n)/, '$1  description String?\n');
    writeFileSync(schemaFile, `${schema}\nmodel Probe {\n  id        String   @id @default(cuid())\n  name      String\n  at        DateTime @default(now())\n  size      BigInt\n\n  @@index([name])\n}\n`);

    const check = await dbMigration('--check');
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/no SQLite migration[\s\S]*CREATE TABLE "Probe"/);
    expect(check.stderr).toMatch(/no PostgreSQL migration[\s\S]*ALTER TABLE "Policy" ADD COLUMN\s+"description" TEXT/);

    const write = await dbMigration('add_probe');
    expect(write.code, write.stderr).toBe(0);
    const added = { sqlite: names(sqliteDir).filter((n) => !before.sqlite.includes(n)), pg: names(pgDir).filter((n) => !before.pg.includes(n)) };
    expect(added.sqlite).toHaveLength(1);
    expect(added.pg).toEqual(added.sqlite);
    expect(added.pg[0]).toMatch(/^\d{14}_add_probe$/);
    const pgSql = readFileSync(path.join(pgDir, added.pg[0]!, 'migration.sql'), 'utf8');
    expect(pgSql).toContain('"size" BIGINT NOT NULL');
    expect(pgSql).toContain('TIMESTAMP(3)');
    expect(pgSql).not.toContain('CREATE TABLE "Image"'); // only the change, not the whole schema again
    expect(readFileSync(path.join(root, 'prisma', 'postgres', 'schema.snapshot.prisma'), 'utf8')).toContain('model Probe');

    const again = await dbMigration('--check');
    expect(again.code, again.stderr).toBe(0);
    expect((await dbMigration('nothing_new')).stdout).toMatch(/nothing written/);

    // Apply the edited project's PostgreSQL migrations to a fresh server database.
    const url = await createDatabase(testPostgresUrl(), `authoring_${process.pid}`);
    const { applied } = await migrateDatabase(url, { migrationsDir: pgDir });
    expect(applied).toEqual([...before.pg, ...added.pg]);
    const cols = await queryPostgres<{ c: string }>(
      url,
      `SELECT table_name || '.' || column_name || ':' || data_type AS c FROM information_schema.columns
       WHERE table_schema = 'public' AND (table_name = 'Probe' OR column_name = 'description') ORDER BY 1`,
    );
    expect(cols.map((r) => r.c)).toEqual([
      'Policy.description:text',
      'Probe.at:timestamp without time zone',
      'Probe.id:text',
      'Probe.name:text',
      'Probe.size:bigint',
    ]);
    // And the SQLite one to a fresh file.
    expect((await migrateDatabase(`file:${path.join(root, 'edited.db')}`, { migrationsDir: sqliteDir })).applied).toEqual([...before.sqlite, ...added.sqlite]);
  });
});
