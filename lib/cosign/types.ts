/** Shapes of cosign's OCI signature storage (see cosign specs/SIGNATURE_SPEC.md). */

export const COSIGN_SIMPLESIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const COSIGN_SIGNATURE_TYPE = 'cosign container image signature';

export const ANNOTATION = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  rfc3161timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
} as const;

/** One layer of a `sha256-<hex>.sig` manifest, as a signer writes it. */
export interface CosignSignatureLayer {
  /** The simple-signing payload (layer blob bytes). */
  payload: Buffer;
  mediaType: string;
  /** Layer annotations: signature (base64), certificate/chain PEM, bundle JSON, ... */
  annotations: Record<string, string>;
}
