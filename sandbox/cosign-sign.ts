/**
 * Produces cosign `.sig` layers (payload + annotations) the way `cosign sign` does,
 * with keys (`--key`) or keylessly against a local Sigstore instance.
 *
 * Keyless signing runs the real `@sigstore/sign` client (FulcioSigner with an
 * ephemeral P-256 key, RekorWitness uploading a hashedrekord 0.0.1) and then
 * re-expresses the resulting Sigstore bundle as cosign's legacy annotations.
 */
import { createHash, createPublicKey, sign as nodeSign, X509Certificate, type KeyObject } from 'node:crypto';
import { FulcioSigner, MessageSignatureBundleBuilder, RekorWitness, type IdentityProvider } from '@sigstore/sign';
import type { TransparencyLogEntry } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { ANNOTATION, COSIGN_SIGNATURE_TYPE, COSIGN_SIMPLESIGNING_MEDIA_TYPE, type CosignSignatureLayer } from '@/lib/cosign/types';
import type { DiscoveredSignature } from '@/lib/cosign/discovered';
import { SAN_CLAIM, type SigstoreInstance } from './sigstore-instance';

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/**
 * A signed layer as discovery would report it on the `.sig` tag of `subjectDigest` (no registry
 * needed): for verification tests and bench/verify.ts. `over` replaces any field.
 */
export function discoveredFromLayer(l: CosignSignatureLayer, subjectDigest: string, over: Partial<DiscoveredSignature> = {}): DiscoveredSignature {
  return {
    subjectDigest,
    tag: `${subjectDigest.replace(':', '-')}.sig`,
    manifestDigest: `sha256:${createHash('sha256').update(subjectDigest).digest('hex')}`,
    layerIndex: 0,
    layerDigest: `sha256:${createHash('sha256').update(l.payload).digest('hex')}`,
    mediaType: l.mediaType,
    payload: l.payload,
    signatureB64: l.annotations[ANNOTATION.signature],
    certificatePem: l.annotations[ANNOTATION.certificate],
    chainPem: l.annotations[ANNOTATION.chain],
    bundleJson: l.annotations[ANNOTATION.bundle],
    ...over,
  };
}

/** The bytes cosign signs: its simple-signing JSON, serialized like Go's encoding/json. */
export function simpleSigningPayload(dockerReference: string, manifestDigest: string, optional?: Record<string, unknown>): Buffer {
  // Go structs keep field order; `optional` is a Go map (keys sorted), nil -> null.
  const critical = {
    identity: { 'docker-reference': dockerReference },
    image: { 'docker-manifest-digest': manifestDigest },
    type: COSIGN_SIGNATURE_TYPE,
  };
  return Buffer.from(`{"critical":${goJSON(critical, false)},"optional":${goJSON(optional ?? null, true)}}`, 'utf8');
}

export interface SignWithKeyOptions {
  /** Also upload a hashedrekord entry (public key, sha256 of the payload) and add the bundle annotation. */
  rekor?: SigstoreInstance;
  /** Digest for ECDSA/RSA. cosign always uses sha256; override only to build odd signatures. Ignored for Ed25519. */
  hash?: 'sha256' | 'sha384' | 'sha512';
}

/**
 * `cosign sign --key`: signature over the payload bytes. ECDSA (any curve) and RSA
 * (PKCS#1 v1.5) with SHA-256, Ed25519 pure. Async because the tlog upload is.
 */
