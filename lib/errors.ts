/**
 * Typed errors shared by every lib/ module.
 *
 * Each error carries a code from a closed set (so the UI, the CLI and the
 * database can branch on it) and a message written for a person: what was
 * expected, what was found, and what to do about it. Never a stack trace.
 */
export type SigscopeErrorCode =
  // input
  | 'INVALID_REFERENCE'
  | 'INVALID_INPUT'
  | 'INVALID_POLICY'
  | 'INVALID_TRUSTED_ROOT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  // registry
  | 'REGISTRY_UNREACHABLE'
  | 'REGISTRY_HTTP_NOT_ALLOWED'
  | 'REGISTRY_AUTH'
  | 'REGISTRY_NOT_FOUND'
  | 'REGISTRY_ERROR'
  | 'REGISTRY_BAD_RESPONSE'
  | 'DIGEST_MISMATCH'
  | 'SIZE_LIMIT'
  | 'TIMEOUT'
  // outbound guard (SSRF): a destination an administrator has not allowed
  | 'OUTBOUND_BLOCKED'
  // transparency logs (Rekor)
  | 'REKOR_UNREACHABLE'
  | 'REKOR_BAD_RESPONSE'
  | 'REKOR_NOT_FOUND'
  // signatures
  | 'SIGNATURE_MALFORMED'
  | 'CERTIFICATE_MALFORMED'
  // the verifier itself could not run (its thread died): no verdict was made
  | 'VERIFIER_ERROR'
  // storage
  | 'DATABASE'
  // secrets at rest: missing or wrong encryption key, tampered ciphertext
  | 'SECRET';

export class SigscopeError extends Error {
  readonly code: SigscopeErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: SigscopeErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SigscopeError';
    this.code = code;
    this.details = options?.details;
  }
}

export function isSigscopeError(e: unknown): e is SigscopeError {
  return e instanceof SigscopeError;
}

/** A message for a person from anything thrown. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/**
 * Untrusted text (from a signature, a registry, a certificate) made safe to put in a
 * message: control characters escaped (no terminal escape sequences), length capped.
 */
export function printable(s: string, max = 200): string {
  const escaped = s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}
