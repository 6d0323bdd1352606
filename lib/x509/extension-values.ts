/**
 * Decoders for extension payloads that @peculiar/x509 hands over as opaque bytes:
 * Fulcio's string values, otherName values and the embedded-SCT list. ASN.1 goes through
 * asn1js (shipped with @peculiar/x509); the SCT list, which is TLS-encoded rather than
 * ASN.1, is read by hand, and so is the header of a plain DER string (see simpleString()).
 */
import * as asn1js from 'asn1js';
import { BER_LIMITS } from './limits';

const UNIVERSAL = 1;
const TAG_OCTET_STRING = 4;
const TAG_UTF8_STRING = 12;
const TAG_PRINTABLE_STRING = 19;
const TAG_IA5_STRING = 22;
const TAG_VISIBLE_STRING = 26;

// fatal: a certificate with invalid UTF-8 in an identity field is rejected, not patched with U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

interface Element {
  tagClass: number;
  tag: number;
  constructed: boolean;
  content: Uint8Array;
}

/** The shape of an asn1js block that this file reads. */
interface ParsedBlock {
  idBlock: { tagClass: number; tagNumber: number; isConstructed: boolean };
  valueBlock: { valueHexView?: unknown };
}

/** One complete DER element, with nothing after it; null when the bytes are not that. */
function singleElement(bytes: ArrayBuffer | Uint8Array): Element | null {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (view.length === 0) return null;
  const simple = simpleString(view);
  if (simple) return simple;
  const { offset, result } = asn1js.fromBER(view, BER_LIMITS);
  if (offset === -1 || offset !== view.length || result.error) return null;
  const { idBlock, valueBlock } = result as unknown as ParsedBlock;
  const content = valueBlock.valueHexView instanceof Uint8Array ? valueBlock.valueHexView : new Uint8Array();
  return { tagClass: idBlock.tagClass, tag: idBlock.tagNumber, constructed: idBlock.isConstructed, content };
}

/** One-byte tags of the primitive string types read here; asn1js decodes their content without ever failing. */
const SIMPLE_STRING_TAGS = new Set([TAG_UTF8_STRING, TAG_PRINTABLE_STRING, TAG_IA5_STRING, TAG_VISIBLE_STRING]);

/**
 * The common case of singleElement(), read by hand because a Fulcio certificate has some twenty
 * of these and asn1js costs tens of microseconds each: a universal primitive string with a
 * non-empty content and a minimal definite length that ends exactly at the end of the bytes.
 * For exactly these, asn1js gives the same element (decode.equivalence.test.ts compares them).
 * Anything else (other tags, OCTET STRING, whose content asn1js tries to parse, long or odd
 * lengths, empty content, bytes left over or missing) returns undefined, for asn1js to decide.
 */
function simpleString(view: Uint8Array): Element | undefined {
  const tag = view[0]!;
  if (!SIMPLE_STRING_TAGS.has(tag) || view.length < 3) return undefined;
  let length = view[1]!;
  let start = 2;
  if (length === 0x81) {
    length = view[2]!;
    start = 3;
    if (length < 0x80) return undefined;
  } else if (length === 0x82) {
    if (view.length < 4) return undefined;
    length = (view[2]! << 8) | view[3]!;
    start = 4;
    if (length < 0x100) return undefined;
  } else if (length >= 0x80) {
    return undefined;
  }
  if (length === 0 || start + length !== view.length) return undefined;
  return { tagClass: UNIVERSAL, tag, constructed: false, content: view.subarray(start) };
}

/** Fulcio .1.8+ values: a DER UTF8String. Null when the bytes are anything else. */
export function decodeDerUtf8String(bytes: ArrayBuffer | Uint8Array): string | null {
  const el = singleElement(bytes);
  if (!el || el.tagClass !== UNIVERSAL || el.tag !== TAG_UTF8_STRING || el.constructed) return null;
  return decodeUtf8(el.content);
}

/**
 * An otherName value as text when it is one of the common string types, else null.
 * Fulcio's .1.7 is always a UTF8String; other type-ids may use IA5String and friends.
 */
export function decodeDerTextString(bytes: ArrayBuffer | Uint8Array): { text: string; utf8String: boolean } | null {
  const el = singleElement(bytes);
  if (!el || el.tagClass !== UNIVERSAL || el.constructed) return null;
  if (![TAG_UTF8_STRING, TAG_PRINTABLE_STRING, TAG_IA5_STRING, TAG_VISIBLE_STRING].includes(el.tag)) return null;
  const text = decodeUtf8(el.content);
  return text === null ? null : { text, utf8String: el.tag === TAG_UTF8_STRING };
}

/**
 * Number of SCTs in the 1.3.6.1.4.1.11129.2.4.2 extension (RFC 6962 §3.3): an OCTET STRING
 * wrapping a TLS `SignedCertificateTimestamp sct_list<1..2^16-1>`, each entry itself
 * length-prefixed. Returns null when the framing is inconsistent.
 */
