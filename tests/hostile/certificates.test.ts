/**
 * Certificates with absurd extensions, as a hostile signer could attach to a cosign
 * signature (the certificate is read before any chain check): every one decodes to a
 * clear CERTIFICATE_MALFORMED or to bounded, faithful fields that policies can match
 * safely.
 */
import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SigscopeError, printable } from '@/lib/errors';
import { MAX_MATCHED_LENGTH } from '@/lib/policy/regex-safety';
import { compilePolicy } from '@/lib/verify/policy';
import { decodeCertificate } from '@/lib/x509';
import * as x509 from '@/lib/x509/peculiar';

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

async function selfSigned(extensions: x509.Extension[]): Promise<Uint8Array> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01', name: 'CN=hostile', notBefore: new Date(), notAfter: new Date(Date.now() + 864e5), signingAlgorithm: alg, keys, extensions,
  });
  return new Uint8Array(cert.rawData);
}

function decodeError(der: Uint8Array): SigscopeError {
  try {
    decodeCertificate(der);
  } catch (e) {
    if (e instanceof SigscopeError) return e;
    throw e;
  }
  throw new Error('expected the certificate to be refused');
}

const uriSan = (value: string) => new x509.SubjectAlternativeNameExtension([{ type: 'url', value }]);

describe('certificates with absurd extensions', () => {
  it('three thousand extensions: refused as malformed, not walked', async () => {
    const der = await selfSigned(Array.from({ length: 3000 }, (_, i) => new x509.Extension(`1.2.3.4.${i}`, false, new Uint8Array([4, 1, 0]))));
    const e = decodeError(der);
    expect(e.code).toBe('CERTIFICATE_MALFORMED');
    expect(e.message).toMatch(/not valid DER \(Maximum ASN\.1 node count exceeded\)/);
  });

  it('five thousand SAN entries: over the size limit', async () => {
    const der = await selfSigned([new x509.SubjectAlternativeNameExtension(Array.from({ length: 5000 }, (_, i) => ({ type: 'url' as const, value: `https://e.test/${i}` })))]);
    const e = decodeError(der);
    expect(e.code).toBe('CERTIFICATE_MALFORMED');
    expect(e.message).toMatch(/^The certificate is \d+ bytes; the limit is 65536 bytes of DER\.$/);
  });

  it('the same extension twice: refused rather than picking one', async () => {
    const e = decodeError(await selfSigned([uriSan('https://a.test'), uriSan('https://b.test')]));
    expect(e.message).toBe('The certificate contains extension 2.5.29.17 twice, which X.509 forbids.');
  });

  it('a 60 000-character identity decodes faithfully, and no regexp is evaluated against it', async () => {
    const identity = `https://e.test/${'a'.repeat(60_000)}`;
    const d = decodeCertificate(await selfSigned([uriSan(identity)]));
    expect(d.identity).toBe(identity);
    const policy = compilePolicy({ identityRegExp: 'https://e\\.test/a*', issuer: 'https://issuer.test' });
    expect(identity.length).toBeGreaterThan(MAX_MATCHED_LENGTH);
    expect(policy.identity!.test(identity)).toBe(false);
    expect(policy.identity!.test('https://e.test/aaa')).toBe(true);
  });

  it('control characters in a Fulcio extension are kept as found, and escaped whenever they are printed', async () => {
    const issuer = 'https://evil.test\u001b[31m\u0000';
    const d = decodeCertificate(await selfSigned([uriSan('https://e.test/x'), new x509.Extension('1.3.6.1.4.1.57264.1.1', false, Buffer.from(issuer))]));
    expect(d.oidcIssuer).toBe(issuer);
    expect(printable(d.oidcIssuer!)).toBe('https://evil.test\\u001b[31m\\u0000');
  });
});
