/**
 * verify-bundle.ts: its own pieces. The prehashed signature check (digest-only artifacts)
 * is cross-checked against node:crypto; input handling, key-signed bundles and the
 * Rekor-entry signer check run on real fixture bundles, the last one through a test log
 * key that re-signs edited entries (so the edit gets past the SET and reaches the check).
 */
import { createHash, generateKeyPairSync, randomBytes, sign, verify as nodeVerify, constants, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readFixture, readFixtureJson } from '../../tests/support/fixtures';
import { compilePolicy, type PolicyInput } from './policy';
import type { ReasonCode, SignatureVerdict } from './result';
import { loadTrustRoot } from './trust-root';
import { verifySigstoreBundle, type BundleArtifact } from './verify-bundle';
import { verifyPrehashed } from './prehashed';
import type { TrustMaterial } from '@sigstore/verify';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const trust = loadTrustRoot().material;
const GHA = 'https://token.actions.githubusercontent.com';
const BEACON = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const A_TXT = readFixture('conformance-sample', 'bundle-verify', 'a.txt');
const conformance = (name: string) => readFixtureJson<Json>('conformance-sample', 'bundle-verify', name, 'bundle.sigstore.json');
const MANAGED_KEY = readFixture('conformance-sample', 'bundle-verify', 'managed-key-happy-path', 'key.pub').toString('utf8');

const sha256hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const clone = <T>(v: T): T => structuredClone(v);
function flipB64(b64: string, at: number): string {
  const bytes = Buffer.from(b64, 'base64');
  const i = at < 0 ? bytes.length + at : at;
  bytes[i] = bytes[i]! ^ 0x01;
  return bytes.toString('base64');
}

function run(bundle: unknown, artifact: BundleArtifact, policy: PolicyInput, opts: { trust?: TrustMaterial; allowNoTlog?: boolean } = {}): SignatureVerdict {
  return verifySigstoreBundle(bundle, artifact, { policy: compilePolicy(policy), trust: opts.trust ?? trust, allowNoTlog: opts.allowNoTlog });
}
function expectFailed(v: SignatureVerdict, code: ReasonCode, reason?: RegExp): void {
  expect({ verdict: v.verdict, reasonCode: v.reasonCode }).toEqual({ verdict: 'failed', reasonCode: code });
  if (reason) expect(v.reason).toMatch(reason);
}
function expectVerified(v: SignatureVerdict): void {
  expect(v.reason ?? '').toBe('');
  expect(v.verdict).toBe('verified');
}

