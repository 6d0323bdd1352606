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

/** Real Fulcio leaf certificates taken from public bundles (x509-from-bundles/), one per kind of signer. */
export const FULCIO_LEAVES_FROM_BUNDLES = [
  'conformance-beacon-2023-07-12.pem',
  'conformance-beacon-2024-12-16-dsse.pem',
  'conformance-beacon-2025-06-12-rekor2.pem',
  'cosign-oci-attestation-2025-02-28.pem',
  'github-oauth-email-2023-04-26.pem',
  'github-private-instance-2026-07-24.pem',
  'google-account-cpython-3.12.5-2024-08-06.pem',
  'loosebazooka-aa-test-provenance-2024-11-20.pem',
  'rfc8785py-release-v0.1.2-2024-03-19.pem',
  'sigstore-js-release-2023-08-18.pem',
] as const;
