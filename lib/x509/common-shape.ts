/**
 * Splits a certificate of the usual shape into the DER of its fields, without parsing the
 * fields themselves: the first step of decodeCertificate()'s fast path (./decode-common.ts).
 *
 * Why this exists: an organization scan decodes one new Fulcio leaf per image, and parsing a
 * whole certificate with @peculiar's schemas (asn1js, then the schema walk) cost about 2.8 ms
 * of CPU per image inside a scan, a third of Sigscope's total (bench:scan). Here only DER
 * headers are read; every field is then parsed by @peculiar's own schema class for it.
 *
 * Why by hand: reading a header is a tag byte and a length. @sigstore/core's DER parser would
 * do it, but it also tries every OCTET STRING's content as ASN.1 and throws and catches an
 * error for each that is not (most of a Fulcio leaf's extensions): 145 µs per leaf, more than
 * all the rest of this path (bench/x509.ts).
 *
 * "Usual" means: strict DER headers (one-byte tags, minimal definite lengths, children exactly
 * filling their parent), a v3 certificate with nothing but the fields RFC 5280 always has plus
 * extensions, at most 6,000 bytes and not deeply nested. Anything else returns null, and the
 * certificate is decoded the full way, so odd inputs keep exactly their previous result or
 * error message.
 */

/** One DER element: its tag byte, and where it, its content and it end in the certificate. */
interface Node {
  tag: number;
  start: number;
  content: number;
  end: number;
  /** For constructed elements: the elements of the content. */
  children: Node[];
}

export interface ExtensionPart {
  /** The extnID's content bytes (the OID, encoded). */
  oid: Uint8Array;
  /** The extnValue OCTET STRING's content. */
  value: Uint8Array;
}

export interface CertificateParts {
  /** The serialNumber INTEGER's content. */
  serial: Uint8Array;
  /** DER of the AlgorithmIdentifier in the TBS, and of the one after it. */
  signatureAlgorithm: Uint8Array;
  outerSignatureAlgorithm: Uint8Array;
  issuer: Uint8Array;
  validity: Uint8Array;
  subject: Uint8Array;
  subjectPublicKeyInfo: Uint8Array;
  /** DER of the SubjectPublicKeyInfo's AlgorithmIdentifier. */
  publicKeyAlgorithm: Uint8Array;
  extensions: ExtensionPart[];
}

/**
 * Within these, asn1js's limits (lib/x509/limits.ts: 4,096 nodes, depth 32) cannot be what
 * refuses the certificate when parsed whole. Nodes: asn1js counts one per element, and one
 * more for each attempt to read a primitive OCTET or BIT STRING's content as ASN.1, even a
 * failed one, over the whole certificate; the densest bytes for that are `04 01 00` (two
 * nodes in three bytes), so 6,000 bytes stay under 4,000 nodes. Fields parsed one by one would
 * each get a fresh budget, so the whole must be small enough for the total. Depth: constructed
 * elements (the nesting asn1js must follow) are at most MAX_DEPTH deep.
 */
const MAX_DER_BYTES = 6000;
const MAX_DEPTH = 16;

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const OID = 0x06;
const BOOLEAN = 0x01;
const VERSION_TAG = 0xa0; // [0] EXPLICIT
const EXTENSIONS_TAG = 0xa3; // [3] EXPLICIT
const CONSTRUCTED = 0x20;

