// Paths into ../shared/fixtures (real Sigstore data, read-only). CI lays shared/ beside the clone.
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = process.env.SIGSCOPE_FIXTURES ?? path.resolve(PROJECT_ROOT, '..', 'shared', 'fixtures');

if (!existsSync(path.join(FIXTURES, 'README.md'))) {
  throw new Error(`Sigstore fixtures not found at ${FIXTURES}: lay shared/ beside the project directory, or set SIGSCOPE_FIXTURES`);
}

export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES, ...parts);
}

export function readFixture(...parts: string[]): Buffer {
  return readFileSync(fixturePath(...parts));
}

export function readFixtureJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFixture(...parts).toString('utf8')) as T;
}
