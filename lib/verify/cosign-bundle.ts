/**
 * Converts a cosign `.sig` layer into the Sigstore bundle that @sigstore/verify checks.
 *
 * cosign stores the same facts a message-signature bundle holds, spread over layer
 * annotations: the certificate and chain as PEM, and the Rekor entry as
 * `{SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}`. All
 * decoding here validates shape and size; nothing is trusted until verified.
 */
import { createHash } from 'node:crypto';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { z } from 'zod';
import type { DiscoveredSignature } from '../cosign/discovered';
import { derFromPem, splitPemChain } from '../x509';

const BUNDLE_V01 = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
const MAX_ANNOTATION = 256 * 1024;

const Base64 = z.string().max(MAX_ANNOTATION).regex(/^[A-Za-z0-9+/=\s]*$/, 'base64');

export const RekorBundleAnnotationSchema = z.object({
  SignedEntryTimestamp: Base64.min(1),
  Payload: z.object({
    body: Base64.min(1),
    integratedTime: z.number().int().nonnegative(),
    logIndex: z.number().int().nonnegative(),
    logID: z.string().regex(/^[a-f0-9]{64}$/, 'a 64-hex-digit log ID'),
  }),
});
export type RekorBundleAnnotation = z.infer<typeof RekorBundleAnnotationSchema>;

const TimestampAnnotationSchema = z.object({ SignedRFC3161Timestamp: Base64.min(1) });

export const HashedRekordBodySchema = z.object({
  apiVersion: z.string(),
  kind: z.literal('hashedrekord'),
  spec: z.object({
    data: z.object({ hash: z.object({ algorithm: z.string(), value: z.string() }) }),
    signature: z.object({ content: Base64, publicKey: z.object({ content: Base64 }) }),
  }),
});
export type HashedRekordBody = z.infer<typeof HashedRekordBodySchema>;

export class ConversionError extends Error {
  constructor(
    readonly code: 'SIGNATURE_MISSING' | 'CERTIFICATE_MALFORMED' | 'TLOG_BODY_MISMATCH' | 'TLOG_SET_INVALID' | 'PAYLOAD_MALFORMED',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Certificates of a PEM text, strictly parsed with size and count limits (lib/x509);
 * a malformed or oversized annotation becomes a CERTIFICATE_MALFORMED verdict.
 */
export function pemBlocks(pem: string): Buffer[] {
  try {
    return splitPemChain(pem).map((block) => Buffer.from(derFromPem(block)));
  } catch (e) {
    throw new ConversionError('CERTIFICATE_MALFORMED', (e as Error).message);
  }
}

// The chain annotation is the same text on every image one Fulcio signed: read each text once.
const recentChains = new Map<string, readonly Buffer[]>();
const MAX_RECENT_CHAINS = 16;

/** pemBlocks of a chain annotation, remembered for the last few distinct texts (errors are not remembered). */
function chainBlocks(pem: string): readonly Buffer[] {
  const hit = recentChains.get(pem);
  if (hit) return hit;
  const blocks = Object.freeze(pemBlocks(pem));
  if (recentChains.size >= MAX_RECENT_CHAINS) recentChains.delete(recentChains.keys().next().value!);
  recentChains.set(pem, blocks);
  return blocks;
}

export function parseRekorAnnotation(json: string): RekorBundleAnnotation {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    throw new ConversionError('TLOG_SET_INVALID', `the Rekor bundle annotation is not JSON: ${(e as Error).message}`);
  }
  const parsed = RekorBundleAnnotationSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ConversionError('TLOG_SET_INVALID', `the Rekor bundle annotation is malformed at ${i?.path.join('.')}: ${i?.message}`);
  }
  return parsed.data;
}

