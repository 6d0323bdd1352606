/**
 * The memoized encodings must be exactly what @sigstore/core's own `toDER` produces, for
 * every node of real certificates (Fulcio leaves, CA roots, intermediates, TSA chains).
 */
import { readdirSync } from 'node:fs';
import { ASN1Obj, crypto as coreCrypto, X509Certificate } from '@sigstore/core';
import { describe, expect, it, vi } from 'vitest';
import { fixturePath, readFixture, readFixtureJson } from '../../tests/support/fixtures';
import { derFromPem, splitPemChain } from '../x509';
import { libraryToDER, memoizeCertificateDer, prepareTrustMaterial, reuseAnchorKeys } from './certificate-memo';
import { parseTrustedRoot } from './trust-root';

function nodes(root: ASN1Obj): ASN1Obj[] {
  return [root, ...root.subs.flatMap(nodes)];
}

/** Encodings by the library's own toDER all the way down (certificate-memo installs a faster one). */
function libraryEncodings(list: ASN1Obj[]): Buffer[] {
  const installed = ASN1Obj.prototype.toDER;
  ASN1Obj.prototype.toDER = libraryToDER;
  try {
    return list.map((n) => libraryToDER.call(n));
  } finally {
    ASN1Obj.prototype.toDER = installed;
  }
}

const leaves = readdirSync(fixturePath('x509-from-bundles'))
  .filter((f) => f.endsWith('.pem'))
  .map((f) => ({ name: f, der: Buffer.from(derFromPem(splitPemChain(readFixture('x509-from-bundles', f).toString('utf8'))[0]!)) }));

interface RootJson {
  certificateAuthorities: Array<{ certChain: { certificates: Array<{ rawBytes: string }> } }>;
  timestampAuthorities?: Array<{ certChain: { certificates: Array<{ rawBytes: string }> } }>;
}
const root = readFixtureJson<RootJson>('conformance-sample', 'trusted_root.public-good.json');
const authorities = [...root.certificateAuthorities, ...(root.timestampAuthorities ?? [])].flatMap((ca, i) =>
  ca.certChain.certificates.map((c, j) => ({ name: `authority ${i} cert ${j}`, der: Buffer.from(c.rawBytes, 'base64') })),
);

describe('memoizeCertificateDer', () => {
  it.each([...leaves, ...authorities])('gives every node of $name the encoding the library computes', ({ der }) => {
    const reference = libraryEncodings(nodes(X509Certificate.parse(Buffer.from(der)).root));
    for (const depth of [2, Infinity]) {
      const cert = memoizeCertificateDer(X509Certificate.parse(Buffer.from(der)), depth);
      const memo = nodes(cert.root);
      expect(memo.length).toBe(reference.length);
      memo.forEach((n, i) => expect(n.toDER().equals(reference[i]!)).toBe(true));
      expect(cert.root.toDER().equals(der)).toBe(true);
      // The encodings the verifier asks for are computed once.
      for (const n of [cert.root, cert.tbsCertificate, ...cert.tbsCertificate.subs]) expect(n.toDER()).toBe(n.toDER());
      if (depth === Infinity) for (const n of memo) expect(n.toDER()).toBe(n.toDER());
    }
  });

  it('reads encodings from the parsed bytes instead of re-encoding them', () => {
    const der = leaves[0]!.der;
    const cert = memoizeCertificateDer(X509Certificate.parse(Buffer.from(der)));
    // A view into the parse buffer: the same memory as the tbsCertificate's value.
    expect(cert.tbsCertificate.toDER().buffer).toBe(cert.root.value.buffer);
  });

  it('falls back to the library encoding for a tree that was not parsed from one buffer', () => {
    const parsed = X509Certificate.parse(Buffer.from(leaves[0]!.der)).root;
    // Children re-wrapped around copied values: their bytes no longer sit inside the parent's.
    const rebuilt = new ASN1Obj(parsed.tag, Buffer.from(parsed.value), parsed.subs.map((s) => new ASN1Obj(s.tag, Buffer.from(s.value), s.subs)));
    const expected = rebuilt.toDER();
    const cert = memoizeCertificateDer(new X509Certificate(rebuilt));
    expect(cert.root.toDER().equals(expected)).toBe(true);
    expect(cert.root.toDER().buffer).not.toBe(rebuilt.value.buffer);
  });

  it('freezes the memoized tree, so a change fails instead of leaving a stale encoding', () => {
    const cert = memoizeCertificateDer(X509Certificate.parse(Buffer.from(leaves[0]!.der)));
    expect(() => cert.extensions.splice(0, 1)).toThrow(TypeError);
    expect(() => {
      (cert.root as { subs: ASN1Obj[] }).subs = [];
    }).toThrow(TypeError);
  });

  it('leaves a clone (the SCT check edits one) free to change', () => {
    const cert = memoizeCertificateDer(X509Certificate.parse(Buffer.from(leaves[0]!.der)));
    const clone = cert.clone();
    const before = clone.tbsCertificate.toDER().length;
    clone.extensions.splice(0, 1);
    expect(clone.tbsCertificate.toDER().length).toBeLessThan(before);
  });
});

