/**
 * Content digests ("sha256:<hex>"): everything fetched from a registry is
 * checked against one, because a digest is the only thing a signature binds to.
 */
import { createHash, type Hash } from 'node:crypto';
import { SigscopeError } from '../errors';

export type DigestAlgorithm = 'sha256' | 'sha512';

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

/** Parses "sha256:<64 lowercase hex>" or "sha512:<128 lowercase hex>"; throws INVALID_REFERENCE otherwise. */
export function parseDigest(digest: string): ParsedDigest {
  const shown = JSON.stringify(digest.length > 150 ? `${digest.slice(0, 147)}...` : digest);
  const colon = digest.indexOf(':');
  if (colon === -1) throw new SigscopeError('INVALID_REFERENCE', `digest ${shown} must look like "sha256:<64 hex characters>"`);
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw new SigscopeError('INVALID_REFERENCE', `digest ${shown} uses algorithm "${algorithm.slice(0, 20)}"; only sha256 and sha512 are supported`);
  }
  const want = HEX_LENGTH[algorithm];
  if (!new RegExp(`^[0-9a-f]{${want}}$`).test(hex)) {
    throw new SigscopeError('INVALID_REFERENCE', `digest ${shown} must have exactly ${want} lowercase hex characters after "${algorithm}:"`);
  }
  return { algorithm, hex };
}

export function isValidDigest(digest: string): boolean {
  try {
    parseDigest(digest);
    return true;
  } catch {
    return false;
  }
}

export function computeDigest(bytes: Uint8Array, algorithm: DigestAlgorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

export function sha256Digest(bytes: Uint8Array): string {
  return computeDigest(bytes, 'sha256');
}

/** Throws DIGEST_MISMATCH (with `what` naming the object) unless `bytes` hash to `expected`. */
export function verifyDigest(bytes: Uint8Array, expected: string, what: string): void {
  const { algorithm } = parseDigest(expected);
  const actual = computeDigest(bytes, algorithm);
  if (actual !== expected) throw digestMismatch(what, expected, actual);
}

export function digestMismatch(what: string, expected: string, actual: string): SigscopeError {
  return new SigscopeError(
    'DIGEST_MISMATCH',
    `${what}: the content hashes to ${actual} but ${expected} was expected — the registry (or something in between) served different content; do not trust it`,
    { details: { expected, actual } },
  );
}

/** Incremental hashing for streamed blobs. */
export class Digester {
  private readonly hash: Hash;
  constructor(readonly algorithm: DigestAlgorithm = 'sha256') {
    this.hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }
  digest(): string {
    return `${this.algorithm}:${this.hash.digest('hex')}`;
  }
}