export function decodeHashedRekordBody(bodyB64: string): HashedRekordBody {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bodyB64, 'base64').toString('utf8'));
  } catch (e) {
    throw new ConversionError('TLOG_BODY_MISMATCH', `the Rekor entry body is not JSON: ${(e as Error).message}`);
  }
  const kind = (raw as { kind?: unknown } | null)?.kind;
  const parsed = HashedRekordBodySchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConversionError(
      'TLOG_BODY_MISMATCH',
      kind !== 'hashedrekord' ? `the Rekor entry is of kind ${String(kind)}, but a cosign signature is logged as hashedrekord` : `the Rekor hashedrekord entry is malformed: ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}

export interface ConvertedSignature {
  bundle: Bundle;
  rekor?: RekorBundleAnnotation;
  rekorBody?: HashedRekordBody;
  /** DER of the leaf certificate, when keyless. */
  leafDer?: Buffer;
}

/**
 * @param keyHint set for key-based verification: the bundle names the key instead of a certificate.
 */
export function toCosignBundle(sig: DiscoveredSignature, keyHint?: string): ConvertedSignature {
  if (!sig.signatureB64) throw new ConversionError('SIGNATURE_MISSING', 'the layer has no dev.cosignproject.cosign/signature annotation');
  if (!Base64.safeParse(sig.signatureB64).success) throw new ConversionError('SIGNATURE_MISSING', 'the signature annotation is not base64');

  let leafDer: Buffer | undefined;
  let chain: Buffer[] = [];
  if (!keyHint) {
    if (!sig.certificatePem) throw new ConversionError('CERTIFICATE_MALFORMED', 'the layer has no dev.sigstore.cosign/certificate annotation');
    const leaves = pemBlocks(sig.certificatePem);
    if (leaves.length !== 1 || !leaves[0] || leaves[0].length === 0) throw new ConversionError('CERTIFICATE_MALFORMED', 'the certificate annotation does not hold exactly one PEM certificate');
    leafDer = leaves[0];
    // Intermediates only: a root from the annotation must never become a trust anchor.
    chain = sig.chainPem ? chainBlocks(sig.chainPem).slice(0, -1) : [];
  }

  const tlogEntries: unknown[] = [];
  let rekor: RekorBundleAnnotation | undefined;
  let rekorBody: HashedRekordBody | undefined;
  if (sig.bundleJson) {
    rekor = parseRekorAnnotation(sig.bundleJson);
    rekorBody = decodeHashedRekordBody(rekor.Payload.body);
    tlogEntries.push({
      logIndex: String(rekor.Payload.logIndex),
      logId: { keyId: Buffer.from(rekor.Payload.logID, 'hex').toString('base64') },
      kindVersion: { kind: rekorBody.kind, version: rekorBody.apiVersion },
      integratedTime: String(rekor.Payload.integratedTime),
      inclusionPromise: { signedEntryTimestamp: rekor.SignedEntryTimestamp },
      canonicalizedBody: rekor.Payload.body,
    });
  }

  const rfc3161Timestamps: Array<{ signedTimestamp: string }> = [];
  if (sig.rfc3161TimestampJson) {
    let ts: unknown;
    try {
      ts = JSON.parse(sig.rfc3161TimestampJson);
    } catch {
      ts = undefined;
    }
    const parsed = TimestampAnnotationSchema.safeParse(ts);
    if (!parsed.success) throw new ConversionError('PAYLOAD_MALFORMED', 'the RFC 3161 timestamp annotation is malformed');
    rfc3161Timestamps.push({ signedTimestamp: parsed.data.SignedRFC3161Timestamp });
  }

  const json = {
    mediaType: BUNDLE_V01,
    verificationMaterial: {
      ...(keyHint
        ? { publicKey: { hint: keyHint } }
        : { x509CertificateChain: { certificates: [leafDer!, ...chain].map((c) => ({ rawBytes: c.toString('base64') })) } }),
      tlogEntries,
      timestampVerificationData: { rfc3161Timestamps },
    },
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(sig.payload).digest('base64') },
      signature: sig.signatureB64.replace(/\s+/g, ''),
    },
  };
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (e) {
    throw new ConversionError('TLOG_SET_INVALID', `the signature's Rekor entry is not a valid Sigstore bundle entry: ${(e as Error).message}`);
  }
  return { bundle, rekor, rekorBody, leafDer };
}
