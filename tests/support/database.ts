/**
 * Which database the storage tests run on.
 *
 * By default every test database is a SQLite file (the zero-setup path). With
 * SIGSCOPE_TEST_DATABASE=postgresql (scripts/test.sh runs the storage tests a second time
 * that way), the same tests get a fresh PostgreSQL database each instead, on the cluster
 * that tests/support/postgres-global-setup.ts starts (or on SIGSCOPE_TEST_PG_URL when it is
 * already set, e.g. a server you run yourself).
 */
import path from 'node:path';
import { createDatabase } from './postgres';

export function usingPostgres(): boolean {
  return process.env.SIGSCOPE_TEST_DATABASE === 'postgresql';
}

/** The maintenance URL of the test cluster (PostgreSQL runs only). */
export function testPostgresUrl(): string {
  const url = process.env.SIGSCOPE_TEST_PG_URL;
  if (!url) throw new Error('SIGSCOPE_TEST_DATABASE=postgresql but SIGSCOPE_TEST_PG_URL is unset: run through vitest (its global setup starts PostgreSQL).');
  return url;
}

let counter = 0;

/**
 * A URL for an empty test database: `file:<sqliteFile>` by default; under PostgreSQL a new
 * database named after the file (plus the process id and a counter, so test files running
 * in parallel never share one).
 */
export async function testDatabaseUrl(sqliteFile: string): Promise<string> {
  if (!usingPostgres()) return `file:${sqliteFile}`;
  const base = path
    .basename(sqliteFile)
    .replace(/\.db$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 40);
  return createDatabase(testPostgresUrl(), `t_${base}_${process.pid}_${++counter}`);
}
