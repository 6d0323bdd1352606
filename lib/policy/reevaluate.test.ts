import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/support/fixtures';
import { compilePolicy, parsePublicKey } from '../verify/policy';
import { reevaluate, reverdictSignature, type StoredEvidence, type StoredSignatureEvidence } from './reevaluate';
import { parsePolicyYaml } from './parse';

const PEM = readFixture('x509-from-bundles', 'sigstore-js-release-2023-08-18.pem').toString();
const ID = 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const OTHER = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const FP = parsePublicKey(KEY).fingerprint;

const passed = (...names: string[]) => names.map((name) => ({ name, passed: true, detail: name === 'public-key' ? `signed by the policy's key sha256:${FP.slice(0, 16)}…` : name }));
const KEYLESS_OK = passed('payload-digest', 'transparency-log-timestamp', 'certificate-chain', 'sct', 'transparency-log', 'signature');

function sig(over: Partial<StoredSignatureEvidence>): StoredSignatureEvidence {
  return { resultId: 'r', kind: 'cosign-sig', platform: null, verdict: 'verified', reasonCode: null, reason: null, checks: KEYLESS_OK, certificatePem: PEM, publicKeyFingerprint: null, predicateType: null, statement: null, identity: ID, ...over };
}

const exact = compilePolicy({ identity: ID, issuer: ISSUER });
const tags = compilePolicy({ identity: ID, issuer: ISSUER, github: { refGlob: 'refs/tags/v*' } });
const keyPolicy = compilePolicy({ keys: [KEY] });

describe('reverdictSignature', () => {
  it('re-matches a keyless signature whose cryptography passed against the new signer policy', () => {
    expect(reverdictSignature(sig({}), exact).verdict).toBe('verified');
    expect(reverdictSignature(sig({}), tags)).toMatchObject({ verdict: 'failed', reasonCode: 'GITHUB_CLAIM_MISMATCH' });
    // A signature that failed only on the signer in the stored run can pass under a new policy.
    const mismatched = sig({ verdict: 'failed', reasonCode: 'IDENTITY_MISMATCH', checks: [...KEYLESS_OK, { name: 'identity-mismatch', passed: false, detail: 'x' }] });
    expect(reverdictSignature(mismatched, exact).verdict).toBe('verified');
    expect(reverdictSignature(sig({}), keyPolicy)).toMatchObject({ verdict: 'failed', reasonCode: 'KEYLESS_NOT_ALLOWED' });
    expect(reverdictSignature(sig({}), compilePolicy({})).verdict).toBe('signed-unchecked');
  });

  it('a cryptographic failure fails under every policy', () => {
    const tampered = sig({ verdict: 'failed', reasonCode: 'SIGNATURE_INVALID', reason: 'payload altered', checks: [...passed('certificate-chain'), { name: 'signature-invalid', passed: false, detail: 'x' }] });
    expect(reverdictSignature(tampered, exact)).toMatchObject({ verdict: 'failed', reasonCode: 'SIGNATURE_INVALID', reason: expect.stringContaining('payload altered') });
  });

  it('a signature accepted without a transparency log needs a policy that waives it', () => {
    const waived = sig({ checks: [...KEYLESS_OK, ...passed('transparency-log-waived')] });
    expect(reverdictSignature(waived, exact)).toMatchObject({ verdict: 'failed', reasonCode: 'TLOG_MISSING' });
    expect(reverdictSignature(waived, compilePolicy({ identity: ID, issuer: ISSUER, insecureIgnoreTlog: true })).verdict).toBe('verified');
  });

  it('key signatures: verified by its key, failed for another key, unknown when never checked', () => {
    const keyed = sig({ certificatePem: null, identity: null, checks: passed('payload-digest', 'transparency-log', 'signature', 'public-key') });
    expect(reverdictSignature(keyed, keyPolicy, { keys: [FP] }).verdict).toBe('verified');
    expect(reverdictSignature({ ...keyed, publicKeyFingerprint: FP }, keyPolicy).verdict).toBe('verified');
    expect(reverdictSignature(keyed, compilePolicy({ keys: [OTHER] }), { keys: [FP] })).toMatchObject({ verdict: 'failed', reasonCode: 'KEY_MISMATCH' });
    expect(reverdictSignature(keyed, exact, { keys: [FP] })).toMatchObject({ verdict: 'failed', reasonCode: 'KEY_NOT_ALLOWED' });
    expect(reverdictSignature(keyed, keyPolicy, {}).verdict).toBe('unknown');
    const unchecked = sig({ certificatePem: null, verdict: 'failed', reasonCode: 'KEY_REQUIRED', checks: [...passed('payload-digest'), { name: 'key-required', passed: false, detail: 'x' }] });
    expect(reverdictSignature(unchecked, keyPolicy).verdict).toBe('unknown');
  });
});

describe('reevaluate', () => {
  const evidence = (signatures: StoredSignatureEvidence[]): StoredEvidence => ({
    image: { id: 'i', registry: 'registry.example', repository: 'sigstore/js', digest: `sha256:${'a'.repeat(64)}`, tag: '1' },
    run: { id: 'run', createdAt: new Date(0), status: 'verified', policy: {}, summary: { text: 'Verified' }, usedPolicy: null },
    signatures,
  });
  const file = (mode: string, subject: string) =>
    parsePolicyYaml(`apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata: {name: js}
spec:
  mode: ${mode}
  images: [{glob: "registry.example/**"}]
  authorities:
    - keyless:
        identities: [{issuer: "${ISSUER}", subject: "${subject}"}]
`);

  it('decides like a live run: pass, fail (enforce), warn; unsigned; platform signatures are not the image', () => {
    expect(reevaluate(evidence([sig({})]), file('enforce', ID))).toMatchObject({ verdict: 'pass', status: 'verified', changed: false });
    expect(reevaluate(evidence([sig({})]), file('enforce', `${ID}x`))).toMatchObject({ verdict: 'fail', status: 'failed', changed: true });
    expect(reevaluate(evidence([sig({})]), file('warn', `${ID}x`))).toMatchObject({ verdict: 'warn', status: 'failed' });
    expect(reevaluate(evidence([sig({ platform: 'linux/amd64' })]), file('enforce', ID))).toMatchObject({ verdict: 'fail', status: 'unsigned' });
  });

  it('says unknown rather than guessing when the stored run never checked a signature', () => {
    const never = sig({ certificatePem: null, verdict: 'failed', reasonCode: 'KEY_REQUIRED', checks: [{ name: 'key-required', passed: false, detail: 'x' }] });
    expect(reevaluate(evidence([never]), file('enforce', ID))).toMatchObject({ verdict: 'fail' });
    const keyFile = parsePolicyYaml(`apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata: {name: k}
spec:
  images: [{glob: "**"}]
  authorities:
    - key:
        data: |
${KEY.trim().split('\n').map((l) => `          ${l}`).join('\n')}
`);
    expect(reevaluate(evidence([never]), keyFile)).toMatchObject({ verdict: 'unknown', status: 'unknown' });
  });
});
