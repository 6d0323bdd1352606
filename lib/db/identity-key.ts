/**
 * URL keys for signing identities (no `server-only`: pages and components build links with it).
 *
 * An identity is either keyless, (OIDC issuer, certificate subject) as the certificate
 * states it, or a public key, by the SHA-256 fingerprint of its SubjectPublicKeyInfo.
 *
 *   keyless: `kl.<base64url(issuer + "\n" + subject)>`   (issuer "" when the certificate names none)
 *   key:     `key.<64 lowercase hex>`
 *
 * Decoding is strict: unpadded base64url only, canonical (re-encoding gives the same key),
 * valid UTF-8, no control characters, bounded length. Anything else is "no such identity".
 */

export type IdentityRef =
  | { kind: 'keyless'; issuer: string; subject: string }
  | { kind: 'key'; fingerprint: string };

/** Longest key accepted: a SAN URI plus an issuer URL fit with room to spare. */
export const MAX_IDENTITY_KEY_CHARS = 4096;
const MAX_FIELD_CHARS = 2048;
const KEYLESS_PREFIX = 'kl.';
const KEY_PREFIX = 'key.';
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HEX64 = /^[0-9a-f]{64}$/;
// C0 controls, DEL and C1 controls: never part of an issuer URL or a certificate identity.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function toBase64Url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!BASE64URL.test(text) || text.length % 4 === 1) return null;
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    return null;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function validField(value: string, allowEmpty: boolean): boolean {
  return (allowEmpty || value.length > 0) && value.length <= MAX_FIELD_CHARS && !CONTROL.test(value);
}

/** @throws Error when the identity cannot have a key (empty subject, control characters, bad fingerprint). */
export function encodeIdentityKey(ref: IdentityRef): string {
  if (ref.kind === 'key') {
    const fp = ref.fingerprint.replace(/:/g, '').toLowerCase();
    if (!HEX64.test(fp)) throw new Error(`not a SHA-256 key fingerprint: ${JSON.stringify(ref.fingerprint).slice(0, 80)}`);
    return `${KEY_PREFIX}${fp}`;
  }
  if (!validField(ref.issuer, true) || !validField(ref.subject, false)) {
    throw new Error('an identity needs a non-empty subject, and neither it nor the issuer may hold control characters or exceed 2048 characters');
  }
  return `${KEYLESS_PREFIX}${toBase64Url(utf8Encoder.encode(`${ref.issuer}\n${ref.subject}`))}`;
}

/** The identity a key names, or null when the key is malformed in any way. */
export function decodeIdentityKey(key: unknown): IdentityRef | null {
  if (typeof key !== 'string' || key.length > MAX_IDENTITY_KEY_CHARS) return null;
  if (key.startsWith(KEY_PREFIX)) {
    const fp = key.slice(KEY_PREFIX.length);
    return HEX64.test(fp) ? { kind: 'key', fingerprint: fp } : null;
  }
  if (!key.startsWith(KEYLESS_PREFIX)) return null;
  const body = key.slice(KEYLESS_PREFIX.length);
  const bytes = fromBase64Url(body);
  if (!bytes) return null;
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch {
    return null;
  }
  const nl = text.indexOf('\n');
  if (nl < 0) return null;
  const issuer = text.slice(0, nl);
  const subject = text.slice(nl + 1);
  if (!validField(issuer, true) || !validField(subject, false)) return null;
  // Canonical only: one identity, one URL (no alternative paddings or trailing bits).
  if (toBase64Url(bytes) !== body) return null;
  return { kind: 'keyless', issuer, subject };
}

/**
 * The identity of a stored signature or result: keyless when it names a certificate identity,
 * else its key fingerprint; null when it names neither.
 */
export function identityKeyOf(row: { identity?: string | null; oidcIssuer?: string | null; publicKeyFingerprint?: string | null }): string | null {
  try {
    if (row.identity) return encodeIdentityKey({ kind: 'keyless', issuer: row.oidcIssuer ?? '', subject: row.identity });
    if (row.publicKeyFingerprint) return encodeIdentityKey({ kind: 'key', fingerprint: row.publicKeyFingerprint });
  } catch {
    // An identity that cannot be linked (control characters…) is shown without a link.
  }
  return null;
}

/** `/identities/<key>`, or null when the row names no linkable identity. */
export function identityHref(row: Parameters<typeof identityKeyOf>[0]): string | null {
  const key = identityKeyOf(row);
  return key ? `/identities/${key}` : null;
}

/** `/repositories/<registry>/<repository>` (segments kept readable; each one encoded). */
export function repositoryHref(image: { registry: string; repository: string }): string {
  return `/repositories/${encodeURIComponent(image.registry).replace(/%3A/gi, ':')}/${image.repository.split('/').map(encodeURIComponent).join('/')}`;
}
