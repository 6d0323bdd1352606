/**
 * Transparency log keys: the public keys that sign a log's checkpoints and
 * SETs, taken from a trusted root (`tlogs[]`) or from a PEM the user gives.
 *
 * Each key knows the identifiers it is looked up by:
 * - `logId`: what v1 entries and bundles carry (`logID` / `logId.keyId`). For a v1
 *   log it is SHA-256 of the DER SubjectPublicKeyInfo; for a Rekor v2 log the
 *   trusted root sets it to the full signed-note key ID (rekor-tiles CLIENTS.md).
 * - the signed-note key name and 4-byte key ID of its checkpoint signatures
 *   (c2sp.org/signed-note): Ed25519 `SHA-256(name || 0x0A || 0x01 || 32-byte key)[:4]`;
 *   ECDSA `SHA-256(DER SPKI)[:4]` (no name); RSA
 *   `SHA-256(name || 0x0A || 0xFF || "PKIX-RSA-PKCS#1v1.5" || DER SPKI)[:4]`.
 *   The key name of a log is its base URL without the scheme (`rekor.sigstore.dev`,
 *   `log2025-1.rekor.sigstore.dev`).
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { SigscopeError, printable } from '../errors';
import { base64Strict } from './encoding';

export type SignatureScheme = 'ecdsa-sha256' | 'ecdsa-sha384' | 'ecdsa-sha512' | 'ed25519' | 'rsa-pkcs1-sha256' | 'rsa-pkcs1-sha384' | 'rsa-pkcs1-sha512';

export interface TransparencyLogKey {
  /** The log's base URL from the trusted root (absent for a bare PEM). */
  baseUrl?: string;
  /**
   * The signed-note key name its checkpoints are signed under. Undefined for a
   * bare PEM given without a name: any name is then accepted (the key still has to verify).
   */
  keyName?: string;
  /** PKIX_ECDSA_P256_SHA_256, PKIX_ED25519, … (derived from the key for a bare PEM). */
  keyDetails: string;
  scheme: SignatureScheme;
  publicKey: KeyObject;
  /** DER SubjectPublicKeyInfo. */
  spki: Buffer;
  /** The log ID entries name this log by (see the module header). */
  logId: Buffer;
  /** The trusted root's `checkpointKeyId.keyId`, when it gives one. */
  checkpointKeyId?: Buffer;
  validFrom?: Date;
  validUntil?: Date;
}

/** What a UI or a JSON report shows about a key: no key material objects. */
export interface LogKeySummary {
  baseUrl?: string;
  keyName?: string;
  keyDetails: string;
  logId: string;
}

export function summarizeKey(k: TransparencyLogKey): LogKeySummary {
  return { baseUrl: k.baseUrl, keyName: k.keyName, keyDetails: k.keyDetails, logId: k.logId.toString('hex') };
}

const Base64 = z.string().min(1).max(16_384);
const TlogSchema = z.object({
  baseUrl: z.string().max(2048).optional(),
  publicKey: z.object({
    rawBytes: Base64,
    keyDetails: z.string().max(64).optional(),
    validFor: z.object({ start: z.string().optional(), end: z.string().optional() }).optional(),
  }),
  logId: z.object({ keyId: Base64 }),
  checkpointKeyId: z.object({ keyId: Base64 }).optional(),
});
const TrustedRootTlogs = z.object({ tlogs: z.array(z.unknown()).max(64).default([]) });

