/**
 * The cosign verification pipeline on layers signed by the sandbox's local Sigstore
 * (real Fulcio-style CA, CT log and Rekor keys) — no registry needed here.
 */
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DiscoveredSignature } from '../cosign/discovered';
import type { CosignSignatureLayer } from '../cosign/types';
import { ANNOTATION } from '../cosign/types';
import { startSigstoreInstance, type SigstoreInstance } from '../../sandbox/sigstore-instance';
import { discoveredFromLayer, GITHUB_ACTIONS_ISSUER, githubWorkflowIdentity, signKeyless, signWithKey, simpleSigningPayload } from '../../sandbox/cosign-sign';
import { compilePolicy } from './policy';
import { parseTrustedRoot, type LoadedTrustRoot } from './trust-root';
import { verifyCosignSignature } from './verify-cosign';

const DIGEST = `sha256:${createHash('sha256').update('image').digest('hex')}`;
const OTHER = `sha256:${createHash('sha256').update('other').digest('hex')}`;
const IDENTITY = githubWorkflowIdentity('acme/widget', '.github/workflows/release.yml@refs/heads/main');
const policy = compilePolicy({ identity: IDENTITY, issuer: GITHUB_ACTIONS_ISSUER });

let instance: SigstoreInstance;
let trust: LoadedTrustRoot;
let layer: CosignSignatureLayer;
let second: CosignSignatureLayer;

function discovered(l: CosignSignatureLayer, over: Partial<DiscoveredSignature> = {}): DiscoveredSignature {
  return discoveredFromLayer(l, DIGEST, { tag: 'sha256-x.sig', manifestDigest: DIGEST, ...over });
}

const verify = (s: DiscoveredSignature, p = policy, imageDigest = DIGEST) => verifyCosignSignature(s, { imageDigest, policy: p, trust: trust.material });

beforeAll(async () => {
  instance = await startSigstoreInstance();
  trust = parseTrustedRoot(Buffer.from(JSON.stringify(instance.trustedRoot)), 'sandbox');
  const claims = { repository: 'acme/widget', workflowRef: '.github/workflows/release.yml@refs/heads/main' };
  layer = await signKeyless(simpleSigningPayload('registry.test/acme/widget', DIGEST), instance, claims);
  second = await signKeyless(simpleSigningPayload('registry.test/acme/widget', DIGEST), instance, claims);
});
afterAll(async () => {
  vi.useRealTimers();
  await instance?.stop();
});

