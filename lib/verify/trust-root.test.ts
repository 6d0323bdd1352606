/**
 * loadTrustRoot's named roots: public-good (the @sigstore/tuf seed) and staging (the copy
 * shipped in ./trust-roots), both offline. Checked against the fixture copies and by
 * verifying a real staging bundle in-process.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/support/fixtures';
import { compilePolicy } from './policy';
import { loadTrustRoot, PUBLIC_GOOD, STAGING } from './trust-root';
import { verifySigstoreBundle } from './verify-bundle';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const STAGING_FIXTURE = readFixture('sigstore-python', 'staging-tuf', 'trusted_root.json');

describe("loadTrustRoot('staging')", () => {
  it('loads the shipped copy, byte-identical to the sigstore-python staging trusted root', () => {
    const staging = loadTrustRoot(STAGING);
    expect(staging.name).toBe('staging');
    expect(staging.hash).toBe(sha256(STAGING_FIXTURE));
    expect(readFileSync(path.join(__dirname, 'trust-roots', 'staging.json')).equals(STAGING_FIXTURE)).toBe(true);
    const urls = (staging.json as { tlogs: Array<{ baseUrl: string }> }).tlogs.map((t) => t.baseUrl);
    expect(urls).toContain('https://rekor.sigstage.dev');
  });

  it('leaves the public-good default as it was', () => {
    const pg = loadTrustRoot();
    expect(pg.name).toBe(PUBLIC_GOOD);
    expect(loadTrustRoot(PUBLIC_GOOD).hash).toBe(pg.hash);
    expect(pg.hash).toBe(sha256(readFixture('public-good-trust-root', 'targets', 'trusted_root.json')));
    expect(loadTrustRoot(STAGING).hash).not.toBe(pg.hash);
  });

  it('verifies a real staging bundle (sigstore-python bundle_v3) that public-good rejects', () => {
    const bundle = readFixture('sigstore-python', 'bundle_v3.txt.sigstore');
    const artifact = { bytes: readFixture('sigstore-python', 'bundle_v3.txt') };
    const policy = compilePolicy({ identity: 'william@yossarian.net', issuer: 'https://github.com/login/oauth' });
    const staged = verifySigstoreBundle(bundle, artifact, { policy, trust: loadTrustRoot(STAGING).material });
    expect(staged.reason ?? '').toBe('');
    expect(staged.verdict).toBe('verified');
    const pg = verifySigstoreBundle(bundle, artifact, { policy, trust: loadTrustRoot().material });
    expect({ verdict: pg.verdict, reasonCode: pg.reasonCode }).toEqual({ verdict: 'failed', reasonCode: 'CERTIFICATE_UNTRUSTED' });
  });
});
