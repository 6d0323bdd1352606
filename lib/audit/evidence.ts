/**
 * One normalised record per thing found attached to an image — a cosign `.sig` layer,
 * a cosign `.att` layer, or a Sigstore bundle referrer — with its verdict. Storage, the
 * CLI and the pages read these, whatever the format.
 */
import { createHash } from 'node:crypto';
import type { InTotoStatement } from '../attest/statement';
import type { DiscoveredSignature } from '../cosign/discovered';
import type { DiscoveredBundle } from '../cosign/referrers';
import type { SignatureVerdict } from '../verify/result';
import type { DecodedCertificate } from '../x509';

export type EvidenceFormat = 'cosign-sig' | 'cosign-att' | 'bundle-referrers-api' | 'bundle-referrers-tag';
export type EvidenceKind = 'cosign-sig' | 'bundle' | 'attestation';

export interface Evidence {
  kind: EvidenceKind;
  format: EvidenceFormat;
  subjectDigest: string;
  /** Where it was found, for people: "sha256-….sig@sha256:…" or "referrer sha256:…". */
  source: string;
  layerDigest: string;
  payloadDigest: string;
  /** What distinguishes one signer's signature from another's over the same payload. */
  materialDigest: string;
  signatureB64: string;
  certificatePem?: string;
  artifactType?: string;
  predicateType?: string;
  statement?: InTotoStatement;
}

export interface VerifiedEvidence {
  evidence: Evidence;
  result: SignatureVerdict;
  /** Set when attached to a platform manifest rather than the digest asked about. */
  platform?: string;
  /** The leaf certificate as the verifier decoded it (when it ran on another thread), so it is not decoded again. */
  certificate?: DecodedCertificate;
}

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export function fromCosignLayer(sig: DiscoveredSignature, kind: 'cosign-sig' | 'attestation', statement?: InTotoStatement): Evidence {
  const material = createHash('sha256');
  for (const part of [sig.signatureB64, sig.certificatePem, sig.chainPem, sig.bundleJson, sig.rfc3161TimestampJson]) material.update(`${part ?? ''}\u0000`);
  return {
    kind,
    format: kind === 'attestation' ? 'cosign-att' : 'cosign-sig',
    subjectDigest: sig.subjectDigest,
    source: `${sig.tag}@${sig.manifestDigest}`,
    layerDigest: sig.layerDigest,
    payloadDigest: sha256(sig.payload),
    materialDigest: `sha256:${material.digest('hex')}`,
    // A .att layer's signature lives inside its DSSE envelope; keep the envelope's first one.
    signatureB64: sig.signatureB64 || envelopeSignature(sig.payload) || '',
    ...(sig.certificatePem ? { certificatePem: sig.certificatePem } : {}),
    ...(statement ? { predicateType: statement.predicateType, statement } : {}),
  };
}

export function fromBundle(b: DiscoveredBundle, info: { kind: 'bundle' | 'attestation'; signatureB64: string; certificatePem?: string; statement?: InTotoStatement }): Evidence {
  return {
    kind: info.kind,
    format: b.source === 'referrers-api' ? 'bundle-referrers-api' : 'bundle-referrers-tag',
    subjectDigest: b.subjectDigest,
    source: `referrer ${b.manifestDigest}`,
    layerDigest: b.layerDigest,
    payloadDigest: sha256(b.bytes),
    materialDigest: sha256(b.bytes),
    signatureB64: info.signatureB64,
    artifactType: b.artifactType,
    ...(info.certificatePem ? { certificatePem: info.certificatePem } : {}),
    ...(info.statement ? { predicateType: info.statement.predicateType, statement: info.statement } : {}),
  };
}

function envelopeSignature(payload: Buffer): string | undefined {
  try {
    const env = JSON.parse(payload.toString('utf8')) as { signatures?: Array<{ sig?: unknown }> };
    const sig = env.signatures?.[0]?.sig;
    return typeof sig === 'string' ? sig : undefined;
  } catch {
    return undefined;
  }
}