describe('prepareTrustMaterial', () => {
  it('covers the trusted CA and TSA certificates of a loaded root, and tolerates odd shapes', () => {
    const loaded = parseTrustedRoot(readFixture('conformance-sample', 'trusted_root.public-good.json'), 'public-good');
    for (const ca of [...loaded.material.certificateAuthorities, ...loaded.material.timestampAuthorities]) {
      for (const c of ca.certChain) expect(Object.isFrozen(c.root)).toBe(true);
    }
    expect(() => prepareTrustMaterial({ ...loaded.material, certificateAuthorities: null } as never)).not.toThrow();
  });

  it('checks between trust anchors once, with the library, and gives the same answers', () => {
    const loaded = parseTrustedRoot(readFixture('conformance-sample', 'trusted_root.public-good.json'), 'public-good');
    const chain = loaded.material.certificateAuthorities.find((ca) => ca.certChain.length > 1)!.certChain;
    const [intermediate, anchor] = [chain[0]!, chain[chain.length - 1]!];
    const other = loaded.material.certificateAuthorities.map((ca) => ca.certChain[ca.certChain.length - 1]!).find((c) => !c.subject.equals(anchor.subject))!;
    expect(Object.isFrozen(anchor)).toBe(true);
    // Signature checks done by the library (@sigstore/core's crypto.verify).
    const spy = vi.spyOn(coreCrypto, 'verify');
    try {
      const first = [anchor.verify(), intermediate.verify(anchor), intermediate.verify(other), intermediate.verify()];
      expect(first).toEqual([true, true, false, false]);
      const calls = spy.mock.calls.length;
      expect([anchor.verify(), intermediate.verify(anchor), intermediate.verify(other), intermediate.verify()]).toEqual(first);
      expect(spy.mock.calls.length).toBe(calls);
    } finally {
      spy.mockRestore();
    }
  });

  it("checks a leaf against a trust anchor with the anchor's key object made once, same answers as the library", () => {
    const loaded = parseTrustedRoot(readFixture('conformance-sample', 'trusted_root.public-good.json'), 'public-good');
    const anchors = loaded.material.certificateAuthorities.flatMap((ca) => ca.certChain);
    const der = leaves.find((l) => l.name.startsWith('sigstore-js-release'))!.der;
    const expected = anchors.map((a) => X509Certificate.parse(Buffer.from(der)).verify(X509Certificate.parse(Buffer.from(a.root.toDER()))));
    expect(expected.filter(Boolean).length).toBe(1); // signed by exactly one of them (the public-good intermediate)
    const leaf = reuseAnchorKeys(memoizeCertificateDer(X509Certificate.parse(Buffer.from(der))));
    expect(anchors.map((a) => leaf.verify(a))).toEqual(expected);
    const keys = vi.spyOn(coreCrypto, 'createPublicKey');
    try {
      const again = reuseAnchorKeys(memoizeCertificateDer(X509Certificate.parse(Buffer.from(der))));
      expect(anchors.map((a) => again.verify(a))).toEqual(expected);
      expect(keys).not.toHaveBeenCalled();
      // Not an anchor: the library's own method, key made per call.
      const issuer = X509Certificate.parse(Buffer.from(anchors[0]!.root.toDER()));
      again.verify(issuer);
      expect(keys).toHaveBeenCalledTimes(1);
    } finally {
      keys.mockRestore();
    }
  });

  it("pins @sigstore/core's X509Certificate#verify, which verifyReusingAnchorKeys restates with a cached key", () => {
    // If this fails after an upgrade, re-read the library's verify and update certificate-memo.ts to match.
    const source = X509Certificate.prototype.verify.toString().replace(/\/\/.*$/gm, '').replace(/\s+/g, ' ').trim();
    expect(source).toBe(
      'verify(issuerCertificate) { const publicKey = issuerCertificate?.publicKey || this.publicKey; const key = crypto.createPublicKey(publicKey); return crypto.verify(this.tbsCertificate.toDER(), key, this.signatureValue, this.signatureAlgorithm); }',
    );
  });

  it("pins @sigstore/core's ASN1Obj#toDER, which the faster encoder restates", () => {
    // If this fails after an upgrade, re-read the library's toDER and update encodeDer in certificate-memo.ts to match.
    const source = libraryToDER.toString().replace(/\/\/.*$/gm, '').replace(/\s+/g, ' ').trim();
    expect(source).toBe(
      'toDER() { const valueStream = new stream_1.ByteStream(); if (this.subs.length > 0) { for (const sub of this.subs) { valueStream.appendView(sub.toDER()); } } else { valueStream.appendView(this.value); } const value = valueStream.buffer; const obj = new stream_1.ByteStream(); obj.appendChar(this.tag.toDER()); obj.appendView((0, length_1.encodeLength)(value.length)); obj.appendView(value); return obj.buffer; }',
    );
  });
});