/** The certificate's fields as DER, or null when it is not of the usual shape (or not DER at all). */
export function splitCommonShape(der: Uint8Array): CertificateParts | null {
  if (der.length > MAX_DER_BYTES || der[0] !== SEQUENCE) return null;
  const root = readElement(der, 0, der.length, 1);
  if (!root || root.end !== der.length) return null;
  const bytes = (n: Node) => der.subarray(n.start, n.end);
  const content = (n: Node) => der.subarray(n.content, n.end);

  const top = root.children;
  if (top.length !== 3 || !is(top[0], SEQUENCE) || !is(top[1], SEQUENCE) || !is(top[2], BIT_STRING)) return null;
  // The signature BIT STRING: asn1js refuses more than 7 unused bits; a signature has none.
  if (top[2]!.end - top[2]!.content < 1 || der[top[2]!.content] !== 0) return null;

  const tbs = top[0]!.children;
  if (tbs.length !== 7 && tbs.length !== 8) return null;
  const [version, serial, algorithm, issuer, validity, subject, spki, extensions] = tbs as [Node, Node, Node, Node, Node, Node, Node, Node | undefined];
  // v3 only: [0] { INTEGER 2 }.
  if (!is(version, VERSION_TAG) || version.end - version.start !== 5 || der[version.start + 2] !== INTEGER || der[version.start + 3] !== 1 || der[version.start + 4] !== 2) return null;
  if (!is(serial, INTEGER) || serial.end === serial.content) return null;
  for (const node of [algorithm, issuer, validity, subject, spki]) if (!is(node, SEQUENCE)) return null;
  if (spki.children.length !== 2 || !is(spki.children[0], SEQUENCE) || !is(spki.children[1], BIT_STRING)) return null;

  const parts: ExtensionPart[] = [];
  if (extensions) {
    // Unique identifiers ([1], [2]) land here too, and are refused.
    if (!is(extensions, EXTENSIONS_TAG) || extensions.children.length !== 1 || !is(extensions.children[0], SEQUENCE)) return null;
    const list = extensions.children[0]!.children;
    if (list.length === 0) return null;
    for (const ext of list) {
      const part = extensionPart(der, ext);
      if (!part) return null;
      parts.push(part);
    }
  }

  return {
    serial: content(serial),
    signatureAlgorithm: bytes(algorithm),
    outerSignatureAlgorithm: bytes(top[1]!),
    issuer: bytes(issuer),
    validity: bytes(validity),
    subject: bytes(subject),
    subjectPublicKeyInfo: bytes(spki),
    publicKeyAlgorithm: bytes(spki.children[0]!),
    extensions: parts,
  };
}

/** Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }, in DER. */
function extensionPart(der: Uint8Array, ext: Node): ExtensionPart | null {
  if (!is(ext, SEQUENCE)) return null;
  const subs = ext.children;
  if (subs.length !== 2 && subs.length !== 3) return null;
  const id = subs[0]!;
  const value = subs[subs.length - 1]!;
  if (!is(id, OID) || !is(value, OCTET_STRING)) return null;
  const oid = der.subarray(id.content, id.end);
  if (!canonicalOid(oid)) return null;
  // DER writes `critical` only when TRUE, and TRUE only as 0xFF.
  if (subs.length === 3) {
    const critical = subs[1]!;
    if (!is(critical, BOOLEAN) || critical.end - critical.content !== 1 || der[critical.content] !== 0xff) return null;
  }
  return { oid, value: der.subarray(value.content, value.end) };
}

/** Every sub-identifier minimal (no leading 0x80) and the last one complete. */
function canonicalOid(content: Uint8Array): boolean {
  if (content.length === 0 || content[content.length - 1]! & 0x80) return false;
  let start = true;
  for (const byte of content) {
    if (start && byte === 0x80) return false;
    start = (byte & 0x80) === 0;
  }
  return true;
}

function is(node: Node | undefined, tag: number): node is Node {
  return node !== undefined && node.tag === tag;
}

/**
 * The element at `pos` (ending by `limit`), with the elements of constructed ones read too;
 * null unless it is strict DER. Lengths here stay below 64 KiB (the whole is at most 6,000 bytes).
 */
function readElement(der: Uint8Array, pos: number, limit: number, depth: number): Node | null {
  if (depth > MAX_DEPTH || pos + 2 > limit) return null;
  const tag = der[pos]!;
  if ((tag & 0x1f) === 0x1f || tag === 0) return null; // multi-byte tags; end-of-contents
  let length = der[pos + 1]!;
  let content = pos + 2;
  if (length === 0x81) {
    if (pos + 3 > limit) return null;
    length = der[pos + 2]!;
    content = pos + 3;
    if (length < 0x80) return null;
  } else if (length === 0x82) {
    if (pos + 4 > limit) return null;
    length = (der[pos + 2]! << 8) | der[pos + 3]!;
    content = pos + 4;
    if (length < 0x100) return null;
  } else if (length >= 0x80) {
    return null; // indefinite (BER only), or longer than this module accepts
  }
  const end = content + length;
  if (end > limit) return null;
  const children: Node[] = [];
  if (tag & CONSTRUCTED) {
    for (let at = content; at < end; ) {
      const child = readElement(der, at, end, depth + 1);
      if (!child) return null;
      children.push(child);
      at = child.end;
    }
  }
  return { tag, start: pos, content, end, children };
}