export async function signWithKey(payload: Buffer, privateKey: KeyObject, opts: SignWithKeyOptions = {}): Promise<CosignSignatureLayer> {
  const algorithm = privateKey.asymmetricKeyType === 'ed25519' ? null : (opts.hash ?? 'sha256');
  const signature = nodeSign(algorithm, payload, privateKey);
  const annotations: Record<string, string> = { [ANNOTATION.signature]: signature.toString('base64') };
  if (opts.rekor) {
    const publicKeyPem = createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
    const witness = new RekorWitness({ rekorBaseURL: opts.rekor.rekorURL, retry: 0 });
    const { tlogEntries } = await witness.testify(
      { $case: 'messageSignature', messageSignature: { messageDigest: { algorithm: HashAlgorithm.SHA2_256, digest: sha256(payload) }, signature } },
      publicKeyPem,
    );
    annotations[ANNOTATION.bundle] = bundleAnnotation(only(tlogEntries, 'Rekor returned no entry'));
  }
  return layer(payload, annotations);
}

/** Who the keyless signature claims to be: a GitHub Actions run. */
export interface GitHubActionsClaims {
  /** "ORG/REPO" */
  repository: string;
  /** Workflow path and ref, e.g. ".github/workflows/release.yml@refs/heads/main". */
  workflowRef: string;
  /** Commit SHA (default: a stable fake derived from repository and workflowRef). */
  sha?: string;
  /** event_name, e.g. "push" (default), "workflow_dispatch", "pull_request". */
  trigger?: string;
  /** Token issuer (default https://token.actions.githubusercontent.com). */
  issuer?: string;
  /** Extra or overriding token claims (e.g. repository_visibility: "private"). */
  extra?: Record<string, string>;
}

/** `cosign sign` keyless, as from a GitHub Actions workflow, against the local instance. */
export async function signKeyless(payload: Buffer, instance: SigstoreInstance, claims: GitHubActionsClaims): Promise<CosignSignatureLayer> {
  const token = githubActionsToken(claims);
  const identityProvider: IdentityProvider = { getToken: async () => token };
  const builder = new MessageSignatureBundleBuilder({
    signer: new FulcioSigner({ identityProvider, fulcioBaseURL: instance.fulcioURL, retry: 0 }),
    witnesses: [new RekorWitness({ rekorBaseURL: instance.rekorURL, retry: 0 })],
  });
  const bundle = await builder.create({ data: payload });

  if (bundle.content.$case !== 'messageSignature') throw new Error('expected a message-signature bundle');
  const vm = bundle.verificationMaterial.content;
  const leafDer = vm.$case === 'certificate' ? vm.certificate.rawBytes : vm.$case === 'x509CertificateChain' ? vm.x509CertificateChain.certificates[0]?.rawBytes : undefined;
  if (!leafDer) throw new Error('Fulcio returned no certificate');

  return layer(payload, {
    [ANNOTATION.signature]: bundle.content.messageSignature.signature.toString('base64'),
    [ANNOTATION.certificate]: new X509Certificate(leafDer).toString(),
    // What Fulcio returns after the leaf (here: the root; the mock CA has no intermediate).
    [ANNOTATION.chain]: instance.caChainPem,
    [ANNOTATION.bundle]: bundleAnnotation(only(bundle.verificationMaterial.tlogEntries, 'Rekor returned no entry')),
  });
}

/**
 * An unsigned JWT shaped like a GitHub Actions OIDC token. The local Fulcio does not
 * check signatures; it maps these claims to Fulcio's certificate extensions, and
 * SAN_CLAIM to the URI SAN (https://github.com/<job_workflow_ref>, as real Fulcio does).
 */
