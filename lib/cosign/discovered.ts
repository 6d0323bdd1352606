/** A cosign signature as found in a registry, before any verification. */
export interface DiscoveredSignature {
  /** The digest whose `.sig` tag held this signature (index or platform manifest). */
  subjectDigest: string;
  /** `sha256-<hex>.sig` */
  tag: string;
  /** Digest of the `.sig` manifest. */
  manifestDigest: string;
  layerIndex: number;
  layerDigest: string;
  mediaType: string;
  /** The signed simple-signing payload (layer blob), digest-checked. */
  payload: Buffer;
  /** Base64 signature from `dev.cosignproject.cosign/signature`. */
  signatureB64?: string;
  certificatePem?: string;
  chainPem?: string;
  /** Raw JSON text of `dev.sigstore.cosign/bundle`. */
  bundleJson?: string;
  /** Raw JSON text of `dev.sigstore.cosign/rfc3161timestamp`. */
  rfc3161TimestampJson?: string;
}
