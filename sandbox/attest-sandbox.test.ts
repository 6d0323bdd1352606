/**
 * Proves the sandbox attestations are sound: cosign `.att` layers (attestKeyless) and
 * v0.3 DSSE bundles (bundleKeyless) made with the real @sigstore/sign client against
 * the local instance verify with @sigstore/verify / lib/verify against the instance's
 * trusted root, for the image they name and only for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate as NodeX509, createHash } from 'node:crypto';
import { bundleFromJSON, type SerializedBundle } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier, VerificationError, type VerificationPolicy } from '@sigstore/verify';
import { ANNOTATION, type CosignSignatureLayer } from '@/lib/cosign/types';
import { DSSE_ENVELOPE, IN_TOTO_PAYLOAD_TYPE, SIGSTORE_BUNDLE_V03 } from '@/lib/oci/media-types';
import { compilePolicy } from '@/lib/verify/policy';
import { parseTrustedRoot } from '@/lib/verify/trust-root';
import { verifySigstoreBundle, type VerifyBundleOptions } from '@/lib/verify/verify-bundle';
import {
  bundleAnnotations,
  bundleKeyless,
  COSIGN_SIGN_PREDICATE,
  imageSigningStatement,
  messageBundleKeyless,
  slsaProvenanceStatement,
  SLSA_PROVENANCE_V1,
  spdxDocument,
  spdxStatement,
  SPDX_PREDICATE,
} from './bundles';
import { attestKeyless, PREDICATE_TYPE_ANNOTATION } from './cosign-attest';
import { forgeSet, githubWorkflowIdentity, GITHUB_ACTIONS_ISSUER, type CosignBundleAnnotation } from './cosign-sign';
import { startSigstoreInstance, type SigstoreInstance, type TrustedRootJSON } from './sigstore-instance';

const IMAGE = 'sha256:' + 'ab'.repeat(32);
const OTHER = 'sha256:' + 'cd'.repeat(32);
const REPO = 'acme/widget';
const WORKFLOW = '.github/workflows/release.yml@refs/heads/main';
const CLAIMS = { repository: REPO, workflowRef: WORKFLOW, sha: 'f'.repeat(40) };
const SAN = githubWorkflowIdentity(REPO, WORKFLOW);
const POLICY: VerificationPolicy = { subjectAlternativeName: SAN, extensions: { issuer: GITHUB_ACTIONS_ISSUER } };
const provenance = slsaProvenanceStatement(IMAGE, { repository: REPO, ref: 'refs/heads/main', sha: 'f'.repeat(40), workflowPath: '.github/workflows/release.yml' });

let instance: SigstoreInstance;
let foreign: SigstoreInstance;
let att: CosignSignatureLayer;
let bundle: SerializedBundle;

beforeAll(async () => {
  [instance, foreign] = await Promise.all([startSigstoreInstance(), startSigstoreInstance()]);
  [att, bundle] = await Promise.all([attestKeyless(provenance, instance, CLAIMS), bundleKeyless(imageSigningStatement(IMAGE, `registry.local/${REPO}:1.0`), instance, CLAIMS)]);
});
afterAll(async () => {
  await Promise.all([instance?.stop(), foreign?.stop()]);
});

const libOpts = (root: TrustedRootJSON = instance.trustedRoot, identity = SAN): VerifyBundleOptions => ({
  policy: compilePolicy({ identity, issuer: GITHUB_ACTIONS_ISSUER }),
  trust: parseTrustedRoot(Buffer.from(JSON.stringify(root)), 'sandbox').material,
});

describe('statements', () => {
  it('cosign signing statement: the image by sha256, named by its repository', () => {
    expect(imageSigningStatement(IMAGE, 'registry.local:5000/acme/widget:1.0@' + IMAGE)).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'registry.local:5000/acme/widget', digest: { sha256: 'ab'.repeat(32) } }],
      predicateType: COSIGN_SIGN_PREDICATE,
      predicate: {},
    });
  });

  it('SLSA v1 provenance as GitHub writes it', () => {
    expect(provenance.predicateType).toBe(SLSA_PROVENANCE_V1);
    expect(provenance.subject).toEqual([{ name: 'ghcr.io/acme/widget', digest: { sha256: 'ab'.repeat(32) } }]);
    expect(provenance.predicate).toMatchObject({
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: { workflow: { ref: 'refs/heads/main', repository: 'https://github.com/acme/widget', path: '.github/workflows/release.yml' } },
        internalParameters: { github: { event_name: 'push', runner_environment: 'github-hosted' } },
        resolvedDependencies: [{ uri: 'git+https://github.com/acme/widget@refs/heads/main', digest: { gitCommit: 'f'.repeat(40) } }],
      },
      runDetails: { builder: { id: SAN }, metadata: { invocationId: 'https://github.com/acme/widget/actions/runs/1/attempts/1' } },
    });
  });

  it('SPDX 2.3 document with three packages, deterministic', () => {
    const doc = spdxDocument('acme/widget');
    expect(doc).toMatchObject({ spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: 'acme/widget' });
    expect(doc.packages).toHaveLength(3);
    expect(doc.relationships.map((r) => r.relatedSpdxElement)).toEqual(doc.packages.map((p) => p.SPDXID));
    expect(JSON.stringify(spdxDocument('acme/widget'))).toBe(JSON.stringify(doc));
    expect(spdxStatement(IMAGE, doc)).toMatchObject({ predicateType: SPDX_PREDICATE, subject: [{ digest: { sha256: 'ab'.repeat(32) } }], predicate: doc });
  });
});

describe('attestKeyless (.att layer)', () => {
  it('is a DSSE envelope with cosign annotations', () => {
    expect(att.mediaType).toBe(DSSE_ENVELOPE);
    expect(Object.keys(att.annotations).sort()).toEqual([ANNOTATION.signature, ANNOTATION.certificate, ANNOTATION.chain, ANNOTATION.bundle, PREDICATE_TYPE_ANNOTATION].sort());
    expect(att.annotations[ANNOTATION.signature]).toBe('');
    expect(att.annotations[PREDICATE_TYPE_ANNOTATION]).toBe(SLSA_PROVENANCE_V1);
    expect(att.annotations[ANNOTATION.chain]).toBe(instance.caChainPem);

    const env = JSON.parse(att.payload.toString());
    expect(Object.keys(env)).toEqual(['payloadType', 'payload', 'signatures']);
    expect(env.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    expect(env.signatures).toEqual([{ keyid: '', sig: expect.any(String) }]);
    expect(JSON.parse(Buffer.from(env.payload, 'base64').toString())).toEqual(provenance);
  });

  it('is logged in Rekor as dsse 0.0.1 by the certificate, canonicalized as Rekor stores it', () => {
    const rekor = annotationOf(att);
    expect(rekor.Payload.logID).toBe(instance.rekorLogIdHex);
    const body = JSON.parse(Buffer.from(rekor.Payload.body, 'base64').toString());
    expect(body).toMatchObject({ kind: 'dsse', apiVersion: '0.0.1' });
    expect(Object.keys(body.spec).sort()).toEqual(['envelopeHash', 'payloadHash', 'signatures']);
    const env = JSON.parse(att.payload.toString());
    expect(body.spec.payloadHash).toEqual({ algorithm: 'sha256', value: createHash('sha256').update(Buffer.from(env.payload, 'base64')).digest('hex') });
    expect(body.spec.signatures).toEqual([{ signature: env.signatures[0].sig, verifier: expect.any(String) }]);
    expect(Buffer.from(body.spec.signatures[0].verifier, 'base64').toString()).toBe(att.annotations[ANNOTATION.certificate]);
  });

  it('verifies with @sigstore/verify (v0.1 DSSE bundle from the annotations) and identity policy', () => {
    const signer = verifierFor(instance.trustedRoot).verify(toSignedEntity(attToBundle(att)), POLICY);
    expect(signer.identity?.subjectAlternativeName).toBe(SAN);
  });

  it('verifies with lib/verify for the image it names, and not for another', () => {
    const json = attToBundleJson(att);
    expect(verifySigstoreBundle(json, { digest: IMAGE }, libOpts()).verdict).toBe('verified');
    expect(verifySigstoreBundle(json, { digest: OTHER }, libOpts())).toMatchObject({ verdict: 'failed', reasonCode: 'DIGEST_MISMATCH' });
  });

  it('fails when the envelope, the SET, the trust root or the identity is wrong', async () => {
    const env = JSON.parse(att.payload.toString());
    const tampered = { ...att, payload: Buffer.from(JSON.stringify({ ...env, payload: Buffer.from(JSON.stringify({ ...provenance, subject: [{ name: 'x', digest: { sha256: 'cd'.repeat(32) } }] })).toString('base64') })) };
    expect(codeOf(() => verifierFor(instance.trustedRoot).verify(toSignedEntity(attToBundle(tampered))))).toMatch(/TLOG_BODY_ERROR|SIGNATURE_ERROR/);
    expect(() => verifierFor(instance.trustedRoot).verify(toSignedEntity(attToBundle(forgeSet(att))))).toThrow(/inclusion promise/);
    expect(codeOf(() => verifierFor(foreign.trustedRoot).verify(toSignedEntity(attToBundle(att))))).toBe('CERTIFICATE_ERROR');
    expect(() => verifierFor(instance.trustedRoot).verify(toSignedEntity(attToBundle(att)), { ...POLICY, subjectAlternativeName: githubWorkflowIdentity('evil/repo', WORKFLOW) })).toThrow(/identity|subject/i);

    // A Rekor entry made for another attestation does not fit this envelope.
    const second = await attestKeyless(spdxStatement(IMAGE, spdxDocument('x')), instance, CLAIMS);
    const spliced = { ...att, annotations: { ...att.annotations, [ANNOTATION.bundle]: second.annotations[ANNOTATION.bundle]! } };
    expect(codeOf(() => verifierFor(instance.trustedRoot).verify(toSignedEntity(attToBundle(spliced))))).toBe('TLOG_BODY_ERROR');
  });

  it("rekorEntryType 'intoto' logs intoto 0.0.2 (hashes filled, payload dropped, as Rekor stores it), which verifies too", async () => {
    const intoto = await attestKeyless(provenance, instance, CLAIMS, { rekorEntryType: 'intoto' });
    const body = JSON.parse(Buffer.from(annotationOf(intoto).Payload.body, 'base64').toString());
    expect(body).toMatchObject({ kind: 'intoto', apiVersion: '0.0.2' });
    const env = JSON.parse(intoto.payload.toString());
    expect(body.spec.content.payloadHash).toEqual({ algorithm: 'sha256', value: createHash('sha256').update(Buffer.from(env.payload, 'base64')).digest('hex') });
    expect(body.spec.content.hash).toEqual({ algorithm: 'sha256', value: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(body.spec.content.envelope).not.toHaveProperty('payload');
    expect(Buffer.from(body.spec.content.envelope.signatures[0].publicKey, 'base64').toString()).toBe(intoto.annotations[ANNOTATION.certificate]);
    expect(verifierFor(instance.trustedRoot).verify(toSignedEntity(attToBundle(intoto)), POLICY).identity?.subjectAlternativeName).toBe(SAN);
    expect(verifySigstoreBundle(attToBundleJson(intoto), { digest: IMAGE }, libOpts()).verdict).toBe('verified');
  });
});

describe('bundleKeyless (v0.3 DSSE bundle)', () => {
  it('is a v0.3 bundle with a single certificate and an in-toto DSSE envelope', () => {
    expect(bundle.mediaType).toBe(SIGSTORE_BUNDLE_V03);
    expect(bundle.verificationMaterial.certificate?.rawBytes).toEqual(expect.any(String));
    expect(bundle.verificationMaterial.x509CertificateChain).toBeUndefined();
    expect(bundle.dsseEnvelope?.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
    const leaf = new NodeX509(Buffer.from(bundle.verificationMaterial.certificate!.rawBytes, 'base64'));
    expect(leaf.subjectAltName).toContain(SAN);
    const entry = bundle.verificationMaterial.tlogEntries[0]!;
    expect(entry.kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
    expect(entry.inclusionPromise?.signedEntryTimestamp).toEqual(expect.any(String));
    expect(entry.inclusionProof?.checkpoint?.envelope).toEqual(expect.any(String));
    expect(bundleAnnotations(bundle, new Date(0))).toEqual({
      'dev.sigstore.bundle.content': 'dsse-envelope',
      'dev.sigstore.bundle.predicateType': COSIGN_SIGN_PREDICATE,
      'org.opencontainers.image.created': '1970-01-01T00:00:00.000Z',
    });
  });

  it('verifies with verifySigstoreBundle for the image digest; fails for another digest, identity or trust root', () => {
    const ok = verifySigstoreBundle(bundle, { digest: IMAGE }, libOpts());
    expect(ok.verdict, ok.reason).toBe('verified');
    expect(ok.signer.identity).toBe(SAN);
    expect(verifySigstoreBundle(bundle, { digest: OTHER }, libOpts())).toMatchObject({ verdict: 'failed', reasonCode: 'DIGEST_MISMATCH' });
    expect(verifySigstoreBundle(bundle, { digest: IMAGE }, libOpts(instance.trustedRoot, githubWorkflowIdentity('evil/repo', WORKFLOW))).verdict).toBe('failed');
    expect(verifySigstoreBundle(bundle, { digest: IMAGE }, libOpts(foreign.trustedRoot)).verdict).toBe('failed');
    // As stored in a registry: JSON text.
    expect(verifySigstoreBundle(Buffer.from(JSON.stringify(bundle)), { digest: IMAGE }, libOpts()).verdict).toBe('verified');
  });

  it('messageBundleKeyless: a v0.3 message-signature bundle over the bytes', async () => {
    const payload = Buffer.from('hello sandbox');
    const msg = await messageBundleKeyless(payload, instance, CLAIMS);
    expect(msg.mediaType).toBe(SIGSTORE_BUNDLE_V03);
    expect(msg.verificationMaterial.certificate).toBeDefined();
    expect(msg.verificationMaterial.tlogEntries[0]?.kindVersion).toEqual({ kind: 'hashedrekord', version: '0.0.1' });
    expect(verifySigstoreBundle(msg, { bytes: payload }, libOpts()).verdict).toBe('verified');
    expect(verifySigstoreBundle(msg, { bytes: Buffer.from('other') }, libOpts())).toMatchObject({ verdict: 'failed', reasonCode: 'DIGEST_MISMATCH' });
  });
});

// ---------------------------------------------------------------------------
// Test-only conversion of a `.att` layer to a v0.1 DSSE bundle (the product's
// converter, if any, lives in lib/; this one only proves the sandbox).

function annotationOf(layer: CosignSignatureLayer): CosignBundleAnnotation {
  const raw = layer.annotations[ANNOTATION.bundle];
  if (!raw) throw new Error('no bundle annotation');
  return JSON.parse(raw) as CosignBundleAnnotation;
}

function attToBundleJson(layer: CosignSignatureLayer): Record<string, unknown> {
  const rekor = annotationOf(layer);
  const body = JSON.parse(Buffer.from(rekor.Payload.body, 'base64').toString()) as { kind: string; apiVersion: string };
  const env = JSON.parse(layer.payload.toString()) as { payloadType: string; payload: string; signatures: Array<{ keyid: string; sig: string }> };
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      // The leaf only: the mock CA has no intermediate, and the annotation's root must never be an anchor.
      x509CertificateChain: { certificates: [{ rawBytes: new NodeX509(layer.annotations[ANNOTATION.certificate]!).raw.toString('base64') }] },
      tlogEntries: [
        {
          logIndex: String(rekor.Payload.logIndex),
          logId: { keyId: Buffer.from(rekor.Payload.logID, 'hex').toString('base64') },
          kindVersion: { kind: body.kind, version: body.apiVersion },
          integratedTime: String(rekor.Payload.integratedTime),
          inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
          canonicalizedBody: rekor.Payload.body,
        },
      ],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: { payloadType: env.payloadType, payload: env.payload, signatures: env.signatures.map((s) => ({ sig: s.sig, keyid: s.keyid })) },
  };
}

function attToBundle(layer: CosignSignatureLayer) {
  return bundleFromJSON(attToBundleJson(layer));
}

function verifierFor(root: TrustedRootJSON): Verifier {
  return new Verifier(toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(JSON.stringify(root)))), { tlogThreshold: 1, ctlogThreshold: 1, tsaThreshold: 0 });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof VerificationError) return e.code;
    throw e;
  }
  throw new Error('expected verification to fail');
}
