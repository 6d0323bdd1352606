import { describe, expect, it } from 'vitest';
import { readFixture } from '../../tests/support/fixtures';
import { SigscopeError } from '../errors';
import { decodeCertificate, derFromPem, MAX_CHAIN_CERTIFICATES, pemFromDer, splitPemChain } from './index';

const text = (...parts: string[]) => readFixture(...parts).toString('utf8');
const CHAIN = ['policy-controller', 'distroless-static-vuln-attestation-2022-07-29', 'chain.pem'];

function malformedMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SigscopeError);
    expect((e as SigscopeError).code).toBe('CERTIFICATE_MALFORMED');
    return (e as SigscopeError).message;
  }
  throw new Error('expected CERTIFICATE_MALFORMED');
}

describe('splitPemChain', () => {
  it("splits cosign's chain annotation (intermediate, then root) in order", () => {
    const parts = splitPemChain(text(...CHAIN));
    expect(parts).toHaveLength(2);
    expect(parts.map((p) => decodeCertificate(p).subject)).toEqual(['O=sigstore.dev, CN=sigstore-intermediate', 'O=sigstore.dev, CN=sigstore']);
  });

  it('splits a Fulcio response (leaf, intermediate, root), tolerating a missing final newline', () => {
    const raw = text('sigstore-java', 'fulcio-response', 'valid', 'certWithSct.pem');
    const parts = splitPemChain(raw.trimEnd());
    expect(parts.map((p) => decodeCertificate(p).identity ?? decodeCertificate(p).subject)).toEqual([
      'appu@google.com',
      'O=sigstore.dev, CN=sigstore-intermediate',
      'O=sigstore.dev, CN=sigstore',
    ]);
  });

  it('normalises each block to 64-column PEM with LF endings', () => {
    const parts = splitPemChain(text(...CHAIN).replace(/\n/g, '\r\n'));
    for (const p of parts) {
      expect(p).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
    }
    expect(parts.join('')).toBe(text(...CHAIN).trimEnd() + '\n');
  });

  it('rejects an empty chain, a chain with one bad block, and a chain cut short', () => {
    expect(malformedMessage(() => splitPemChain(''))).toMatch(/No PEM certificate found/);
    const chain = text(...CHAIN);
    const secondBody = chain.indexOf('MII', chain.indexOf('-----END CERTIFICATE-----'));
    const corrupted = `${chain.slice(0, secondBody + 5)}$${chain.slice(secondBody + 6)}`;
    expect(malformedMessage(() => splitPemChain(corrupted))).toMatch(/certificate #2 is not valid base64/);
    expect(malformedMessage(() => splitPemChain(chain.slice(0, -20)))).toMatch(/no END line/);
  });

  it('rejects mismatched and nested markers', () => {
    const leaf = text('x509-from-bundles', 'sigstore-js-release-2023-08-18.pem');
    expect(malformedMessage(() => splitPemChain(leaf.replace('END CERTIFICATE', 'END PUBLIC KEY')))).toMatch(/closed by "END PUBLIC KEY"/);
    expect(malformedMessage(() => splitPemChain(leaf.replace('-----END CERTIFICATE-----', '') + leaf))).toMatch(/not closed/);
  });

  it(`refuses more than ${MAX_CHAIN_CERTIFICATES} certificates`, () => {
    const leaf = text('x509-from-bundles', 'sigstore-js-release-2023-08-18.pem');
    expect(splitPemChain(leaf.repeat(MAX_CHAIN_CERTIFICATES))).toHaveLength(MAX_CHAIN_CERTIFICATES);
    expect(malformedMessage(() => splitPemChain(leaf.repeat(MAX_CHAIN_CERTIFICATES + 1)))).toMatch(/more than 16 certificates/);
  });

  it('rejects non-string input', () => {
    expect(malformedMessage(() => splitPemChain(undefined as unknown as string))).toMatch(/as a string/);
  });
});

describe('derFromPem / pemFromDer', () => {
  it('round-trips the real GitHub private-instance certificate byte for byte', () => {
    const pem = text('x509-from-bundles', 'github-private-instance-2026-07-24.pem');
    const der = derFromPem(pem);
    expect(der[0]).toBe(0x30);
    expect(pemFromDer(der)).toBe(pem);
  });

  it('accepts the legacy "X509 CERTIFICATE" label (RFC 7468 §5.1)', () => {
    const pem = text('x509-from-bundles', 'github-private-instance-2026-07-24.pem');
    expect(derFromPem(pem.replace(/ CERTIFICATE-----/g, ' X509 CERTIFICATE-----'))).toEqual(derFromPem(pem));
  });

  it('wants exactly one certificate', () => {
    expect(malformedMessage(() => derFromPem(text(...CHAIN)))).toMatch(/holds 2 certificates/);
    expect(malformedMessage(() => derFromPem('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n'))).toMatch(/is empty/);
  });
});
