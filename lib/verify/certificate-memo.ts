/**
 * Keeps @sigstore/verify from redoing, on every verification, work that depends only on
 * the trust root or on one certificate — the checks themselves stay the library's.
 *
 * 1. DER encodings. @sigstore/verify compares certificates (`X509Certificate.equals`),
 *    verifies their signatures and hashes their public keys through `ASN1Obj.toDER()`,
 *    which rebuilds the encoding from the parsed tree on each call, allocating two
 *    1 KiB-growing buffers per node. One keyless verification re-encoded the trusted CA
 *    certificates and the leaf about a dozen times. The trees handled here are never
 *    changed after parsing (the verifier edits only its own re-parsed copy of a leaf, for
 *    the SCT check), so each node's encoding is worked out once. @sigstore/core's parser
 *    accepts strict DER only (one-byte tags, minimal lengths, children exactly filling
 *    their parent), so a node's re-encoding is the very bytes it was parsed from: where
 *    the parsed bytes are seen to be laid out that way (header equal to what `toDER`
 *    writes, children tiling the value), the encoding is that byte range, without copying;
 *    anywhere else it is the library's own `toDER`, computed on first use. Nodes and child
 *    lists are frozen so that a change, should a future library version make one, throws
 *    (a verifier error, failing closed) instead of meeting a stale encoding.
 * 2. Trust-anchor key objects. A leaf's signature is checked with its issuer's key, which
 *    the library turns into a KeyObject (`createPublicKey`) on every call; for a trust
 *    anchor it is made once (see verifyReusingAnchorKeys).
 * 3. Checks between trust anchors (a root's self-signature, an intermediate's signature by
 *    its root) are done once per loaded trust root, the anchors being frozen.
 */
import type { KeyObject } from 'node:crypto';
import { ASN1Obj, crypto as coreCrypto, X509Certificate } from '@sigstore/core';
import type { TrustMaterial } from '@sigstore/verify';

/** Where a node's encoding lies, as parsed: `end - start` bytes of `buffer` from `start`. */
interface Span {
  buffer: ArrayBufferLike;
  start: number;
  end: number;
}

/** Size of the DER length field for a value of `len` bytes (X.690 8.1.3: short form, or 0x80|n and n bytes). */
function lengthFieldSize(len: number): number {
  if (len < 128) return 1;
  let n = 0;
  for (let rest = len; rest > 0; rest = Math.floor(rest / 256)) n++;
  return 1 + n;
}

/** The bytes this node was parsed from, when they are provably what `toDER` would produce. */
function parsedSpan(node: ASN1Obj, children: Array<Span | undefined>): Span | undefined {
  const value = node.value;
  if (!(value instanceof Uint8Array)) return undefined;
  const header = 1 + lengthFieldSize(value.length);
  const start = value.byteOffset - header;
  if (start < 0) return undefined;
  const bytes = new Uint8Array(value.buffer, start, header);
  if (bytes[0] !== node.tag.toDER()) return undefined;
  // The length field: short form, or 0x80|n then n big-endian bytes, minimal.
  if (header === 2) {
    if (bytes[1] !== value.length) return undefined;
  } else {
    if (bytes[1] !== (0x80 | (header - 2))) return undefined;
    let len = 0;
    for (let i = 2; i < header; i++) len = len * 256 + bytes[i]!;
    if (len !== value.length) return undefined;
  }
  const end = value.byteOffset + value.length;
  if (node.subs.length === 0) return { buffer: value.buffer, start, end };
  // A constructed node is encoded from its children: they must fill the value exactly, in order.
  let at = value.byteOffset;
  for (const child of children) {
    if (!child || child.buffer !== value.buffer || child.start !== at) return undefined;
    at = child.end;
  }
  return at === end ? { buffer: value.buffer, start, end } : undefined;
}

// Memoized node → its encoding (absent until first computed when not known from the parse).
const encodings = new WeakMap<ASN1Obj, Buffer>();
/** @sigstore/core's own `ASN1Obj#toDER` (certificate-memo.test.ts pins its source and compares with encodeDer). */
export const libraryToDER = ASN1Obj.prototype.toDER;

/**
 * `ASN1Obj#toDER` as the library writes it — tag byte, DER length (short form, or 0x80|n and
 * n big-endian bytes), then the value or the children's encodings — into one buffer of the
 * exact size, instead of two 1 KiB-growing streams per node. Installed on the prototype: the
 * verifier re-encodes its edited copy of each leaf's TBS for the SCT check (hundreds of
 * nodes). An encoding that differed could only make a signature check fail, never pass.
 */
function encodeDer(this: ASN1Obj): Buffer {
  const value = this.subs.length > 0 ? Buffer.concat(this.subs.map((sub) => sub.toDER())) : this.value;
  const len = value.length;
  const lengthBytes = lengthFieldSize(len) - 1;
  const out = Buffer.allocUnsafe(2 + lengthBytes + len);
  out[0] = this.tag.toDER();
  if (lengthBytes === 0) out[1] = len;
  else {
    out[1] = 0x80 | lengthBytes;
    for (let i = lengthBytes, rest = len; i >= 1; i--, rest = Math.floor(rest / 256)) out[1 + i] = rest % 256;
  }
  out.set(value, 2 + lengthBytes);
  return out;
}
ASN1Obj.prototype.toDER = encodeDer;