export function githubActionsToken(c: GitHubActionsClaims): string {
  const at = c.workflowRef.lastIndexOf('@');
  if (at <= 0) throw new Error(`workflowRef must look like ".github/workflows/x.yml@refs/heads/main", got "${c.workflowRef}"`);
  const ref = c.workflowRef.slice(at + 1);
  const workflowPath = c.workflowRef.slice(0, at);
  const jobWorkflowRef = `${c.repository}/${c.workflowRef}`;
  const sha = c.sha ?? createHash('sha1').update(jobWorkflowRef).digest('hex');
  const owner = c.repository.split('/')[0] ?? c.repository;
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, string | number> = {
    iss: c.issuer ?? GITHUB_ACTIONS_ISSUER,
    aud: 'sigstore',
    sub: `repo:${c.repository}:ref:${ref}`,
    iat: now,
    nbf: now,
    exp: now + 600,
    repository: c.repository,
    repository_id: fakeNumericId(c.repository),
    repository_owner: owner,
    repository_owner_id: fakeNumericId(owner),
    repository_visibility: 'public',
    ref,
    sha,
    event_name: c.trigger ?? 'push',
    workflow: (workflowPath.split('/').pop() ?? workflowPath).replace(/\.ya?ml$/, ''),
    workflow_ref: jobWorkflowRef,
    workflow_sha: sha,
    job_workflow_ref: jobWorkflowRef,
    job_workflow_sha: sha,
    runner_environment: 'github-hosted',
    run_id: '1',
    run_attempt: '1',
    [SAN_CLAIM]: githubWorkflowIdentity(c.repository, c.workflowRef),
    ...c.extra,
  };
  const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`;
}

// GitHub's numeric IDs, faked but stable per name so policies over them are testable.
const fakeNumericId = (name: string): string => String(createHash('sha256').update(name).digest().readUInt32BE(0) % 1_000_000_000);

/** The certificate identity (URI SAN) Fulcio gives a GitHub Actions workflow. */
export function githubWorkflowIdentity(repository: string, workflowRef: string): string {
  return `https://github.com/${repository}/${workflowRef}`;
}

/** Test helper: the same layer with a corrupted Rekor SET (DER stays well-formed). */
export function forgeSet(l: CosignSignatureLayer): CosignSignatureLayer {
  const raw = l.annotations[ANNOTATION.bundle];
  if (!raw) throw new Error('layer has no bundle annotation');
  const bundle = JSON.parse(raw) as CosignBundleAnnotation;
  const set = Buffer.from(bundle.SignedEntryTimestamp, 'base64');
  // Byte 10 sits inside the INTEGER r of the ECDSA signature: flipping it breaks the
  // signature without making the DER unparseable.
  set[10] = (set[10] ?? 0) ^ 0xff;
  bundle.SignedEntryTimestamp = set.toString('base64');
  return { ...l, annotations: { ...l.annotations, [ANNOTATION.bundle]: JSON.stringify(bundle) } };
}

/** Value of `dev.sigstore.cosign/bundle` (cosign's RekorBundle). */
export interface CosignBundleAnnotation {
  SignedEntryTimestamp: string;
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

function bundleAnnotation(entry: TransparencyLogEntry): string {
  const set = entry.inclusionPromise?.signedEntryTimestamp;
  if (!set) throw new Error('Rekor entry has no signed entry timestamp');
  const value: CosignBundleAnnotation = {
    SignedEntryTimestamp: set.toString('base64'),
    Payload: {
      body: entry.canonicalizedBody.toString('base64'),
      integratedTime: Number(entry.integratedTime),
      logIndex: Number(entry.logIndex),
      logID: entry.logId.keyId.toString('hex'),
    },
  };
  return JSON.stringify(value);
}

const layer = (payload: Buffer, annotations: Record<string, string>): CosignSignatureLayer => ({
  payload,
  mediaType: COSIGN_SIMPLESIGNING_MEDIA_TYPE,
  annotations,
});

function only<T>(items: T[] | undefined, message: string): T {
  const first = items?.[0];
  if (first === undefined) throw new Error(message);
  return first;
}

const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

/** Go's json.Marshal: <, >, & escaped as \u003c etc.; map keys sorted when `sortKeys`. */
function goJSON(value: unknown, sortKeys: boolean): string {
  if (value === null || typeof value !== 'object') {
    return (JSON.stringify(value) ?? 'null').replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  if (Array.isArray(value)) return `[${value.map((v) => goJSON(v, sortKeys)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${goJSON(k, sortKeys)}:${goJSON(v, sortKeys)}`).join(',')}}`;
}
