/**
 * Strict decoders for the encodings Rekor uses (standard base64, lowercase or
 * uppercase hex). Node's Buffer.from(…, 'base64') silently skips characters it
 * does not understand and accepts non-canonical padding; a transparency log
 * client must not, because two different strings would then name the same bytes.
 * Every function returns undefined on bad input instead of throwing.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Standard base64 (RFC 4648 §4) with padding, canonical trailing bits; undefined otherwise. */
export function base64Strict(s: string, maxChars = 64 * 1024 * 1024): Buffer | undefined {
  if (typeof s !== 'string' || s.length > maxChars || !BASE64.test(s)) return undefined;
  const bytes = Buffer.from(s, 'base64');
  // Non-zero bits after the last full byte would decode to the same bytes as another string.
  if (bytes.toString('base64') !== s) return undefined;
  return bytes;
}

/** Hex of even length; undefined otherwise. */
export function hexStrict(s: string, maxChars = 1024 * 1024): Buffer | undefined {
  if (typeof s !== 'string' || s.length > maxChars || !HEX.test(s)) return undefined;
  return Buffer.from(s, 'hex');
}

export function isSha256Hex(s: string): boolean {
  return typeof s === 'string' && /^[0-9a-fA-F]{64}$/.test(s);
}

/**
 * A non-negative integer (number, bigint or decimal string, as protobuf JSON
 * writes int64) as a bigint; undefined when it is not one or exceeds 2^63-1.
 */
export function toUint63(v: unknown): bigint | undefined {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) return undefined;
    b = BigInt(v);
  } else if (typeof v === 'string') {
    if (!/^(0|[1-9][0-9]{0,18})$/.test(v)) return undefined;
    b = BigInt(v);
  } else return undefined;
  if (b < 0n || b > 0x7fffffffffffffffn) return undefined;
  return b;
}

/** A bigint as a number when it is exactly representable, else undefined. */
export function toSafeNumber(b: bigint): number | undefined {
  return b <= BigInt(Number.MAX_SAFE_INTEGER) && b >= 0n ? Number(b) : undefined;
}
