/**
 * `cosign attest` keyless, as from a GitHub Actions workflow: an in-toto statement
 * signed as a DSSE envelope with the real `@sigstore/sign` client (FulcioSigner,
 * RekorWitness) against the local instance, re-expressed as a cosign `.att` layer
 * (see cosign specs/ATTESTATION_SPEC.md): the layer blob is the envelope JSON, the
 * annotations carry certificate, chain and Rekor bundle like a `.sig` layer, plus
 * the statement's predicateType.
 *
 * Rekor entry kind: dsse 0.0.1 by default (what @sigstore/sign and cosign v3 write);
 * `rekorEntryType: 'intoto'` logs intoto 0.0.2 instead (what cosign v2 `attest`
 * writes). The local log (./rekor-log.ts) canonicalizes both as Rekor does, so
 * @sigstore/verify and lib/verify accept either.
 */
import { X509Certificate } from 'node:crypto';
import type { TransparencyLogEntry } from '@sigstore/bundle';
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, type Bundle, type IdentityProvider } from '@sigstore/sign';
import { ANNOTATION, type CosignSignatureLayer } from '@/lib/cosign/types';
import { DSSE_ENVELOPE, IN_TOTO_PAYLOAD_TYPE } from '@/lib/oci/media-types';
import { githubActionsToken, type CosignBundleAnnotation, type GitHubActionsClaims } from './cosign-sign';
import type { SigstoreInstance } from './sigstore-instance';

/** The annotation cosign adds to `.att` layers naming the statement's predicate type. */
export const PREDICATE_TYPE_ANNOTATION = 'predicateType';

export interface AttestOptions {
  /** Rekor entry kind for the envelope (default 'dsse', i.e. dsse 0.0.1; 'intoto' is intoto 0.0.2). */
  rekorEntryType?: 'intoto' | 'dsse';
}

/** A statement as the helpers in ./bundles.ts build it (anything with a predicateType). */
export interface InTotoStatementLike {
  _type?: string;
  predicateType: string;
  subject?: Array<{ name?: string; digest: Record<string, string> }>;
  predicate?: unknown;
}

/**
 * Signs `statement` keylessly (DSSE, payloadType application/vnd.in-toto+json) and
 * returns the `.att` layer cosign writes for it. Push with pushAttachmentTag(…, 'att', …).
 */
export async function attestKeyless(statement: object, instance: SigstoreInstance, claims: GitHubActionsClaims, opts: AttestOptions = {}): Promise<CosignSignatureLayer> {
  const predicateType = (statement as Partial<InTotoStatementLike>).predicateType;
  if (typeof predicateType !== 'string' || predicateType === '') throw new Error('the statement has no predicateType');
  const bundle = await signStatementKeyless(statement, instance, claims, opts);
  if (bundle.content.$case !== 'dsseEnvelope') throw new Error('expected a DSSE bundle');
  const env = bundle.content.dsseEnvelope;
  const sig = env.signatures[0];
  if (!sig) throw new Error('the DSSE envelope has no signature');

  // cosign writes the envelope with Go's field order and an empty keyid.
  const envelopeJson = JSON.stringify({
    payloadType: env.payloadType,
    payload: env.payload.toString('base64'),
    signatures: [{ keyid: sig.keyid, sig: sig.sig.toString('base64') }],
  });
  return {
    payload: Buffer.from(envelopeJson, 'utf8'),
    mediaType: DSSE_ENVELOPE,
    annotations: {
      // cosign leaves the signature annotation empty on .att layers: the signature is in the envelope.
      [ANNOTATION.signature]: '',
      [ANNOTATION.certificate]: new X509Certificate(leafCertificateDer(bundle)).toString(),
      [ANNOTATION.chain]: instance.caChainPem,
      [ANNOTATION.bundle]: rekorBundleAnnotation(onlyEntry(bundle)),
      [PREDICATE_TYPE_ANNOTATION]: predicateType,
    },
  };
}

/**
 * The Sigstore bundle (as @sigstore/sign returns it: v0.3, single certificate) for a
 * keyless DSSE signature over the JSON of `statement`. Shared with ./bundles.ts.
 */
export async function signStatementKeyless(statement: object, instance: SigstoreInstance, claims: GitHubActionsClaims, opts: AttestOptions = {}): Promise<Bundle> {
  const token = githubActionsToken(claims);
  const identityProvider: IdentityProvider = { getToken: async () => token };
  const builder = new DSSEBundleBuilder({
    signer: new FulcioSigner({ identityProvider, fulcioBaseURL: instance.fulcioURL, retry: 0 }),
    witnesses: [new RekorWitness({ rekorBaseURL: instance.rekorURL, retry: 0, entryType: opts.rekorEntryType ?? 'dsse' })],
  });
  return builder.create({ data: Buffer.from(JSON.stringify(statement), 'utf8'), type: IN_TOTO_PAYLOAD_TYPE });
}

/** The leaf certificate (DER) of a keyless bundle. */
export function leafCertificateDer(bundle: Bundle): Buffer {
  const vm = bundle.verificationMaterial.content;
  const der = vm.$case === 'certificate' ? vm.certificate.rawBytes : vm.$case === 'x509CertificateChain' ? vm.x509CertificateChain.certificates[0]?.rawBytes : undefined;
  if (!der) throw new Error('Fulcio returned no certificate');
  return Buffer.from(der);
}

/** Value of `dev.sigstore.cosign/bundle` for a Rekor v1 entry (cosign's RekorBundle). */
export function rekorBundleAnnotation(entry: TransparencyLogEntry): string {
  const set = entry.inclusionPromise?.signedEntryTimestamp;
  if (!set) throw new Error('Rekor entry has no signed entry timestamp');
  const value: CosignBundleAnnotation = {
    SignedEntryTimestamp: Buffer.from(set).toString('base64'),
    Payload: {
      body: Buffer.from(entry.canonicalizedBody).toString('base64'),
      integratedTime: Number(entry.integratedTime),
      logIndex: Number(entry.logIndex),
      logID: Buffer.from(entry.logId.keyId).toString('hex'),
    },
  };
  return JSON.stringify(value);
}

function onlyEntry(bundle: Bundle): TransparencyLogEntry {
  const entry = bundle.verificationMaterial.tlogEntries[0];
  if (!entry) throw new Error('Rekor returned no entry');
  return entry;
}
