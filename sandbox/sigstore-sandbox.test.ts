/**
 * Proves the sandbox signing world is sound: cosign keys round-trip, key and keyless
 * `.sig` layers carry what cosign writes, and keyless layers verify with the real
 * `@sigstore/verify` against the instance's trusted root (and fail when they should).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, generateKeyPairSync, verify as nodeVerify, X509Certificate as NodeX509 } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { PublicKeyDetails, TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, VerificationError, type VerificationPolicy } from '@sigstore/verify';
import { ANNOTATION, COSIGN_SIMPLESIGNING_MEDIA_TYPE, type CosignSignatureLayer } from '@/lib/cosign/types';
import { readFixtureJson } from '@/tests/support/fixtures';
import { encryptCosignPrivateKey, generateCosignKeyPair, publicKeyPemOf, readCosignPrivateKey } from './cosign-key';
import { forgeSet, githubWorkflowIdentity, GITHUB_ACTIONS_ISSUER, signKeyless, signWithKey, simpleSigningPayload, type CosignBundleAnnotation } from './cosign-sign';
import { startSigstoreInstance, type SigstoreInstance, type TrustedRootJSON } from './sigstore-instance';

const DIGEST = 'sha256:' + 'ab'.repeat(32);
const REPO = 'acme/widget';
const WORKFLOW = '.github/workflows/release.yml@refs/heads/main';
const SAN = 'https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main';
const payload = simpleSigningPayload(`registry.local/${REPO}`, DIGEST);

let instance: SigstoreInstance;
let foreign: SigstoreInstance;
let keyless: CosignSignatureLayer;

beforeAll(async () => {
  [instance, foreign] = await Promise.all([startSigstoreInstance(), startSigstoreInstance()]);
  keyless = await signKeyless(payload, instance, { repository: REPO, workflowRef: WORKFLOW });
});
afterAll(async () => {
  await Promise.all([instance?.stop(), foreign?.stop()]);
});

describe('simpleSigningPayload', () => {
  it('writes the bytes cosign writes', () => {
    expect(payload.toString()).toBe(
      `{"critical":{"identity":{"docker-reference":"registry.local/acme/widget"},"image":{"docker-manifest-digest":"${DIGEST}"},` +
        `"type":"cosign container image signature"},"optional":null}`,
    );
    // Go sorts map keys and escapes HTML characters.
    const withOptional = simpleSigningPayload('r/x', DIGEST, { z: 1, a: 'b&c<d>' });
    expect(withOptional.toString()).toContain('"optional":{"a":"b\\u0026c\\u003cd\\u003e","z":1}');
    expect(JSON.parse(withOptional.toString()).optional).toEqual({ z: 1, a: 'b&c<d>' });
  });
});

describe('cosign encrypted private key', () => {
  it('round-trips and rejects a wrong password', () => {
    const { privateKeyPem, publicKeyPem } = generateCosignKeyPair('correct horse');
    expect(privateKeyPem).toMatch(/^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n/);
    expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const body = privateKeyPem.replace(/-----[A-Z ]+-----|\s/g, '');
    const doc = JSON.parse(Buffer.from(body, 'base64').toString());
    expect(doc.kdf).toMatchObject({ name: 'scrypt', params: { N: 32768, r: 8, p: 1 } });
    expect(Buffer.from(doc.kdf.salt, 'base64')).toHaveLength(32);
    expect(doc.cipher.name).toBe('nacl/secretbox');
    expect(Buffer.from(doc.cipher.nonce, 'base64')).toHaveLength(24);

    const key = readCosignPrivateKey(privateKeyPem, 'correct horse');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(publicKeyPemOf(key)).toBe(publicKeyPem);
    expect(() => readCosignPrivateKey(privateKeyPem, 'wrong')).toThrow(/wrong password/);
    expect(() => readCosignPrivateKey(publicKeyPem, 'correct horse')).toThrow(/not a cosign private key/);
  });

  it('wraps other key types too (Ed25519)', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = encryptCosignPrivateKey(privateKey, '');
    expect(readCosignPrivateKey(pem, '').asymmetricKeyType).toBe('ed25519');
  });
});

describe('key-based signatures', () => {
  const cases = [
    ['ECDSA P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'sha256'],
    ['ECDSA P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }), 'sha256'],
    ['RSA 2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), 'sha256'],
    ['Ed25519', () => generateKeyPairSync('ed25519'), null],
  ] as const;
  it.each(cases)('%s verifies with node:crypto against the public key', async (_name, gen, alg) => {
    const { privateKey, publicKey } = gen();
    const layer = await signWithKey(payload, privateKey);
    expect(layer.mediaType).toBe(COSIGN_SIMPLESIGNING_MEDIA_TYPE);
    expect(Object.keys(layer.annotations)).toEqual([ANNOTATION.signature]);
    const sig = Buffer.from(layer.annotations[ANNOTATION.signature]!, 'base64');
    expect(nodeVerify(alg, payload, publicKey, sig)).toBe(true);
    expect(nodeVerify(alg, Buffer.concat([payload, Buffer.from(' ')]), publicKey, sig)).toBe(false);
  });

  it('with { rekor } carries a bundle whose SET verifies (public-key hint, tlog threshold 1)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const layer = await signWithKey(payload, privateKey, { rekor: instance });
    const body = JSON.parse(Buffer.from(annotationOf(layer).Payload.body, 'base64').toString());
    expect(body.spec.signature.publicKey.content).toBe(Buffer.from(publicKey.export({ format: 'pem', type: 'spki' }).toString()).toString('base64'));

    const keys = { mykey: { rawBytes: publicKey.export({ format: 'der', type: 'spki' }), keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256 } };
    const material = toTrustMaterial(trustedRootOf(instance), keys);
    const verifier = new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 0, tsaThreshold: 0 });
    const bundle = layerToBundle(layer, { keyHint: 'mykey' });
    expect(() => verifier.verify(toSignedEntity(bundle, payload))).not.toThrow();
    expect(() => verifier.verify(toSignedEntity(layerToBundle(forgeSet(layer), { keyHint: 'mykey' }), payload))).toThrow(VerificationError);
  });
});

describe('keyless signatures', () => {
  it('produce cosign annotations; the certificate chains to the instance CA', () => {
    expect(keyless.mediaType).toBe(COSIGN_SIMPLESIGNING_MEDIA_TYPE);
    expect(Object.keys(keyless.annotations).sort()).toEqual([ANNOTATION.signature, ANNOTATION.bundle, ANNOTATION.certificate, ANNOTATION.chain].sort());

    const leaf = new NodeX509(keyless.annotations[ANNOTATION.certificate]!);
    const chain = splitPem(keyless.annotations[ANNOTATION.chain]!).map((p) => new NodeX509(p));
    const caRoot = new NodeX509(Buffer.from(instance.trustedRoot.certificateAuthorities[0]!.certChain.certificates[0]!.rawBytes, 'base64'));
    expect(chain).toHaveLength(1);
    expect(chain[0]!.raw.equals(caRoot.raw)).toBe(true);
    expect(leaf.checkIssued(caRoot)).toBe(true);
    expect(leaf.verify(caRoot.publicKey)).toBe(true);
    const foreignRoot = new NodeX509(Buffer.from(foreign.trustedRoot.certificateAuthorities[0]!.certChain.certificates[0]!.rawBytes, 'base64'));
    expect(leaf.verify(foreignRoot.publicKey)).toBe(false);

    // The signature is over the payload with the certificate's key.
    expect(nodeVerify('sha256', payload, leaf.publicKey, Buffer.from(keyless.annotations[ANNOTATION.signature]!, 'base64'))).toBe(true);
  });

  it('certificate carries the GitHub Actions identity and Fulcio extensions', () => {
    const cert = X509Certificate.parse(keyless.annotations[ANNOTATION.certificate]!);
    expect(cert.subjectAltName).toBe(SAN);
    expect(githubWorkflowIdentity(REPO, WORKFLOW)).toBe(SAN);
    const v2 = (oid: string) => cert.extension(`1.3.6.1.4.1.57264.1.${oid}`)?.valueObj.subs[0]?.value.toString('utf8');
    const v1 = (oid: string) => cert.extension(`1.3.6.1.4.1.57264.1.${oid}`)?.value.toString('utf8');
    expect(v1('1')).toBe(GITHUB_ACTIONS_ISSUER);
    expect(v2('8')).toBe(GITHUB_ACTIONS_ISSUER);
    expect(v2('9')).toBe(SAN); // build signer URI
    expect(v2('12')).toBe('https://github.com/acme/widget'); // source repository URI
    expect(v2('14')).toBe('refs/heads/main');
    expect(v2('18')).toBe(SAN); // build config URI
    expect(v2('20')).toBe('push');
    expect(v2('13')).toMatch(/^[0-9a-f]{40}$/);
    expect(cert.extSCT?.signedCertificateTimestamps).toHaveLength(1);
  });

  it('bundle annotation has the shape cosign writes', () => {
    const fixture = readFixtureJson<CosignBundleAnnotation>('policy-controller', 'distroless-static-vuln-attestation-2022-07-29', 'rekor-bundle-annotation.json');
    const ours = annotationOf(keyless);
    expect(shape(ours)).toEqual(shape(fixture));
    expect(Object.keys(ours)).toEqual(Object.keys(fixture));
    expect(Object.keys(ours.Payload)).toEqual(Object.keys(fixture.Payload));
    expect(ours.Payload.logID).toBe(instance.rekorLogIdHex);
    const body = JSON.parse(Buffer.from(ours.Payload.body, 'base64').toString());
    expect(body).toMatchObject({ apiVersion: '0.0.1', kind: 'hashedrekord' });
    expect(body.spec.data.hash).toEqual({ algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') });
    expect(body.spec.signature.content).toBe(keyless.annotations[ANNOTATION.signature]);
    expect(Buffer.from(body.spec.signature.publicKey.content, 'base64').toString()).toBe(keyless.annotations[ANNOTATION.certificate]);
  });

  it('verifies with @sigstore/verify against the instance trusted root, with identity policy', () => {
    const signer = verifierFor(instance).verify(toSignedEntity(layerToBundle(keyless), payload), POLICY);
    expect(signer.identity?.subjectAlternativeName).toBe(SAN);
    expect(signer.identity?.extensions?.issuer).toBe(GITHUB_ACTIONS_ISSUER);
  });

  it('fails with a forged SET', () => {
    expect(() => verifierFor(instance).verify(toSignedEntity(layerToBundle(forgeSet(keyless)), payload))).toThrow(/inclusion promise/);
  });

  it('fails against a foreign instance (other CA, other Rekor), and when either one alone is foreign', () => {
    const entity = toSignedEntity(layerToBundle(keyless), payload);
    expect(codeOf(() => verifierFor(foreign).verify(entity))).toBe('CERTIFICATE_ERROR');
    const foreignCA = { ...instance.trustedRoot, certificateAuthorities: foreign.trustedRoot.certificateAuthorities };
    expect(codeOf(() => verifierFor(foreignCA).verify(entity))).toBe('CERTIFICATE_ERROR');
    const foreignRekor = { ...instance.trustedRoot, tlogs: foreign.trustedRoot.tlogs };
    expect(codeOf(() => verifierFor(foreignRekor).verify(entity))).toBe('TLOG_INCLUSION_PROMISE_ERROR');
    const foreignCT = { ...instance.trustedRoot, ctlogs: foreign.trustedRoot.ctlogs };
    expect(codeOf(() => verifierFor(foreignCT).verify(entity))).toBe('CERTIFICATE_ERROR'); // no verifiable SCT
  });

  it('fails for another payload, a spliced tlog entry, or the wrong identity', async () => {
    const other = simpleSigningPayload(`registry.local/${REPO}`, 'sha256:' + 'cd'.repeat(32));
    expect(codeOf(() => verifierFor(instance).verify(toSignedEntity(layerToBundle(keyless), other)))).toBe('SIGNATURE_ERROR');

    const second = await signKeyless(other, instance, { repository: REPO, workflowRef: WORKFLOW });
    const spliced = { ...keyless, annotations: { ...keyless.annotations, [ANNOTATION.bundle]: second.annotations[ANNOTATION.bundle]! } };
    expect(codeOf(() => verifierFor(instance).verify(toSignedEntity(layerToBundle(spliced), payload)))).toBe('TLOG_BODY_ERROR');

    const policy: VerificationPolicy = { ...POLICY, subjectAlternativeName: githubWorkflowIdentity('evil/repo', WORKFLOW) };
    expect(() => verifierFor(instance).verify(toSignedEntity(layerToBundle(keyless), payload), policy)).toThrow(/identity|subject/i);
  });
});

describe('instance with dataDir', () => {
  it('keeps keys and CA root across restarts; old and new signatures verify with either trusted root', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sigstore-sandbox-'));
    try {
      const first = await startSigstoreInstance({ dataDir });
      const before = await signKeyless(payload, first, { repository: REPO, workflowRef: WORKFLOW });
      await first.stop();

      const second = await startSigstoreInstance({ dataDir });
      try {
        expect(first.reusedKeys).toBe(false);
        expect(second.reusedKeys).toBe(true);
        const strip = (r: TrustedRootJSON) => JSON.stringify(r).replaceAll(/http:\/\/127\.0\.0\.1:\d+/g, 'URL');
        expect(strip(second.trustedRoot)).toBe(strip(first.trustedRoot));
        const after = await signKeyless(payload, second, { repository: REPO, workflowRef: WORKFLOW });
        expect(after.annotations[ANNOTATION.chain]).toBe(before.annotations[ANNOTATION.chain]);
        verifierFor(second).verify(toSignedEntity(layerToBundle(before), payload), POLICY);
        verifierFor(first).verify(toSignedEntity(layerToBundle(after), payload), POLICY);

        const file = join(dataDir, 'trusted_root.json');
        await second.writeTrustedRoot(file);
        expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(second.trustedRoot);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------
// Test-only conversion of a cosign layer to a v0.1 message-signature bundle.
// (The product's converter lives in lib/verify; this one only proves the sandbox.)

const POLICY: VerificationPolicy = { subjectAlternativeName: SAN, extensions: { issuer: GITHUB_ACTIONS_ISSUER } };

function verifierFor(source: SigstoreInstance | TrustedRootJSON): Verifier {
  return new Verifier(toTrustMaterial(trustedRootOf(source)), { tlogThreshold: 1, ctlogThreshold: 1, tsaThreshold: 0 });
}

function trustedRootOf(source: SigstoreInstance | TrustedRootJSON): TrustedRoot {
  const json = 'trustedRoot' in source ? source.trustedRoot : source;
  // Through JSON text, as a verifier would read trusted_root.json from disk.
  return TrustedRoot.fromJSON(JSON.parse(JSON.stringify(json)));
}

/** The VerificationError code thrown by fn (fails the test if it does not throw one). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof VerificationError) return e.code;
    throw e;
  }
  throw new Error('expected verification to fail');
}

function layerToBundle(layer: CosignSignatureLayer, opts: { keyHint?: string } = {}) {
  const rekor = annotationOf(layer);
  const certPem = layer.annotations[ANNOTATION.certificate];
  // Intermediates only: a self-signed root from the annotation must never act as an anchor.
  const chain = splitPem(layer.annotations[ANNOTATION.chain] ?? '').filter((p) => {
    const c = new NodeX509(p);
    return !(c.subject === c.issuer && c.verify(c.publicKey));
  });
  const der = (pem: string) => new NodeX509(pem).raw.toString('base64');
  const json = {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      ...(certPem
        ? { x509CertificateChain: { certificates: [certPem, ...chain].map((p) => ({ rawBytes: der(p) })) } }
        : { publicKey: { hint: opts.keyHint ?? '' } }),
      tlogEntries: [
        {
          logIndex: String(rekor.Payload.logIndex),
          logId: { keyId: Buffer.from(rekor.Payload.logID, 'hex').toString('base64') },
          kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
          integratedTime: String(rekor.Payload.integratedTime),
          inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
          canonicalizedBody: rekor.Payload.body,
        },
      ],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(layer.payload).digest('base64') },
      signature: layer.annotations[ANNOTATION.signature]!,
    },
  };
  return bundleFromJSON(json);
}

function annotationOf(layer: CosignSignatureLayer): CosignBundleAnnotation {
  const raw = layer.annotations[ANNOTATION.bundle];
  if (!raw) throw new Error('no bundle annotation');
  return JSON.parse(raw) as CosignBundleAnnotation;
}

function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];
}

/** Type skeleton of a JSON value, to compare structure not content. */
function shape(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return typeof v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, shape(x)]));
}
