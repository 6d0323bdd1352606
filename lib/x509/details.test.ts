/**
 * certificateDetails(): the embedded SCT list and key identifiers, against real certificates.
 * SCT log IDs are checked against the CT logs of the public-good trusted root, and each SCT
 * timestamp against the certificate's validity (a log stamps the precertificate at issuance).
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fixturePath, readFixture, readFixtureJson } from '../../tests/support/fixtures';
import { SigscopeError } from '../errors';
import { parseEmbeddedScts } from './extension-values';
import { certificateDetails, decodeCertificate } from './index';

const DIR = 'x509-from-bundles';
const pem = (name: string) => readFixture(DIR, name).toString('utf8');
const root = readFixtureJson<{ ctlogs: Array<{ baseUrl: string; logId: { keyId: string } }>; certificateAuthorities: Array<{ certChain: { certificates: Array<{ rawBytes: string }> } }> }>(
  'public-good-trust-root',
  'targets',
  'trusted_root.json',
);
const CT_2022 = root.ctlogs.find((l) => l.baseUrl.endsWith('/2022'))!.logId.keyId;

/** DER TLS framing helpers for hostile inputs: OCTET STRING { u16 len, entries } */
function octet(content: Uint8Array): Uint8Array {
  if (content.length > 127) return new Uint8Array([0x04, 0x81, content.length, ...content]);
  return new Uint8Array([0x04, content.length, ...content]);
}
function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}
function sct({ ms = 1_700_000_000_000n, ext = [] as number[], sig = [1, 2, 3] } = {}): number[] {
  const ts: number[] = [];
  for (let i = 7; i >= 0; i--) ts.push(Number((ms >> BigInt(i * 8)) & 0xffn));
  return [0, ...new Array<number>(32).fill(0xab), ...ts, ...u16(ext.length), ...ext, 4, 3, ...u16(sig.length), ...sig];
}
function list(...entries: number[][]): Uint8Array {
  const body = entries.flatMap((e) => [...u16(e.length), ...e]);
  return octet(new Uint8Array([...u16(body.length), ...body]));
}

describe('certificateDetails on real Fulcio certificates', () => {
  const files = readdirSync(fixturePath(DIR)).filter((f) => f.endsWith('.pem'));

  it.each(files)('%s: one SCT per counted SCT, each well formed', (file) => {
    const decoded = decodeCertificate(pem(file));
    const d = certificateDetails(pem(file));
    expect(d.scts).toHaveLength(decoded.sctCount);
    for (const s of d.scts) {
      expect(s.version).toBe(0);
      expect(s.logIdHex).toMatch(/^[0-9a-f]{64}$/);
      expect(Buffer.from(s.logIdBase64, 'base64').toString('hex')).toBe(s.logIdHex);
      expect(s.hashAlgorithm).toBe('sha256');
      expect(s.signatureAlgorithm).toBe('ecdsa');
      expect(s.extensionsLength).toBe(0);
      expect(s.signatureLength).toBeGreaterThan(60);
      // Stamped at issuance: inside the 10-minute validity window.
      const t = Date.parse(s.timestamp);
      expect(t).toBeGreaterThanOrEqual(Date.parse(decoded.notBefore));
      expect(t).toBeLessThanOrEqual(Date.parse(decoded.notAfter));
    }
    expect(d.authorityKeyId).toMatch(/^[0-9a-f]{40}$/);
    expect(d.subjectKeyId).toMatch(/^[0-9a-f]{40}$/);
  });

  it('public-good certificates issued since late 2022 carry an SCT from the ctfe.sigstore.dev/2022 log', () => {
    const d = certificateDetails(pem('sigstore-js-release-2023-08-18.pem'));
    expect(d.scts).toHaveLength(1);
    expect(d.scts[0]!.logIdBase64).toBe(CT_2022);
    expect(d.scts[0]!.timestamp).toMatch(/^2023-08-18T16:05:3\d\.\d{3}Z$/);
  });

  it("GitHub's private Fulcio certificate has no SCT at all", () => {
    const d = certificateDetails(pem('github-private-instance-2026-07-24.pem'));
    expect(d.scts).toEqual([]);
  });

  it("the authority key id names the public-good intermediate's subject key id", () => {
    const leaf = certificateDetails(pem('sigstore-js-release-2023-08-18.pem'));
    const intermediates = root.certificateAuthorities
      .flatMap((ca) => ca.certChain.certificates)
      .map((c) => certificateDetails(new Uint8Array(Buffer.from(c.rawBytes, 'base64'))));
    expect(intermediates.map((i) => i.subjectKeyId)).toContain(leaf.authorityKeyId);
  });

  it('refuses input that is not a certificate', () => {
    expect(() => certificateDetails('not a certificate')).toThrow(SigscopeError);
  });
});

describe('parseEmbeddedScts on hostile framing', () => {
  it('reads a crafted two-entry list', () => {
    const out = parseEmbeddedScts(list(sct(), sct({ ms: 0n, ext: [9, 9] })));
    expect(out).toHaveLength(2);
    expect(out![0]!.timestamp).toBe(new Date(1_700_000_000_000).toISOString());
    expect(out![1]!.extensionsLength).toBe(2);
    expect(out![1]!.timestamp).toBe('1970-01-01T00:00:00.000Z');
  });

  it.each([
    ['an empty list', octet(new Uint8Array([0, 0]))],
    ['a list length that disagrees with the content', octet(new Uint8Array([0, 9, 0, 1, 0]))],
    ['an entry cut short', list(sct().slice(0, 30))],
    ['an entry with bytes after its signature', list([...sct(), 0])],
    ['an extensions length running past the entry', list(sct({ ext: [1] }).map((b, i) => (i === 42 ? 0xff : b)))],
    ['an empty signature', list(sct({ sig: [] }))],
    ['a timestamp beyond any date', list(sct({ ms: 0xffffffffffffffffn }))],
    ['a zero-length entry', octet(new Uint8Array([0, 2, 0, 0]))],
    ['not an OCTET STRING', new Uint8Array([0x0c, 0x02, 0x00, 0x00])],
    ['trailing bytes after the OCTET STRING', new Uint8Array([...list(sct()), 0])],
    ['nothing', new Uint8Array()],
  ])('rejects %s', (_what, bytes) => {
    expect(parseEmbeddedScts(bytes)).toBeNull();
  });
});