// Installed on memoized nodes: one shared function, the encoding kept aside.
function memoizedToDER(this: ASN1Obj): Buffer {
  let der = encodings.get(this);
  if (!der) encodings.set(this, (der = encodeDer.call(this)));
  return der;
}

/**
 * Checks (and freezes) the whole tree; memoizes nodes down to `depth`. The verifier asks
 * for the encoding of a certificate, its TBS part and its public key (depth ≤ 2); deeper
 * nodes are encoded only as part of those.
 */
function prepare(node: ASN1Obj, depth: number): Span | undefined {
  const children = node.subs.map((sub) => prepare(sub, depth - 1));
  const span = parsedSpan(node, children);
  if (depth >= 0 && node.toDER !== memoizedToDER) {
    if (span) encodings.set(node, Buffer.from(span.buffer, span.start, span.end - span.start));
    node.toDER = memoizedToDER;
  }
  Object.freeze(node.subs);
  Object.freeze(node);
  return span;
}

/** The certificate's DER encodings (whole, TBS, public key, …) are computed once from now on. */
export function memoizeCertificateDer(cert: X509Certificate, depth = 2): X509Certificate {
  if (!Object.isFrozen(cert.root)) prepare(cert.root, depth);
  return cert;
}

// Trust anchors (CA and TSA certificates of a prepared trust material) → their public key, made on first use.
const anchorKeys = new WeakMap<X509Certificate, KeyObject | null>();
// Anchor → issuer anchor (itself for the self-signature) → result of the signature check.
const anchorChecks = new WeakMap<X509Certificate, WeakMap<X509Certificate, boolean>>();
const libraryVerify = X509Certificate.prototype.verify;

/** The anchor's key as the library makes it (`crypto.createPublicKey` of its SPKI), once; undefined if it cannot be made. */
function anchorKey(anchor: X509Certificate): KeyObject | undefined {
  let key = anchorKeys.get(anchor);
  if (key === undefined) {
    try {
      key = coreCrypto.createPublicKey(anchor.publicKey);
    } catch {
      // The library's own verify will meet (and handle) the same failure.
      key = null;
    }
    anchorKeys.set(anchor, key);
  }
  return key ?? undefined;
}

/**
 * `X509Certificate#verify` with the issuer's key object reused when the issuer is a trust
 * anchor. The library's method is three lines — `createPublicKey(issuer key)`, then
 * `crypto.verify(tbs DER, key, signatureValue, signatureAlgorithm)` — and the first
 * dominated a chain check on this machine (~0.2-0.4 ms per key); the check itself is the
 * library's `crypto.verify` on the library's fields. Any other issuer, or none, goes to
 * the library's method unchanged. certificate-memo.test.ts pins the method's source, so a
 * library upgrade that changes it fails a test instead of being bypassed silently.
 */
function verifyReusingAnchorKeys(this: X509Certificate, issuer?: X509Certificate): boolean {
  const key = issuer && anchorChecks.has(issuer) ? anchorKey(issuer) : undefined;
  if (!key) return libraryVerify.call(this, issuer);
  return coreCrypto.verify(this.tbsCertificate.toDER(), key, this.signatureValue, this.signatureAlgorithm);
}

/** A leaf (or any certificate) checked against a trust anchor reuses the anchor's key object. */
export function reuseAnchorKeys(cert: X509Certificate): X509Certificate {
  if (!Object.isFrozen(cert) && cert.verify === libraryVerify) cert.verify = verifyReusingAnchorKeys;
  return cert;
}

/**
 * A trust anchor: its checks against itself (the self-signature, on every chain the verifier
 * builds) and against other anchors are done once, both certificates being frozen so they
 * stay the ones that were checked.
 */
function prepareAnchor(cert: X509Certificate): void {
  if (anchorChecks.has(cert)) return;
  const results = new WeakMap<X509Certificate, boolean>();
  anchorChecks.set(cert, results);
  Object.defineProperty(cert, 'verify', {
    value: (issuer?: X509Certificate): boolean => {
      const by = issuer ?? cert;
      if (!anchorChecks.has(by)) return verifyReusingAnchorKeys.call(cert, issuer);
      let ok = results.get(by);
      if (ok === undefined) results.set(by, (ok = verifyReusingAnchorKeys.call(cert, issuer)));
      return ok;
    },
    enumerable: false,
  });
  Object.freeze(cert);
}

/**
 * Prepares the CA and TSA certificates of a trust material (once, when the root is loaded):
 * DER encodings computed once, key objects made once, checks between anchors done once.
 */
export function prepareTrustMaterial(material: TrustMaterial): TrustMaterial {
  // Tolerant of odd shapes: whatever is malformed is left for the verifier to report.
  const authorities = [material.certificateAuthorities, material.timestampAuthorities].flatMap((list) => (Array.isArray(list) ? list : []));
  for (const ca of authorities) {
    for (const cert of Array.isArray(ca?.certChain) ? ca.certChain : []) {
      if (!cert?.root) continue;
      memoizeCertificateDer(cert, Infinity);
      prepareAnchor(cert);
    }
  }
  return material;
}