// ---------------------------------------------------------------------------------------
describe('verifyPrehashed: signatures over a digest', () => {
  it.each([
    ['prime256v1', 'sha256'],
    ['prime256v1', 'sha512'], // digest longer than n: truncated
    ['secp384r1', 'sha384'],
    ['secp384r1', 'sha256'], // digest shorter than n
  ] as const)('ECDSA %s with %s agrees with node:crypto', (namedCurve, alg) => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
    const other = generateKeyPairSync('ec', { namedCurve }).publicKey;
    for (let i = 0; i < 10; i++) {
      const msg = randomBytes(50 + i);
      const digest = createHash(alg).update(msg).digest();
      const sig = sign(alg, msg, privateKey);
      expect(verifyPrehashed(publicKey, digest, alg, sig)).toBe(true);
      const badDigest = Buffer.from(digest);
      badDigest[i] = badDigest[i]! ^ 0x80;
      expect(verifyPrehashed(publicKey, badDigest, alg, sig)).toBe(false);
      const badSig = Buffer.from(sig);
      badSig[badSig.length - 1] = badSig[badSig.length - 1]! ^ 0x01;
      expect(verifyPrehashed(publicKey, digest, alg, badSig)).toBe(nodeVerify(alg, msg, publicKey, badSig));
      expect(verifyPrehashed(publicKey, digest, alg, badSig)).toBe(false);
      expect(verifyPrehashed(other, digest, alg, sig)).toBe(false);
    }
  });

  it('rejects out-of-range and non-DER ECDSA signatures', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const msg = Buffer.from('sigscope');
    const digest = createHash('sha256').update(msg).digest();
    const sig = sign('sha256', msg, privateKey);
    const der = (r: bigint, s: bigint) => {
      const int = (v: bigint) => {
        let h = v.toString(16);
        if (h.length % 2) h = `0${h}`;
        let b = Buffer.from(h, 'hex');
        if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
        return Buffer.concat([Buffer.from([0x02, b.length]), b]);
      };
      const body = Buffer.concat([int(r), int(s)]);
      return Buffer.concat([Buffer.from([0x30, body.length]), body]);
    };
    // r and s as node produced them, then s + n: same residue, outside [1, n-1].
    const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
    const rLen = sig[3]!;
    const r = BigInt(`0x${sig.subarray(4, 4 + rLen).toString('hex')}`);
    const s = BigInt(`0x${sig.subarray(6 + rLen).toString('hex')}`);
    expect(verifyPrehashed(publicKey, digest, 'sha256', der(r, s))).toBe(true);
    expect(nodeVerify('sha256', msg, publicKey, der(r, s + P256_N))).toBe(false);
    expect(verifyPrehashed(publicKey, digest, 'sha256', der(r, s + P256_N))).toBe(false);
    expect(verifyPrehashed(publicKey, digest, 'sha256', Buffer.concat([sig, Buffer.from([0])]))).toBe(false); // trailing byte
    expect(verifyPrehashed(publicKey, digest, 'sha256', der(0n, 1n))).toBe(false);
    expect(verifyPrehashed(publicKey, digest, 'sha256', der(1n, P256_N))).toBe(false);
    expect(verifyPrehashed(publicKey, digest, 'sha256', Buffer.alloc(0))).toBe(false);
    expect(verifyPrehashed(publicKey, digest, 'sha256', Buffer.from('3006020100020100', 'hex'))).toBe(false);
  });

  it('RSA PKCS#1 v1.5 through node:crypto; PSS and Ed25519 are not checked from a digest', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const msg = Buffer.from('artifact');
    const digest = createHash('sha256').update(msg).digest();
    expect(verifyPrehashed(publicKey, digest, 'sha256', sign('sha256', msg, privateKey))).toBe(true);
    expect(verifyPrehashed(publicKey, createHash('sha256').update('other').digest(), 'sha256', sign('sha256', msg, privateKey))).toBe(false);
    expect(verifyPrehashed(publicKey, digest, 'sha256', sign('sha256', msg, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING }))).toBe(false);
    const ed = generateKeyPairSync('ed25519');
    expect(() => verifyPrehashed(ed.publicKey, digest, 'sha256', sign(null, msg, ed.privateKey))).toThrow(/give the artifact bytes/);
  });
});

