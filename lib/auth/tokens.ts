/**
 * Random secrets handed to clients (session cookies, CSRF tokens, API tokens) and
 * the sha256 digests we store instead of them.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time string equality (for CSRF tokens); different lengths are simply unequal. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export const API_TOKEN_PREFIX = 'sgs_';
/** sgs_ + 43 base64url characters (32 random bytes). */
export const API_TOKEN_RE = /^sgs_[A-Za-z0-9_-]{43}$/;
/** Characters kept in the database to tell tokens apart ("sgs_AbCd1234"). */
export const API_TOKEN_VISIBLE = 12;

export function newApiToken(): { token: string; prefix: string; hash: string } {
  const token = `${API_TOKEN_PREFIX}${randomToken(32)}`;
  return { token, prefix: token.slice(0, API_TOKEN_VISIBLE), hash: sha256Hex(token) };
}
