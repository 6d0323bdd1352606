/**
 * Hostile input at the run boundary, against the real sandbox registry (behind the
 * fault proxy where a registry must lie): malformed references, manifests that lie
 * about their digest or size, gigantic and deeply nested JSON, a signature manifest
 * with thousands of layers. Each gets a clear error, the run is recorded as such,
 * and what was stored before is unchanged.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerification, type RunOutcome } from '@/lib/audit/run-verification';
import { getRun, listRuns, openDb, type Db } from '@/lib/db';
import { OCI_MANIFEST } from '@/lib/oci/media-types';
import { startFaultProxy, type FaultProxy } from '@/sandbox/fault-proxy';
import { signatureTag } from '@/sandbox/push';
import { EXPECTED_IDENTITY, EXPECTED_ISSUER } from '@/sandbox/world';
import { startTestWorld, type TestWorld } from '../support/world';

let t: TestWorld;
let db: Db;
let proxy: FaultProxy;
let baseline: RunOutcome;
let baselineStored: string;

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const snapshot = async (id: string) => JSON.stringify(await getRun(db, id), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
const runCount = async () => (await listRuns(db, { limit: 200 })).runs.length;

function verify(reference: string): Promise<RunOutcome> {
  return runVerification({
    reference,
    policy: { identity: EXPECTED_IDENTITY, issuer: EXPECTED_ISSUER },
    trustRoot: t.world.trustedRootPath,
    allowHttpRegistries: [t.world.registry.host, proxy.host],
    source: 'cli',
    db,
  });
}

async function expectRefused(outcome: RunOutcome, code: string, message: RegExp, before: number): Promise<void> {
  expect(outcome.status, outcome.summary).toBe('error');
  expect(outcome.errorCode, outcome.errorMessage).toBe(code);
  expect(outcome.errorMessage).toMatch(message);
  const stored = await getRun(db, outcome.runId!);
  expect(stored?.status).toBe('error');
  expect(stored?.errorCode).toBe(code);
  expect(stored?.results).toHaveLength(0);
  expect(await runCount()).toBe(before + 1);
  expect(await snapshot(baseline.runId!)).toBe(baselineStored);
}

beforeAll(async () => {
  t = await startTestWorld();
  db = await openDb(`file:${path.join(t.dir, 'hostile.db')}`);
  proxy = await startFaultProxy(t.world.registry.host);
  baseline = await verify(t.ref('keyless-ok'));
  expect(baseline.status, baseline.errorMessage).toBe('verified');
  baselineStored = await snapshot(baseline.runId!);
});

afterAll(async () => {
  await proxy?.stop();
  await db?.$disconnect();
  await t?.world.stop();
});

describe('malformed references', () => {
  it('an absurdly long reference is refused as input, before anything is stored', async () => {
    const before = await runCount();
    await expect(verify(`${t.world.registry.host}/${'a'.repeat(10_000)}:1`)).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^reference: Too big: expected string to have <=600 characters$/) });
    expect(await runCount()).toBe(before);
    expect(await snapshot(baseline.runId!)).toBe(baselineStored);
  });

  const host = () => t.world.registry.host;
  it.each([
    ['overlong', () => `${host()}/${'a'.repeat(280)}/${'b'.repeat(280)}:1`, /it is 5\d\d characters long \(at most 512 allowed\)/],
    ['a control character', () => `${host()}/demo/app\u0000:1`, /"[^"]*\/demo\/app\\u0000:1" is not a valid image reference: it contains a control character at position \d+/],
    ['an escape sequence', () => `${host()}/demo/\u001b[31mapp:1`, /\\u001b\[31mapp:1" is not a valid image reference: it contains a control character/],
    ['a ".." path segment', () => `${host()}/demo/../../etc/passwd:1`, /the repository path may not contain "\.\."/],
    ['a short digest', () => `${host()}/demo/keyless-ok@sha256:abc`, /digest "sha256:abc" must have exactly 64 lowercase hex characters/],
    ['a digest with non-hex characters', () => `${host()}/demo/keyless-ok@sha256:${'g'.repeat(64)}`, /must have exactly 64 lowercase hex characters/],
    ['an unknown digest algorithm', () => `${host()}/demo/keyless-ok@md5:${'a'.repeat(32)}`, /uses algorithm "md5"; only sha256 and sha512 are supported/],
    ['whitespace in the tag', () => `${host()}/demo/app:1 2`, /it contains whitespace at position \d+/],
  ])('%s: a clear error, recorded, nothing else touched', async (_name, ref, message) => {
    const before = await runCount();
    const outcome = await verify(ref());
    await expectRefused(outcome, 'INVALID_REFERENCE', message, before);
    // Nothing hostile is echoed raw: control characters are escaped in the message.
    expect(outcome.errorMessage).not.toMatch(/[\u0000-\u0008\u001b]/);
  });
});

describe('a registry that lies', () => {
  const viaProxy = () => t.ref('keyless-ok').replace(t.world.registry.host, proxy.host);
  const manifestPath = /\/v2\/demo\/keyless-ok\/manifests\/1\.0$/;
  afterAll(() => proxy.clear());

  it('about the digest of a manifest (Docker-Content-Digest)', async () => {
    const before = await runCount();
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('{}'), size: 2 }, layers: [] }));
    proxy.inject({ kind: 'status', status: 200, path: manifestPath, headers: { 'Content-Type': OCI_MANIFEST, 'Docker-Content-Digest': t.digest('keyless-ok') }, body });
    const outcome = await verify(viaProxy());
    proxy.clear();
    await expectRefused(outcome, 'DIGEST_MISMATCH', /Docker-Content-Digest/, before);
  });

  it('about the bytes behind a digest', async () => {
    const before = await runCount();
    const byDigest = `${proxy.host}/demo/keyless-ok@${t.digest('keyless-ok')}`;
    proxy.inject({ kind: 'status', status: 200, path: /\/manifests\/sha256:/, headers: { 'Content-Type': OCI_MANIFEST }, body: JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('x'), size: 1 }, layers: [] }) });
    const outcome = await verify(byDigest);
    proxy.clear();
    await expectRefused(outcome, 'DIGEST_MISMATCH', new RegExp(`but ${t.digest("keyless-ok")} was expected — the registry \\(or something in between\\) served different content`), before);
  });

  it('about the size of a manifest (announces 64 MiB)', async () => {
    const before = await runCount();
    proxy.inject({ kind: 'status', status: 200, path: manifestPath, headers: { 'Content-Type': OCI_MANIFEST, 'Content-Length': String(64 * 1024 * 1024) }, body: '' });
    const outcome = await verify(viaProxy());
    proxy.clear();
    await expectRefused(outcome, 'SIZE_LIMIT', /67108864 bytes, over the limit of 4194304 bytes/, before);
  });

  it('with a gigantic manifest (5 MiB, streamed past the limit)', async () => {
    const before = await runCount();
    const huge = Buffer.concat([Buffer.from(`{"schemaVersion":2,"mediaType":"${OCI_MANIFEST}","annotations":{"a":"`), Buffer.alloc(5 * 1024 * 1024, 0x61), Buffer.from('"}}')]);
    proxy.inject({ kind: 'status', status: 200, path: manifestPath, headers: { 'Content-Type': OCI_MANIFEST }, body: huge });
    const outcome = await verify(viaProxy());
    proxy.clear();
    await expectRefused(outcome, 'SIZE_LIMIT', /over the limit of 4194304 bytes/, before);
  });

  it('with deeply nested JSON', async () => {
    const before = await runCount();
    const deep = `{"schemaVersion":2,"mediaType":"${OCI_MANIFEST}","annotations":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    proxy.inject({ kind: 'status', status: 200, path: manifestPath, headers: { 'Content-Type': OCI_MANIFEST }, body: deep });
    const outcome = await verify(viaProxy());
    proxy.clear();
    await expectRefused(outcome, 'REGISTRY_BAD_RESPONSE', /JSON nested deeper than 64 levels/, before);
  });

  it('with a signature manifest of thousands of layers', async () => {
    const layer = { mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: sha('payload'), size: 7, annotations: { 'dev.cosignproject.cosign/signature': 'AAAA' } };
    const sigManifest = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha('{}'), size: 2 }, layers: Array.from({ length: 5000 }, () => layer) });
    const before = await runCount();
    proxy.inject({ kind: 'status', status: 200, path: new RegExp(`/manifests/${signatureTag(t.digest('keyless-ok')).replace('.', '\\.')}$`), headers: { 'Content-Type': OCI_MANIFEST }, body: sigManifest });
    const outcome = await verify(viaProxy());
    proxy.clear();
    // The image is fine; its signature manifest is not: never "verified", and the reason says why.
    expect(outcome.status).not.toBe('verified');
    const text = [outcome.errorMessage, ...(outcome.problems ?? []), outcome.summary].join('\n');
    expect(text).toMatch(/1024|too many|layers/i);
    expect(await runCount()).toBe(before + 1);
    expect(await snapshot(baseline.runId!)).toBe(baselineStored);
  });

  it('and once it stops lying, the same reference runs without error', async () => {
    const again = await verify(viaProxy());
    expect(again.errorCode, again.errorMessage).toBeUndefined();
    expect(again.digest).toBe(t.digest('keyless-ok'));
    expect(again.signatures.length).toBe(baseline.signatures.length);
  });
});
