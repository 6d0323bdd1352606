/**
 * Makes @sigstore/core certificates re-encode to DER once instead of on every use.
 *
 * @sigstore/verify compares certificates (`X509Certificate.equals`), verifies their
 * signatures and hashes their public keys through `ASN1Obj.toDER()`, which rebuilds the
 * encoding from the parsed tree on each call, allocating two 1 KiB-growing buffers per
 * node. One keyless verification re-encoded the trusted CA certificates and the leaf
 * about a dozen times: the largest cost inside @sigstore/verify after the signatures.
 *
 * The trees handled here are never changed after parsing (the verifier edits only its
 * own re-parsed copy of a leaf, for the SCT check), so each node's encoding is computed
 * by the library's own `toDER` the first time and then reused. The nodes and their child
 * lists are frozen so that a change, should a future library version make one, throws
 * (a verifier error, failing closed) instead of comparing against a stale encoding.
 * Nothing is verified here: this only avoids repeating the same encoding.
 */
import type { ASN1Obj, X509Certificate } from '@sigstore/core';
import type { TrustMaterial } from '@sigstore/verify';

const memoized = new WeakSet<object>();

function memoizeNode(node: ASN1Obj): void {
  if (memoized.has(node)) return;
  for (const sub of node.subs) memoizeNode(sub);
  const encode = node.toDER.bind(node);
  let der: Buffer | undefined;
  Object.defineProperty(node, 'toDER', { value: () => (der ??= encode()), enumerable: false });
  Object.freeze(node.subs);
  Object.freeze(node);
  memoized.add(node);
}

/** The certificate's DER encodings (whole, TBS, public key, …) are computed once from now on. */
export function memoizeCertificateDer(cert: X509Certificate): X509Certificate {
  memoizeNode(cert.root);
  return cert;
}

/** The same for every CA and TSA certificate of a trust material (done once, when the root is loaded). */
export function memoizeTrustMaterialDer(material: TrustMaterial): TrustMaterial {
  // Tolerant of odd shapes: whatever is malformed is left for the verifier to report.
  const authorities = [material.certificateAuthorities, material.timestampAuthorities].flatMap((list) => (Array.isArray(list) ? list : []));
  for (const ca of authorities) {
    for (const cert of Array.isArray(ca?.certChain) ? ca.certChain : []) {
      if (cert?.root) memoizeCertificateDer(cert);
    }
  }
  return material;
}
