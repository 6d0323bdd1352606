/**
 * verifySigstoreBundle() on real public-good Sigstore data from ../shared/fixtures, offline,
 * against the trust root loadTrustRoot() ships (the @sigstore/tuf seed). Every variant
 * (flipped byte, wrong identity) is built here from the fixture bytes; the fixtures stay
 * untouched. Reason codes asserted below are the ones observed with @sigstore/verify 4.1.3.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Verifier, toSignedEntity } from '@sigstore/verify';
import { bundleFromJSON } from '@sigstore/bundle';
import { describe, expect, it } from 'vitest';
import { fixturePath, readFixture, readFixtureJson } from '../../tests/support/fixtures';
import { SigscopeError } from '../errors';
import { compilePolicy, type PolicyInput } from './policy';
import type { ReasonCode, SignatureVerdict } from './result';
import { loadTrustRoot, parseTrustedRoot } from './trust-root';
import { verifySigstoreBundle, type BundleArtifact } from './verify-bundle';

const GHA = 'https://token.actions.githubusercontent.com';
const GOOGLE = 'https://accounts.google.com';
const BEACON = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const AA_TEST = 'https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main';

const publicGood = loadTrustRoot();
const trust = publicGood.material;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const clone = <T>(v: T): T => structuredClone(v);
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
/** Flips the low bit of byte `at` (negative: from the end) of a base64 string. */
function flipB64(b64: string, at: number): string {
  const bytes = Buffer.from(b64, 'base64');
  const i = at < 0 ? bytes.length + at : at;
  bytes[i] = bytes[i]! ^ 0x01;
  return bytes.toString('base64');
}
function flipBuf(b: Buffer, at: number): Buffer {
  const out = Buffer.from(b);
  const i = at < 0 ? out.length + at : at;
  out[i] = out[i]! ^ 0x01;
  return out;
}
/** The leaf certificate's place in a v0.1/v0.2 (chain) or v0.3 (single certificate) bundle. */
function leaf(b: Json): { rawBytes: string } {
  const vm = b.verificationMaterial;
  return vm.certificate ?? vm.x509CertificateChain.certificates[0];
}
/** The digest a message-signature bundle signs, as `sha256:<hex>`. */
function messageDigestOf(b: Json): string {
  return `sha256:${Buffer.from(b.messageSignature.messageDigest.digest, 'base64').toString('hex')}`;
}

function verify(bundle: unknown, artifact: BundleArtifact, policy: PolicyInput, opts: { trust?: typeof trust; allowNoTlog?: boolean } = {}): SignatureVerdict {
  return verifySigstoreBundle(bundle, artifact, { policy: compilePolicy(policy), trust: opts.trust ?? trust, allowNoTlog: opts.allowNoTlog });
}

function expectFailed(v: SignatureVerdict, code: ReasonCode): void {
  expect({ verdict: v.verdict, reasonCode: v.reasonCode }).toEqual({ verdict: 'failed', reasonCode: code });
  expect(v.reason).toBeTruthy();
}

function expectVerified(v: SignatureVerdict): void {
  expect(v.reason ?? '').toBe('');
  expect(v.verdict).toBe('verified');
  expect(v.checks.every((c) => c.passed)).toBe(true);
}

it('loadTrustRoot() is byte-identical to the fixture copy of the public-good trusted_root.json', () => {
  expect(publicGood.hash).toBe(createHash('sha256').update(readFixture('public-good-trust-root', 'targets', 'trusted_root.json')).digest('hex'));
});