describe('verifyCosignSignature (keyless)', () => {
  it('verifies a good signature and records each check', () => {
    const r = verify(discovered(layer));
    expect(r.verdict).toBe('verified');
    expect(r.signer).toMatchObject({ kind: 'keyless', identity: IDENTITY, issuer: GITHUB_ACTIONS_ISSUER });
    expect(r.signer.github).toMatchObject({ repository: 'acme/widget', ref: 'refs/heads/main', trigger: 'push' });
    expect(r.rekor?.logId).toBe(instance.rekorLogIdHex);
    expect(r.checks.every((c) => c.passed)).toBe(true);
  });

  it('judges certificate validity at the Rekor integrated time, not now (the 10-minute certificate has expired an hour later)', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 60 * 60 * 1000);
    try {
      expect(verify(discovered(layer)).verdict).toBe('verified');
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves stack traces on after verifying (they are off only inside the synchronous verifier call)', () => {
    const limit = Error.stackTraceLimit;
    verify(discovered(layer));
    verify(discovered(layer, { bundleJson: second.annotations[ANNOTATION.bundle] }));
    verify(discovered(layer, { signatureB64: second.annotations[ANNOTATION.signature] }));
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it('reads a chain annotation it has seen before the same way, and a malformed one fails every time', () => {
    const first = verify(discovered(layer));
    expect(verify(discovered(second)).verdict).toBe('verified');
    expect(verify(discovered(layer))).toEqual(first);
    const broken = discovered(layer, { chainPem: '-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n' });
    for (let i = 0; i < 2; i++) expect(verify(broken).reasonCode).toBe('CERTIFICATE_MALFORMED');
  });

  it('without a signer policy the verdict is "signed-unchecked", never verified', () => {
    const r = verify(discovered(layer), compilePolicy({}));
    expect(r.verdict).toBe('signed-unchecked');
    expect(r.reason).toMatch(/^signed, signer not checked/);
  });

  it('fails closed with a precise reason for each defect', () => {
    const cases: Array<[string, DiscoveredSignature, string]> = [
      ['payload for another digest', discovered(layer), 'DIGEST_MISMATCH'],
      ['no Rekor bundle annotation', discovered(layer, { bundleJson: undefined }), 'TLOG_MISSING'],
      ['bundle annotation not JSON', discovered(layer, { bundleJson: '{' }), 'TLOG_SET_INVALID'],
      ['bundle annotation of another signature', discovered(layer, { bundleJson: second.annotations[ANNOTATION.bundle] }), 'TLOG_BODY_MISMATCH'],
      ['signature swapped', discovered(layer, { signatureB64: second.annotations[ANNOTATION.signature] }), 'TLOG_BODY_MISMATCH'],
      ['certificate garbage', discovered(layer, { certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' }), 'CERTIFICATE_MALFORMED'],
      ['no signature annotation', discovered(layer, { signatureB64: undefined, certificatePem: undefined }), 'SIGNATURE_MISSING'],
      ['payload not JSON', discovered(layer, { payload: Buffer.from('nope') }), 'PAYLOAD_MALFORMED'],
    ];
    for (const [name, sig, code] of cases) {
      const r = name === 'payload for another digest' ? verify(sig, policy, OTHER) : verify(sig);
      expect(r.verdict, name).toBe('failed');
      expect(r.reasonCode, name).toBe(code);
      expect(r.reason, name).toBeTruthy();
    }
  });

  it('a payload of another type is refused even when validly signed', async () => {
    const payload = Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': 'r' }, image: { 'docker-manifest-digest': DIGEST }, type: 'atomic container signature' }, optional: null }));
    const l = await signKeyless(payload, instance, { repository: 'acme/widget', workflowRef: '.github/workflows/release.yml@refs/heads/main' });
    const r = verify(discovered(l));
    expect(r.reasonCode).toBe('PAYLOAD_TYPE');
  });

  it('passes the checks before the failing one and no others', () => {
    const r = verify(discovered(layer), compilePolicy({ identity: `${IDENTITY}-hotfix`, issuer: GITHUB_ACTIONS_ISSUER }));
    expect(r.reasonCode).toBe('IDENTITY_MISMATCH');
    const names = r.checks.map((c) => c.name);
    expect(names).toContain('signature');
    expect(names).not.toContain('identity');
  });
});

/** The layer with the Rekor entry's public key (or certificate) PEM rewritten to CRLF line ends: same bytes, other text. */
function crlfEntryPem(l: CosignSignatureLayer): CosignSignatureLayer {
  const bundle = JSON.parse(l.annotations[ANNOTATION.bundle]!) as { Payload: { body: string } };
  const body = JSON.parse(Buffer.from(bundle.Payload.body, 'base64').toString('utf8')) as { spec: { signature: { publicKey: { content: string } } } };
  const pem = Buffer.from(body.spec.signature.publicKey.content, 'base64').toString('utf8');
  body.spec.signature.publicKey.content = Buffer.from(pem.replace(/\n/g, '\r\n')).toString('base64');
  bundle.Payload.body = Buffer.from(JSON.stringify(body)).toString('base64');
  return { ...l, annotations: { ...l.annotations, [ANNOTATION.bundle]: JSON.stringify(bundle) } };
}

describe('Rekor entry key comparison', () => {
  it('a policy key read back from the PEM Node writes is the same key, byte for byte (the shortcut for identical PEM text)', () => {
    const pairs = [
      generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      generateKeyPairSync('ec', { namedCurve: 'P-384' }),
      generateKeyPairSync('ed25519'),
      generateKeyPairSync('rsa', { modulusLength: 2048 }),
    ];
    for (const { publicKey } of pairs) {
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      expect(createPublicKey(pem).export({ type: 'spki', format: 'der' }).equals(publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    }
  });

  it('an entry holding the same key as other PEM text still matches (then fails only on the altered entry body)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyPolicy = compilePolicy({ keys: [publicKey.export({ type: 'spki', format: 'pem' }).toString()] });
    const signed = await signWithKey(simpleSigningPayload('registry.test/acme/widget', DIGEST), privateKey, { rekor: instance });
    expect(verify(discovered(signed), keyPolicy).verdict).toBe('verified');
    // Past the entry check (KEY_MISMATCH or TLOG_BODY_MISMATCH otherwise), stopped by the SET over the original body.
    expect(verify(discovered(crlfEntryPem(signed)), keyPolicy).reasonCode).toBe('TLOG_SET_INVALID');
    // Another key in the entry, whatever its text: the key does not match.
    const other = await signWithKey(simpleSigningPayload('registry.test/acme/widget', DIGEST), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, { rekor: instance });
    const swapped = discovered(signed, { bundleJson: crlfEntryPem(other).annotations[ANNOTATION.bundle] });
    expect(verify(swapped, keyPolicy).reasonCode).toBe('KEY_MISMATCH');
  });

  it('a keyless entry holding the same certificate as other PEM text still matches', () => {
    const r = verify(discovered(crlfEntryPem(layer)));
    expect(r.checks.find((c) => c.name === 'rekor-entry-matches')?.passed).toBe(true);
    expect(r.reasonCode).toBe('TLOG_SET_INVALID');
  });
});