describe('the installed ASN1Obj#toDER', () => {
  it.each([...leaves, ...authorities])('encodes every node of $name, and of its TBS with an extension removed, as the library does', ({ der }) => {
    const parsed = X509Certificate.parse(Buffer.from(der));
    const all = nodes(parsed.root);
    const reference = libraryEncodings(all);
    all.forEach((n, i) => expect(n.toDER().equals(reference[i]!)).toBe(true));
    // The SCT check re-encodes a TBS from which the verifier removed an extension: edited trees too.
    const tbs = X509Certificate.parse(Buffer.from(der)).tbsCertificate;
    const extensions = tbs.subs.find((s) => s.tag.isContextSpecific(3))?.subs[0];
    if (leaves.some((l) => l.der === der)) expect(extensions?.subs.length).toBeGreaterThan(1); // every leaf has extensions to remove
    if (extensions && extensions.subs.length > 1) {
      extensions.subs.splice(0, 1);
      expect(tbs.toDER().equals(libraryEncodings([tbs])[0]!)).toBe(true);
      expect(tbs.toDER().length).toBeLessThan(parsed.tbsCertificate.toDER().length);
    }
  });

  it('writes long-form lengths like the library (1, 2 and 3 length bytes)', () => {
    for (const size of [0, 1, 127, 128, 255, 256, 65_535, 65_536, 70_000]) {
      const header = size < 128 ? [0x04, size] : size < 256 ? [0x04, 0x81, size] : size < 65_536 ? [0x04, 0x82, size >> 8, size & 255] : [0x04, 0x83, size >> 16, (size >> 8) & 255, size & 255];
      const node = ASN1Obj.parseBuffer(Buffer.concat([Buffer.from(header), Buffer.alloc(size, 7)]));
      expect(node.toDER().equals(libraryEncodings([node])[0]!)).toBe(true);
    }
  });
});