// ---------------------------------------------------------------------------------------
describe('sigstore-conformance bundle-verify sample', () => {
  const root = fixturePath('conformance-sample', 'bundle-verify');
  const cases = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

  // Observed reason for every _fail case; the table must name exactly the _fail cases.
  const EXPECTED_FAILURE: Record<string, ReasonCode | 'INVALID_POLICY'> = {
    'bundle-from-wrong-instance_fail': 'CERTIFICATE_UNTRUSTED', // staging Fulcio
    'bundle-malformed-json_fail': 'PAYLOAD_MALFORMED',
    'checkpoint-wrong-roothash_fail': 'TLOG_PROOF_INVALID',
    'dsse-invalid-sig_fail': 'TLOG_BODY_MISMATCH', // the entry records the real signature
    'incorrect-public-key_fail': 'TLOG_SET_INVALID', // the body was edited, the SET covers it
    'integrated-time-in-future_fail': 'CERTIFICATE_UNTRUSTED', // cert not valid at integrated time
    'intoto-expired-certificate_fail': 'CERTIFICATE_UNTRUSTED',
    'intoto-missing-inclusion-proof_fail': 'PAYLOAD_MALFORMED', // bundleFromJSON: v0.2 needs a proof
    'invalid-checkpoint-signature_fail': 'TLOG_PROOF_INVALID',
    'invalid-inclusion-proof_fail': 'PAYLOAD_MALFORMED', // bundleFromJSON: v0.2 proof needs a checkpoint
    'managed-key-wrong-key_fail': 'INVALID_POLICY', // its key.pub is not a readable key
    'rekor2-no-timestamp_fail': 'TIMESTAMP_MISSING',
    'set-invalid-signature_fail': 'TLOG_SET_INVALID',
    'signature-mismatch_fail': 'TLOG_BODY_MISMATCH',
    'wrong-material_fail': 'DIGEST_MISMATCH',
  };

  it('holds the 24 cases the README lists, and the table covers every _fail case', () => {
    expect(cases).toHaveLength(24);
    expect(Object.keys(EXPECTED_FAILURE).sort()).toEqual(cases.filter((c) => c.endsWith('_fail')));
  });

  it.each(cases)('%s', (name) => {
    const dir = path.join(root, name);
    const opt = (f: string) => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f)) : undefined);
    const bundleBytes = readFileSync(path.join(dir, 'bundle.sigstore.json'));
    const artifact = opt('artifact') ?? readFileSync(path.join(root, 'a.txt'));
    const caseRoot = opt('trusted_root.json');
    const material = caseRoot ? parseTrustedRoot(caseRoot, `${name}/trusted_root.json`).material : trust;
    const key = opt('key.pub')?.toString('utf8');
    const identity = opt('identity')?.toString('utf8').trim() ?? BEACON;
    const issuer = opt('issuer')?.toString('utf8').trim() ?? GHA;
    const input: PolicyInput = key ? { keys: [key] } : { identity, issuer };
    const shouldFail = name.endsWith('_fail');

    let policy;
    try {
      policy = compilePolicy(input);
    } catch (e) {
      expect(shouldFail).toBe(true);
      expect(e).toBeInstanceOf(SigscopeError);
      expect((e as SigscopeError).code).toBe(EXPECTED_FAILURE[name]);
      return;
    }
    // Once with the bytes, once with only their digest: same outcome.
    for (const art of [{ bytes: artifact }, { digest: sha256(artifact) }] satisfies BundleArtifact[]) {
      const v = verifySigstoreBundle(bundleBytes, art, { policy, trust: material });
      if (shouldFail) {
        expectFailed(v, EXPECTED_FAILURE[name] as ReasonCode);
      } else {
        expectVerified(v);
        if (key) expect(v.signer.keyFingerprint).toBe(policy.keys[0]!.fingerprint);
        else expect({ identity: v.signer.identity, issuer: v.signer.issuer }).toEqual({ identity, issuer });
      }
    }
  });

  it('managed-key-happy-path fails with KEY_MISMATCH under another (well-formed) key', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const v = verify(readFixture('conformance-sample', 'bundle-verify', 'managed-key-happy-path', 'bundle.sigstore.json'), { bytes: readFixture('conformance-sample', 'bundle-verify', 'a.txt') }, { keys: [other] });
    expectFailed(v, 'KEY_MISMATCH');
  });
});