/** "https://rekor.sigstore.dev/" → "rekor.sigstore.dev" (the signed-note key name and tiles origin). */
export function keyNameFromBaseUrl(baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.host}${path}`;
}

function schemeFor(key: KeyObject, keyDetails?: string): SignatureScheme | undefined {
  const d = keyDetails ?? '';
  if (key.asymmetricKeyType === 'ed25519') return d === '' || d.includes('ED25519') ? 'ed25519' : undefined;
  if (key.asymmetricKeyType === 'ec') {
    if (d.includes('SHA_384')) return 'ecdsa-sha384';
    if (d.includes('SHA_512')) return 'ecdsa-sha512';
    if (d.includes('SHA_256')) return 'ecdsa-sha256';
    if (d !== '') return undefined;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'secp384r1' ? 'ecdsa-sha384' : curve === 'secp521r1' ? 'ecdsa-sha512' : 'ecdsa-sha256';
  }
  if (key.asymmetricKeyType === 'rsa') {
    if (d.includes('PSS')) return undefined;
    if (d.includes('SHA384')) return 'rsa-pkcs1-sha384';
    if (d.includes('SHA512')) return 'rsa-pkcs1-sha512';
    return 'rsa-pkcs1-sha256';
  }
  return undefined;
}

function defaultKeyDetails(key: KeyObject, scheme: SignatureScheme): string {
  if (scheme === 'ed25519') return 'PKIX_ED25519';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === 'secp384r1' ? 'PKIX_ECDSA_P384_SHA_384' : curve === 'secp521r1' ? 'PKIX_ECDSA_P521_SHA_512' : 'PKIX_ECDSA_P256_SHA_256';
  }
  return 'PKIX_RSA_PKCS1V15_SHA256';
}

/** The raw 32-byte Ed25519 key: the last 32 bytes of its 44-byte SPKI. */
function ed25519Raw(spki: Buffer): Buffer {
  return spki.subarray(spki.length - 32);
}

/**
 * The 4-byte signed-note key ID this key signs checkpoints under, for a given
 * key name (ignored for ECDSA, whose ID is the SPKI hash).
 */
export function noteKeyId(key: Pick<TransparencyLogKey, 'scheme' | 'spki'>, keyName: string): Buffer {
  const h = createHash('sha256');
  if (key.scheme === 'ed25519') {
    h.update(Buffer.from(`${keyName}\n`, 'utf8')).update(Buffer.from([0x01])).update(ed25519Raw(key.spki));
  } else if (key.scheme.startsWith('ecdsa')) {
    h.update(key.spki);
  } else {
    h.update(Buffer.from(`${keyName}\n`, 'utf8')).update(Buffer.from([0xff])).update(Buffer.from('PKIX-RSA-PKCS#1v1.5', 'utf8')).update(key.spki);
  }
  return h.digest().subarray(0, 4);
}

function parseDate(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function keyFromSpki(spki: Buffer, what: string): KeyObject {
  try {
    return createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch (e) {
    throw new SigscopeError('INVALID_TRUSTED_ROOT', `${what}: the public key is not a DER SubjectPublicKeyInfo (${(e as Error).message})`);
  }
}

/**
 * The transparency logs of a trusted root (`LoadedTrustRoot.json` from
 * lib/verify/trust-root, or any parsed trusted_root.json). Throws
 * INVALID_TRUSTED_ROOT for a log entry it cannot use, rather than silently
 * trusting fewer logs than the root names.
 */
export function logKeysFromTrustedRoot(json: unknown): TransparencyLogKey[] {
  const root = TrustedRootTlogs.safeParse(json);
  if (!root.success) throw new SigscopeError('INVALID_TRUSTED_ROOT', 'trusted root: tlogs must be a list of at most 64 logs');
  return root.data.tlogs.map((raw, i) => {
    const what = `trusted root tlogs[${i}]`;
    const t = TlogSchema.safeParse(raw);
    if (!t.success) {
      const issue = t.error.issues[0];
      throw new SigscopeError('INVALID_TRUSTED_ROOT', `${what} is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    }
    const spki = base64Strict(t.data.publicKey.rawBytes);
    const logId = base64Strict(t.data.logId.keyId);
    if (!spki || !logId) throw new SigscopeError('INVALID_TRUSTED_ROOT', `${what}: publicKey.rawBytes and logId.keyId must be base64`);
    const publicKey = keyFromSpki(spki, what);
    const scheme = schemeFor(publicKey, t.data.publicKey.keyDetails);
    if (!scheme) {
      throw new SigscopeError('INVALID_TRUSTED_ROOT', `${what}: key type ${publicKey.asymmetricKeyType} with keyDetails ${printable(t.data.publicKey.keyDetails ?? '(none)')} is not supported for a transparency log`);
    }
    const checkpointKeyId = t.data.checkpointKeyId ? base64Strict(t.data.checkpointKeyId.keyId) : undefined;
    return {
      baseUrl: t.data.baseUrl,
      keyName: t.data.baseUrl ? keyNameFromBaseUrl(t.data.baseUrl) : undefined,
      keyDetails: t.data.publicKey.keyDetails ?? defaultKeyDetails(publicKey, scheme),
      scheme,
      publicKey,
      spki,
      logId,
      checkpointKeyId,
      validFrom: parseDate(t.data.publicKey.validFor?.start),
      validUntil: parseDate(t.data.publicKey.validFor?.end),
    };
  });
}

/**
 * A log key from a PEM public key (`--rekor-key`). Its log ID is SHA-256 of the
 * SPKI, as for a v1 log, unless `logId` is given. Without `keyName` checkpoint
 * signatures under any name are tried against it.
 */
export function logKeyFromPem(pem: string, options: { keyName?: string; baseUrl?: string; logId?: Buffer } = {}): TransparencyLogKey {
  if (typeof pem !== 'string' || pem.length > 64 * 1024 || !pem.includes('-----BEGIN PUBLIC KEY-----')) {
    throw new SigscopeError('INVALID_INPUT', 'the log key must be a PEM "PUBLIC KEY" (SubjectPublicKeyInfo)');
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pem, format: 'pem' });
  } catch (e) {
    throw new SigscopeError('INVALID_INPUT', `the log key PEM cannot be read: ${(e as Error).message}`);
  }
  const scheme = schemeFor(publicKey);
  if (!scheme) throw new SigscopeError('INVALID_INPUT', `a ${publicKey.asymmetricKeyType} key cannot be a transparency log key`);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  const keyName = options.keyName ?? (options.baseUrl ? keyNameFromBaseUrl(options.baseUrl) : undefined);
  return {
    baseUrl: options.baseUrl,
    keyName,
    keyDetails: defaultKeyDetails(publicKey, scheme),
    scheme,
    publicKey,
    spki,
    logId: options.logId ?? createHash('sha256').update(spki).digest(),
  };
}

/** Keys whose log ID equals `logId` (bytes, or hex as v1 responses write it). */
export function keysForLogId(keys: readonly TransparencyLogKey[], logId: Buffer | string): TransparencyLogKey[] {
  const id = typeof logId === 'string' ? Buffer.from(/^[0-9a-fA-F]*$/.test(logId) ? logId : '', 'hex') : logId;
  if (id.length === 0) return [];
  return keys.filter((k) => k.logId.equals(id) || (k.checkpointKeyId !== undefined && k.checkpointKeyId.equals(id)));
}

/** Whether `at` lies in the key's validity window (an absent bound is open). */
export function keyValidAt(key: TransparencyLogKey, at: Date): boolean {
  if (key.validFrom && at.getTime() < key.validFrom.getTime()) return false;
  if (key.validUntil && at.getTime() > key.validUntil.getTime()) return false;
  return true;
}