export function countEmbeddedScts(extnValue: ArrayBuffer | Uint8Array): number | null {
  const el = singleElement(extnValue);
  if (!el || el.tagClass !== UNIVERSAL || el.tag !== TAG_OCTET_STRING || el.constructed) return null;
  const list = el.content;
  if (list.length < 2) return null;
  const listLength = (list[0]! << 8) | list[1]!;
  if (listLength !== list.length - 2 || listLength === 0) return null;

  let count = 0;
  for (let pos = 2; pos < list.length; count++) {
    if (pos + 2 > list.length) return null;
    const sctLength = (list[pos]! << 8) | list[pos + 1]!;
    if (sctLength === 0 || pos + 2 + sctLength > list.length) return null;
    pos += 2 + sctLength;
  }
  return count;
}

/** One SignedCertificateTimestamp from the embedded list (RFC 6962 §3.2), signature not checked. */
export interface EmbeddedSct {
  /** 0 for v1, the only version defined. */
  version: number;
  /** SHA-256 of the CT log's public key: lowercase hex, and base64 as trusted roots write `logId.keyId`. */
  logIdHex: string;
  logIdBase64: string;
  /** When the log promised to include the certificate (milliseconds since the epoch, as ISO 8601). */
  timestamp: string;
  /** e.g. 'sha256', or the number when unknown. */
  hashAlgorithm: string;
  /** e.g. 'ecdsa', or the number when unknown. */
  signatureAlgorithm: string;
  /** Bytes of CT extensions (none are defined for v1; normally 0). */
  extensionsLength: number;
  signatureLength: number;
}

const SCT_HASH_ALGORITHMS = ['none', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];
const SCT_SIGNATURE_ALGORITHMS: Record<number, string> = { 0: 'anonymous', 1: 'rsa', 2: 'dsa', 3: 'ecdsa', 7: 'ed25519' };
/** Latest instant a JavaScript Date can hold (RFC 6962 timestamps are unsigned 64-bit milliseconds). */
const MAX_DATE_MS = 8.64e15;

/**
 * The SCTs of the 1.3.6.1.4.1.11129.2.4.2 extension, each field bounds-checked. Null when the
 * framing is inconsistent, an entry is cut short or has bytes left over, or a timestamp is
 * beyond what a date can hold. Signatures are not verified here (the verifier does that
 * against the trusted CT log keys); this is for display.
 */
export function parseEmbeddedScts(extnValue: ArrayBuffer | Uint8Array): EmbeddedSct[] | null {
  const el = singleElement(extnValue);
  if (!el || el.tagClass !== UNIVERSAL || el.tag !== TAG_OCTET_STRING || el.constructed) return null;
  const list = el.content;
  if (list.length < 2) return null;
  const listLength = (list[0]! << 8) | list[1]!;
  if (listLength !== list.length - 2 || listLength === 0) return null;

  const out: EmbeddedSct[] = [];
  for (let pos = 2; pos < list.length; ) {
    if (pos + 2 > list.length) return null;
    const sctLength = (list[pos]! << 8) | list[pos + 1]!;
    const start = pos + 2;
    const end = start + sctLength;
    if (sctLength === 0 || end > list.length) return null;
    const sct = parseOneSct(list.subarray(start, end));
    if (!sct) return null;
    out.push(sct);
    pos = end;
  }
  return out;
}

function parseOneSct(b: Uint8Array): EmbeddedSct | null {
  // version(1) log_id(32) timestamp(8) extensions<0..2^16-1> hash(1) sig(1) signature<0..2^16-1>
  let p = 0;
  const need = (n: number) => p + n <= b.length;
  if (!need(1 + 32 + 8 + 2)) return null;
  const version = b[p]!;
  p += 1;
  const logId = b.subarray(p, p + 32);
  p += 32;
  let ms = 0n;
  for (let i = 0; i < 8; i++) ms = (ms << 8n) | BigInt(b[p + i]!);
  p += 8;
  if (ms > BigInt(MAX_DATE_MS)) return null;
  const extensionsLength = (b[p]! << 8) | b[p + 1]!;
  p += 2;
  if (!need(extensionsLength + 4)) return null;
  p += extensionsLength;
  const hash = b[p]!;
  const sig = b[p + 1]!;
  const signatureLength = (b[p + 2]! << 8) | b[p + 3]!;
  p += 4;
  if (signatureLength === 0 || p + signatureLength !== b.length) return null;
  const id = Buffer.from(logId);
  return {
    version,
    logIdHex: id.toString('hex'),
    logIdBase64: id.toString('base64'),
    timestamp: new Date(Number(ms)).toISOString(),
    hashAlgorithm: SCT_HASH_ALGORITHMS[hash] ?? String(hash),
    signatureAlgorithm: SCT_SIGNATURE_ALGORITHMS[sig] ?? String(sig),
    extensionsLength,
    signatureLength,
  };
}