// ---------------------------------------------------------------------------------------
describe('real public-good bundles verify with their exact identity and issuer', () => {
  it('rfc8785.py wheel (v0.2, GitHub Actions), by digest; a flipped digest fails', () => {
    const b = readFixtureJson<Json>('sigstore-python', 'bundle_v3_github.whl.sigstore');
    const digest = messageDigestOf(b);
    const policy = { identity: 'https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2', issuer: GHA };
    const v = verify(b, { digest }, policy);
    expectVerified(v);
    expect(v.checks.map((c) => c.name)).toContain('artifact-digest');
    expect(v.signer.github).toMatchObject({ repository: 'trailofbits/rfc8785.py', ref: 'refs/tags/v0.1.2' });
    expect(v.rekor).toEqual({ logIndex: 79605083, logId: 'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d', integratedTime: '2024-03-19T22:41:16.000Z' });

    const hex = digest.slice('sha256:'.length);
    const flipped = `sha256:${(parseInt(hex[0]!, 16) ^ 1).toString(16)}${hex.slice(1)}`;
    expectFailed(verify(b, { digest: flipped }, policy), 'DIGEST_MISMATCH');
  });

  it('sigstore-java bundle.v3 (message signature, Google account)', () => {
    const v = verify(readFixture('sigstore-java', 'bundles', 'bundle.v3.sigstore'), { bytes: readFixture('sigstore-java', 'bundles', 'artifact.txt') }, { identity: 'appu@google.com', issuer: GOOGLE });
    expectVerified(v);
    expect(v.rekor?.logIndex).toBe(41958702);
  });

  it('sigstore-java bundle.dsse (DSSE, dsse 0.0.1 entry, GitHub Actions)', () => {
    const v = verify(readFixture('sigstore-java', 'bundles', 'bundle.dsse.sigstore'), {}, { identity: AA_TEST, issuer: GHA, github: { repository: 'loosebazooka/aa-test', ref: 'refs/heads/main' } });
    expectVerified(v);
    expect(v.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['transparency-log', 'signature', 'rekor-entry-signer', 'identity', 'issuer', 'github-repository', 'github-ref']));
  });

  it('sigstore-java bundle.dsse.rekor-v2 (public-good Rekor v2 + TSA)', () => {
    const v = verify(readFixture('sigstore-java', 'bundles', 'bundle.dsse.rekor-v2.sigstore'), {}, { identity: 'untrusted-sa@sigstore-conformance.iam.gserviceaccount.com', issuer: GOOGLE });
    expectVerified(v);
    expect(v.checks.find((c) => c.name === 'transparency-log-timestamp')?.detail).toMatch(/RFC 3161/);
    expect(v.rekor).toBeUndefined(); // a Rekor v2 entry has no integrated time
  });

  it('cosign oci-attestation (v0.3 DSSE, GitHub OAuth)', () => {
    expectVerified(verify(readFixture('cosign', 'pkg', 'cosign', 'testdata', 'oci-attestation.sigstore.json'), {}, { identity: 'cody@soyland.com', issuer: 'https://github.com/login/oauth' }));
  });

  it('sigstore.js@2.0.0 npm provenance (v0.1 DSSE, intoto 0.0.2 entry), with GitHub claims', () => {
    const bundle = readFixture('sigstore-go', 'bundles', 'sigstore.js@2.0.0-provenance.sigstore.json');
    const identity = 'https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main';
    expectVerified(verify(bundle, {}, { identity, issuer: GHA, github: { repository: 'sigstore/sigstore-js', trigger: 'push' } }));
    expectFailed(verify(bundle, {}, { identity, issuer: GHA, github: { repository: 'sigstore/sigstore-js-fork' } }), 'GITHUB_CLAIM_MISMATCH');
  });

  it('with no signer policy the result is signed-unchecked, after the crypto checks passed', () => {
    const v = verify(readFixture('sigstore-java', 'bundles', 'bundle.dsse.sigstore'), {}, {});
    expect(v.verdict).toBe('signed-unchecked');
    expect(v.reasonCode).toBe('UNSIGNED_BY_POLICY');
    expect(v.checks.map((c) => c.name)).toContain('signature');
    expect(v.signer.identity).toBe(AA_TEST);
  });
});