// ---------------------------------------------------------------------------------------
describe('verifySigstoreBundle input handling', () => {
  const base = conformance('happy-path-v0.3');
  const policy = { identity: BEACON, issuer: GHA };

  it.each([
    ['text that is not JSON', '{"mediaType": '],
    ['bytes that are not JSON', Buffer.from('not json')],
    ['null', null],
    ['an array', [base]],
    ['a number', 42],
  ])('%s → PAYLOAD_MALFORMED, never a throw', (_what, input) => {
    expectFailed(run(input, { bytes: A_TXT }, policy), 'PAYLOAD_MALFORMED');
  });

  it('an unknown media type, or a bundle missing required fields, is PAYLOAD_MALFORMED with the field named', () => {
    expectFailed(run({ ...base, mediaType: 'application/vnd.dev.sigstore.bundle.v9+json' }, { bytes: A_TXT }, policy), 'PAYLOAD_MALFORMED', /media type/);
    const b = clone(base);
    delete b.messageSignature.signature;
    delete b.verificationMaterial.certificate;
    expectFailed(run(b, { bytes: A_TXT }, policy), 'PAYLOAD_MALFORMED', /verificationMaterial/);
  });

  it('JSON text, bytes and a parsed object give the same verdict', () => {
    const text = JSON.stringify(base);
    for (const input of [base, text, Buffer.from(text)]) expectVerified(run(input, { bytes: A_TXT }, policy));
  });

  it('a message signature needs the artifact: no artifact, a malformed digest, or bytes and digest that disagree fail', () => {
    expectFailed(run(base, {}, policy), 'DIGEST_MISMATCH', /give its bytes or its sha256 digest/);
    expectFailed(run(base, { digest: 'sha256:abc' }, policy), 'DIGEST_MISMATCH', /not of the form/);
    expectFailed(run(base, { digest: `sha512:${sha256hex(A_TXT)}` }, policy), 'DIGEST_MISMATCH', /not of the form/);
    expectFailed(run(base, { bytes: A_TXT, digest: `sha256:${sha256hex('x')}` }, policy), 'DIGEST_MISMATCH', /do not have the given digest/);
    expectVerified(run(base, { bytes: A_TXT, digest: `sha256:${sha256hex(A_TXT).toUpperCase()}` }, policy));
  });

  it('records each passed stage, and stops at the failing one', () => {
    const ok = run(base, { digest: `sha256:${sha256hex(A_TXT)}` }, policy);
    expectVerified(ok);
    expect(ok.checks.map((c) => c.name)).toEqual(['bundle-format', 'artifact-digest', 'certificate-decode', 'transparency-log-timestamp', 'certificate-chain', 'sct', 'transparency-log', 'signature', 'rekor-entry-signer', 'identity', 'issuer']);
    expect(ok.checks.find((c) => c.name === 'signature')?.detail).toMatch(/artifact digest/);
    expect(ok.signer).toMatchObject({ kind: 'keyless', identity: BEACON, issuer: GHA, github: { repository: 'sigstore-conformance/extremely-dangerous-public-oidc-beacon' } });
    expect(ok.signer.certificateFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(ok.rekor).toMatchObject({ logId: 'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d', integratedTime: new Date(Number(base.verificationMaterial.tlogEntries[0].integratedTime) * 1000).toISOString() });

    const b = clone(base);
    const e = b.verificationMaterial.tlogEntries[0];
    e.inclusionPromise.signedEntryTimestamp = flipB64(e.inclusionPromise.signedEntryTimestamp, 10);
    const bad = run(b, { bytes: A_TXT }, policy);
    expectFailed(bad, 'TLOG_SET_INVALID');
    expect(bad.checks.map((c) => c.name)).toEqual(['bundle-format', 'artifact-digest', 'certificate-decode', 'transparency-log-timestamp', 'certificate-chain', 'sct', 'tlog-set-invalid']);
    expect(bad.checks.at(-1)?.passed).toBe(false);
  });

  it('a crash inside the verifier (not a VerificationError) is VERIFIER_ERROR, never a throw', () => {
    const broken = { ...trust, tlogs: null } as unknown as TrustMaterial;
    const v = run(base, { bytes: A_TXT }, policy, { trust: broken });
    expectFailed(v, 'VERIFIER_ERROR', /@sigstore\/verify failed on this bundle/);
  });

  it('a keyless bundle under a key-only policy: crypto checked, then KEYLESS_NOT_ALLOWED', () => {
    const v = run(base, { bytes: A_TXT }, { keys: [MANAGED_KEY] });
    expectFailed(v, 'KEYLESS_NOT_ALLOWED');
    expect(v.checks.map((c) => c.name)).toContain('signature');
  });
});

// ---------------------------------------------------------------------------------------
describe('key-signed bundles (publicKey hint)', () => {
  const bundle = conformance('managed-key-happy-path'); // hashedrekord entry + TSA timestamp, public-good
  const otherKey = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

  it('the hint is the base64 sha256 of the key: that key is tried first and named', () => {
    const policy = compilePolicy({ keys: [otherKey(), MANAGED_KEY] });
    expect(Buffer.from(policy.keys[1]!.fingerprint, 'hex').toString('base64')).toBe(bundle.verificationMaterial.publicKey.hint);
    const v = verifySigstoreBundle(bundle, { bytes: A_TXT }, { policy, trust });
    expectVerified(v);
    expect(v.signer).toEqual({ kind: 'key', keyFingerprint: policy.keys[1]!.fingerprint });
    expect(v.checks.find((c) => c.name === 'public-key')?.detail).toMatch(/named by the bundle hint/);
    expect(v.rekor?.logIndex).toBe(Number(bundle.verificationMaterial.tlogEntries[0].logIndex));
  });

  it('any policy key is tried even when the hint names none of them', () => {
    const b = clone(bundle);
    b.verificationMaterial.publicKey.hint = 'unrelated-hint';
    expectVerified(run(b, { digest: `sha256:${sha256hex(A_TXT)}` }, { keys: [otherKey(), MANAGED_KEY] }));
  });

  it('wrong keys only → KEY_MISMATCH; an identity policy → KEY_NOT_ALLOWED; no policy → KEY_REQUIRED (a key signature is not checkable without its key)', () => {
    expectFailed(run(bundle, { bytes: A_TXT }, { keys: [otherKey(), otherKey()] }), 'KEY_MISMATCH', /any of the 2 given public keys/);
    expectFailed(run(bundle, { bytes: A_TXT }, { identity: BEACON, issuer: GHA }), 'KEY_NOT_ALLOWED');
    const v = run(bundle, { bytes: A_TXT }, {});
    expect({ verdict: v.verdict, reasonCode: v.reasonCode, kind: v.signer.kind }).toEqual({ verdict: 'failed', reasonCode: 'KEY_REQUIRED', kind: 'key' });
  });

  it('without its tlog entry: TLOG_MISSING, unless allowNoTlog', () => {
    const b = clone(bundle);
    b.verificationMaterial.tlogEntries = [];
    expectFailed(run(b, { bytes: A_TXT }, { keys: [MANAGED_KEY] }), 'TLOG_MISSING');
    const v = run(b, { bytes: A_TXT }, { keys: [MANAGED_KEY] }, { allowNoTlog: true });
    expectVerified(v);
    expect(v.checks.map((c) => c.name)).toContain('transparency-log-waived');
  });
});

// ---------------------------------------------------------------------------------------
// A test log: its key is added to the public-good trust material, and it re-signs the SET
// of an edited entry. The rest of the chain (Fulcio certificate, SCT, integrated time) is
// the real one from happy-path-v0.1.
describe('Rekor entry contents, past a valid SET', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const logId = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
  const withTestLog: TrustMaterial = {
    ...trust,
    tlogs: [...trust.tlogs, { logID: logId, baseURL: 'https://rekor.test.invalid', publicKey, validFor: { start: new Date(0), end: new Date(8.64e15) } }],
  };
  const base = conformance('happy-path-v0.1'); // v0.1: a SET is enough, no proof needed
  const policy = { identity: BEACON, issuer: GHA };

  /** Re-logs the bundle's entry in the test log after `edit` changed its body. */
  function relog(edit: (bundle: Json, body: Json) => void): Json {
    const b = clone(base);
    const e = b.verificationMaterial.tlogEntries[0];
    const body = JSON.parse(Buffer.from(e.canonicalizedBody, 'base64').toString('utf8'));
    edit(b, body);
    e.canonicalizedBody = Buffer.from(JSON.stringify(body)).toString('base64');
    e.logId.keyId = logId.toString('base64');
    delete e.inclusionProof;
    // The SET signs the canonical JSON {body, integratedTime, logID, logIndex} (keys sorted).
    const payload = JSON.stringify({ body: e.canonicalizedBody, integratedTime: Number(e.integratedTime), logID: logId.toString('hex'), logIndex: Number(e.logIndex) });
    e.inclusionPromise.signedEntryTimestamp = sign('sha256', Buffer.from(payload), privateKey).toString('base64');
    return b;
  }

  it('control: the unedited entry, re-logged in the test log, verifies (and not without that log)', () => {
    const b = relog(() => {});
    expectVerified(run(b, { bytes: A_TXT }, policy, { trust: withTestLog }));
    expectFailed(run(b, { bytes: A_TXT }, policy), 'TLOG_SET_INVALID');
  });

  it('an entry recording another certificate (same signature and digest): TLOG_BODY_MISMATCH from our own check', () => {
    const otherCert = JSON.parse(Buffer.from(readFixtureJson<Json>('sigstore-java', 'bundles', 'bundle.v3.sigstore').verificationMaterial.tlogEntries[0].canonicalizedBody, 'base64').toString('utf8')).spec.signature.publicKey.content;
    const b = relog((_b, body) => {
      expect(body.spec.signature.publicKey.content).not.toBe(otherCert);
      body.spec.signature.publicKey.content = otherCert;
    });
    const v = run(b, { bytes: A_TXT }, policy, { trust: withTestLog });
    expectFailed(v, 'TLOG_BODY_MISMATCH', /different certificate/);
    expect(v.checks.map((c) => c.name)).toContain('signature'); // @sigstore/verify accepted it
  });

  it('an entry recording the certificate as a bare public key of the same key is accepted', () => {
    const b = relog((bundle, body) => {
      const der = Buffer.from(bundle.verificationMaterial.x509CertificateChain.certificates[0].rawBytes, 'base64');
      const pem = new X509Certificate(der).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      body.spec.signature.publicKey.content = Buffer.from(pem).toString('base64');
    });
    expectVerified(run(b, { bytes: A_TXT }, policy, { trust: withTestLog }));
  });

  it('an entry for another digest: TLOG_BODY_MISMATCH', () => {
    const b = relog((_b, body) => {
      body.spec.data.hash.value = sha256hex('another artifact');
    });
    expectFailed(run(b, { bytes: A_TXT }, policy, { trust: withTestLog }), 'TLOG_BODY_MISMATCH', /digest mismatch/);
  });

  it('a signature altered in the bundle and the entry alike: SIGNATURE_INVALID (bytes and digest)', () => {
    const b = relog((bundle, body) => {
      bundle.messageSignature.signature = flipB64(bundle.messageSignature.signature, -1);
      body.spec.signature.content = bundle.messageSignature.signature;
    });
    expectFailed(run(b, { bytes: A_TXT }, policy, { trust: withTestLog }), 'SIGNATURE_INVALID');
    expectFailed(run(b, { digest: `sha256:${sha256hex(A_TXT)}` }, policy, { trust: withTestLog }), 'SIGNATURE_INVALID');
  });
});

// ---------------------------------------------------------------------------------------
describe('Ed25519 key-signed message bundle (no tlog)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { publicKey: { hint: 'ed25519-test' }, tlogEntries: [] },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(A_TXT).digest('base64') },
      signature: sign(null, A_TXT, privateKey).toString('base64'),
    },
  };

  it('verifies with the bytes (@sigstore/verify alone would report a bad signature)', () => {
    const v = run(bundle, { bytes: A_TXT }, { keys: [pem] }, { allowNoTlog: true });
    expectVerified(v);
    expect(v.signer.keyFingerprint).toBe(compilePolicy({ keys: [pem] }).keys[0]!.fingerprint);
  });

  it('a wrong signature, or a digest instead of the bytes, fails', () => {
    const b = clone(bundle);
    b.messageSignature.signature = flipB64(b.messageSignature.signature, 5);
    expectFailed(run(b, { bytes: A_TXT }, { keys: [pem] }, { allowNoTlog: true }), 'KEY_MISMATCH');
    expectFailed(run(bundle, { digest: `sha256:${sha256hex(A_TXT)}` }, { keys: [pem] }, { allowNoTlog: true }), 'VERIFIER_ERROR', /give the artifact bytes/);
  });
});