// ---------------------------------------------------------------------------------------
describe('edits of real bytes fail with a specific reason', () => {
  // happy-path-v0.3: public-good message signature over a.txt, hashedrekord entry with SET and proof.
  const base = readFixtureJson<Json>('conformance-sample', 'bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json');
  const artifact = readFixture('conformance-sample', 'bundle-verify', 'a.txt');
  const policy = { identity: BEACON, issuer: GHA };

  it('the unedited bundle verifies (the control for every edit below)', () => {
    expectVerified(verify(base, { bytes: artifact }, policy));
  });

  it('one flipped byte of the signature: the Rekor entry records another signature', () => {
    const b = clone(base);
    b.messageSignature.signature = flipB64(b.messageSignature.signature, -1);
    expectFailed(verify(b, { bytes: artifact }, policy), 'TLOG_BODY_MISMATCH');
  });

  it('one flipped byte of the artifact (bytes or digest): DIGEST_MISMATCH', () => {
    expectFailed(verify(base, { bytes: flipBuf(artifact, 10) }, policy), 'DIGEST_MISMATCH');
    expectFailed(verify(base, { digest: sha256(flipBuf(artifact, 10)) }, policy), 'DIGEST_MISMATCH');
  });

  it('one flipped byte of the SET: TLOG_SET_INVALID', () => {
    const b = clone(base);
    const e = b.verificationMaterial.tlogEntries[0];
    e.inclusionPromise.signedEntryTimestamp = flipB64(e.inclusionPromise.signedEntryTimestamp, -1);
    expectFailed(verify(b, { bytes: artifact }, policy), 'TLOG_SET_INVALID');
  });

  it('one flipped byte of the certificate (inside its CA signature): CERTIFICATE_UNTRUSTED', () => {
    const b = clone(base);
    leaf(b).rawBytes = flipB64(leaf(b).rawBytes, -1);
    const v = verify(b, { bytes: artifact }, policy);
    expectFailed(v, 'CERTIFICATE_UNTRUSTED');
    expect(v.checks.map((c) => c.name)).toEqual(['bundle-format', 'artifact-digest', 'certificate-decode', 'transparency-log-timestamp', 'certificate-untrusted']);
  });

  it('an edited tlog body (another artifact digest): the SET no longer covers it', () => {
    const b = clone(base);
    const e = b.verificationMaterial.tlogEntries[0];
    const body = JSON.parse(Buffer.from(e.canonicalizedBody, 'base64').toString('utf8'));
    body.spec.data.hash.value = createHash('sha256').update('another artifact').digest('hex');
    e.canonicalizedBody = Buffer.from(JSON.stringify(body)).toString('base64');
    expectFailed(verify(b, { bytes: artifact }, policy), 'TLOG_SET_INVALID');
  });

  it("a genuine tlog entry from another signing of the same artifact: its integrated time is outside this certificate's validity", () => {
    // sigstore-java bundle.v3 signs the same a.txt bytes (other key, other day). The entry's
    // SET is genuine, so its integrated time becomes the signing time, and the 10-minute
    // beacon certificate was not valid then: the chain check fails before the body check.
    // (A genuine entry that differs only in the body: bundle-with-wrong-tlog-entry below.)
    const other = readFixtureJson<Json>('sigstore-java', 'bundles', 'bundle.v3.sigstore');
    expect(messageDigestOf(other)).toBe(sha256(artifact));
    const b = clone(base);
    b.verificationMaterial.tlogEntries = other.verificationMaterial.tlogEntries;
    expectFailed(verify(b, { bytes: artifact }, policy), 'CERTIFICATE_UNTRUSTED');
  });

  it('DSSE: a flipped payload byte or signature byte no longer matches the Rekor entry', () => {
    const dsse = readFixtureJson<Json>('sigstore-java', 'bundles', 'bundle.dsse.sigstore');
    const p = { identity: AA_TEST, issuer: GHA };
    const payload = clone(dsse);
    payload.dsseEnvelope.payload = flipB64(payload.dsseEnvelope.payload, 20);
    expect(verify(payload, {}, p).reason).toMatch(/payload hash mismatch/);
    expectFailed(verify(payload, {}, p), 'TLOG_BODY_MISMATCH');
    const sig = clone(dsse);
    sig.dsseEnvelope.signatures[0].sig = flipB64(sig.dsseEnvelope.signatures[0].sig, -1);
    expectFailed(verify(sig, {}, p), 'TLOG_BODY_MISMATCH');
  });
});

// ---------------------------------------------------------------------------------------
describe('identity traps: exact means equal, a regexp must match the whole value', () => {
  const bundle = readFixtureJson<Json>('sigstore-java', 'bundles', 'bundle.dsse.sigstore'); // SAN = AA_TEST (…@refs/heads/main)
  const escaped = AA_TEST.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

  it('the real SAN minus its last character does not match exactly (…@refs/heads/mai ≠ …@refs/heads/main)', () => {
    const v = verify(bundle, {}, { identity: AA_TEST.slice(0, -1), issuer: GHA });
    expectFailed(v, 'IDENTITY_MISMATCH');
    expect(v.reason).toContain(AA_TEST);
  });

  it("@sigstore/verify's own policy would have accepted that prefix (why it is not used)", () => {
    const entity = toSignedEntity(bundleFromJSON(bundle));
    expect(() => new Verifier(trust).verify(entity, { subjectAlternativeName: AA_TEST.slice(0, -1), extensions: { issuer: GHA } })).not.toThrow();
  });

  it('a longer identity (…@refs/heads/main-hotfix) does not match either', () => {
    expectFailed(verify(bundle, {}, { identity: `${AA_TEST}-hotfix`, issuer: GHA }), 'IDENTITY_MISMATCH');
  });

  it('a regexp that matches only a prefix fails: it is anchored', () => {
    expectFailed(verify(bundle, {}, { identityRegExp: 'https://github\\.com/loosebazooka/aa-test/', issuer: GHA }), 'IDENTITY_MISMATCH');
    expectFailed(verify(bundle, {}, { identityRegExp: escaped.slice(0, -1), issuer: GHA }), 'IDENTITY_MISMATCH');
    expectFailed(verify(bundle, {}, { identityRegExp: 'refs/heads/main', issuer: GHA }), 'IDENTITY_MISMATCH');
  });

  it('a regexp matching the whole SAN passes', () => {
    expectVerified(verify(bundle, {}, { identityRegExp: escaped, issuer: GHA }));
    expectVerified(verify(bundle, {}, { identityRegExp: 'https://github\\.com/loosebazooka/aa-test/\\.github/workflows/[^@]+@refs/heads/main', issuerRegExp: 'https://token\\.actions\\.githubusercontent\\.com' }));
  });

  it('a wrong issuer fails with ISSUER_MISMATCH (exact and anchored regexp)', () => {
    expectFailed(verify(bundle, {}, { identity: AA_TEST, issuer: GOOGLE }), 'ISSUER_MISMATCH');
    expectFailed(verify(bundle, {}, { identity: AA_TEST, issuer: `${GHA}/` }), 'ISSUER_MISMATCH');
    expectFailed(verify(bundle, {}, { identity: AA_TEST, issuerRegExp: 'https://token' }), 'ISSUER_MISMATCH');
  });
});

// ---------------------------------------------------------------------------------------
describe('known-bad real bundles', () => {
  const artifact = readFixture('sigstore-java', 'bundles', 'artifact.txt');
  const open = { identityRegExp: '.+', issuerRegExp: '.+' };

  it('sigstore-java bundle-with-mismatched-set: TLOG_SET_INVALID', () => {
    expectFailed(verify(readFixture('sigstore-java', 'bundles', 'bundle-with-mismatched-set.sigstore'), { bytes: artifact }, open), 'TLOG_SET_INVALID');
  });

  it('sigstore-java bundle-with-wrong-tlog-entry: TLOG_BODY_MISMATCH', () => {
    expectFailed(verify(readFixture('sigstore-java', 'bundles', 'bundle-with-wrong-tlog-entry.sigstore'), { bytes: artifact }, open), 'TLOG_BODY_MISMATCH');
  });

  it('sigstore-java bundle-with-expired-cert: certificate not valid at the integrated time', () => {
    const v = verify(readFixture('sigstore-java', 'bundles', 'bundle-with-expired-cert.sigstore'), { bytes: artifact }, open);
    expectFailed(v, 'CERTIFICATE_UNTRUSTED');
    expect(v.checks.map((c) => c.name)).not.toContain('certificate-chain');
  });

  it('sigstore-java bundle-with-bad-checkpoint-signature: TLOG_PROOF_INVALID', () => {
    expectFailed(verify(readFixture('sigstore-java', 'bundles', 'bundle-with-bad-checkpoint-signature.sigstore'), { bytes: artifact }, open), 'TLOG_PROOF_INVALID');
  });

  it('CPython 3.12.5 (v0.1, inclusion proof without checkpoint): VERIFIER_ERROR, not a throw', () => {
    const b = readFixtureJson<Json>('sigstore-python', 'integration', 'Python-3.12.5.tgz.sigstore');
    expect(b.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint).toBeUndefined();
    // The artifact is not in the fixtures: pass the digest the bundle itself signs.
    const v = verify(b, { digest: messageDigestOf(b) }, { identity: 'thomas@python.org', issuer: GOOGLE });
    expectFailed(v, 'VERIFIER_ERROR');
    expect(v.reason).toMatch(/no checkpoint/);
    expect(v.checks.map((c) => c.name)).toContain('artifact-digest'); // the digest did match
    expect(v.signer.identity).toBe('thomas@python.org');
  });

  it('sigstore-python broken bundles are rejected', () => {
    const rd = (n: string) => [readFixture('sigstore-python', `${n}.txt.sigstore`), { bytes: readFixture('sigstore-python', `${n}.txt`) }] as const;
    expectFailed(verify(...rd('bundle_no_log_entry'), open), 'TIMESTAMP_MISSING');
    expectFailed(verify(...rd('bundle_no_cert_v1'), open), 'PAYLOAD_MALFORMED');
    expectFailed(verify(...rd('bundle_invalid_version'), open), 'PAYLOAD_MALFORMED');
  });

  it('sigstore-go dsse-2sigs (a second signature added) is rejected as malformed', () => {
    expectFailed(verify(readFixture('sigstore-go', 'bundles', 'dsse-2sigs.sigstore.json'), {}, open), 'PAYLOAD_MALFORMED');
  });

  it('bundle-malformed-json_fail passed as parsed-free bytes or text yields a verdict', () => {
    const raw = readFixture('conformance-sample', 'bundle-verify', 'bundle-malformed-json_fail', 'bundle.sigstore.json');
    expect(() => JSON.parse(raw.toString('utf8'))).toThrow();
    expectFailed(verify(raw, { bytes: artifact }, open), 'PAYLOAD_MALFORMED');
    expectFailed(verify(raw.toString('utf8'), { bytes: artifact }, open), 'PAYLOAD_MALFORMED');
  });
});

// ---------------------------------------------------------------------------------------
describe('GitHub private-repository attestation (no tlog, TSA only)', () => {
  const attestation = readFixtureJson<Json>('sigstore-java', 'bundles', 'github-private-no-tlog', 'attestation.sigstore.json');
  const githubLine = readFixture('sigstore-java', 'bundles', 'github-private-no-tlog', 'trusted_root.jsonl').toString('utf8').split('\n')[1]!;
  const github = parseTrustedRoot(Buffer.from(githubLine), 'github trusted_root.jsonl line 2').material;
  const identity = 'https://github.com/neverendingsupport/slsa-attestations/.github/workflows/attest.yml@9f6d9dc1bfc02986955721eb15f89ad618f1cedb';
  const policy = { identity, issuer: GHA };

  it('fails against public-good (its TSA is not trusted there)', () => {
    expectFailed(verify(attestation, {}, policy), 'TIMESTAMP_MISSING');
    expectFailed(verify(attestation, {}, policy, { allowNoTlog: true }), 'TIMESTAMP_MISSING');
  });

  it("fails against GitHub's root by default (no SCT, no tlog entry)", () => {
    expectFailed(verify(attestation, {}, policy, { trust: github }), 'SCT_INVALID');
  });

  it("verifies against GitHub's root only with allowNoTlog, and says so in the checks", () => {
    const v = verify(attestation, {}, policy, { trust: github, allowNoTlog: true });
    expectVerified(v);
    expect(v.rekor).toBeUndefined();
    expect(v.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['transparency-log-timestamp', 'certificate-chain', 'signature', 'transparency-log-waived']));
    expect(v.checks.map((c) => c.name)).not.toContain('transparency-log');
  });

  it('allowNoTlog still checks the signature: a flipped payload byte fails with SIGNATURE_INVALID', () => {
    const b = clone(attestation);
    b.dsseEnvelope.payload = flipB64(b.dsseEnvelope.payload, 30);
    expectFailed(verify(b, {}, policy, { trust: github, allowNoTlog: true }), 'SIGNATURE_INVALID');
  });

  it('allowNoTlog still checks the timestamp: a flipped signature byte breaks the TSA binding', () => {
    const b = clone(attestation);
    b.dsseEnvelope.signatures[0].sig = flipB64(b.dsseEnvelope.signatures[0].sig, -1);
    expectFailed(verify(b, {}, policy, { trust: github, allowNoTlog: true }), 'TIMESTAMP_MISSING');
  });
});

// ---------------------------------------------------------------------------------------
describe('trusted root guard', () => {
  it('a public-good root whose tlogs[0].publicKey.validFor.start is removed is rejected', () => {
    const json = readFixtureJson<Json>('public-good-trust-root', 'targets', 'trusted_root.json');
    expect(() => parseTrustedRoot(Buffer.from(JSON.stringify(json)), 'copy')).not.toThrow();
    delete json.tlogs[0].publicKey.validFor.start;
    let caught: unknown;
    try {
      parseTrustedRoot(Buffer.from(JSON.stringify(json)), 'edited copy');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SigscopeError);
    expect((caught as SigscopeError).code).toBe('INVALID_TRUSTED_ROOT');
    expect((caught as SigscopeError).message).toMatch(/tlogs\.0\.publicKey\.validFor/);
  });
});

describe('DSSE bundles are tied to the artifact through the in-toto subject', () => {
  const bundle = readFixture('conformance-sample', 'bundle-verify', 'happy-path-intoto-in-dsse-v3', 'bundle.sigstore.json');
  const policy: PolicyInput = { identity: BEACON, issuer: GHA };
  const a = readFixture('conformance-sample', 'bundle-verify', 'a.txt');

  it('verifies when the artifact is a subject, by bytes or digest', () => {
    expectVerified(verify(bundle, { bytes: a }, policy));
    expectVerified(verify(bundle, { digest: sha256(a) }, policy));
  });

  it('fails with DIGEST_MISMATCH for an artifact the statement does not name', () => {
    const other = Buffer.from('not the artifact');
    expectFailed(verify(bundle, { bytes: other }, policy), 'DIGEST_MISMATCH');
    expectFailed(verify(bundle, { digest: sha256(other) }, policy), 'DIGEST_MISMATCH');
  });
});

