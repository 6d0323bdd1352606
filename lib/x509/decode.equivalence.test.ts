/**
 * decodeCertificate() was rewritten for speed (one BER parse, extensions read from the parsed
 * ASN.1; then, for the usual certificate, a field-by-field read: decode-common.ts). It must
 * behave exactly as before: same result, or same error message, for any input.
 * The previous implementation is kept as an oracle (tests/support/x509-reference-decode.ts) and
 * both run on every certificate in the fixtures, on thousands of seeded mutations of them
 * (most are refused, some still decode with changed values), and on generated certificates
 * with extensions Fulcio never issues.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../../tests/support/fixtures';
import { referenceDecodeDer } from '../../tests/support/x509-reference-decode';
import { SigscopeError } from '../errors';
import { decodeCertificate, isUnregisteredExtension } from './decode';
import { readCommonFields } from './decode-common';
import type { DecodedCertificate } from './types';
import { pemFromDer } from './pem';
import { FULCIO_EXTENSIONS } from './fulcio-extensions';
import * as x509 from './peculiar';

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (!(e instanceof SigscopeError)) throw e; // both must only ever throw SigscopeError
    return { ok: false, code: e.code, message: e.message };
  }
}

/** Certificates decodeCertificate read field by field (decode-common.ts), rather than parsing them whole. */
let readByFields = 0;

/**
 * Runs both decoders on `der`; returns whether it decoded, failing the test on any difference.
 * Bytes that do not start as a SEQUENCE go in as PEM (as bytes they are refused before decoding).
 * The field-by-field path is also compared on its own: whatever it accepts, the reference must
 * accept with the same values (it never refuses with a message of its own: it leaves that to the
 * whole parse).
 */
function expectSame(der: Uint8Array, label: string): boolean {
  const where = `${label}: ${Buffer.from(der).toString('hex')}`;
  const fast = outcome(() => decodeCertificate(der[0] === 0x30 ? der : pemFromDer(der)));
  const reference = outcome(() => referenceDecodeDer(new Uint8Array(der)));
  expect(fast, where).toEqual(reference);
  const fields = readCommonFields(new Uint8Array(der));
  if (fields) {
    readByFields++;
    expect(reference.ok, where).toBe(true);
    const { fingerprintSha256, pem, identity, oidcIssuer, ...expected } = (reference as { value: DecodedCertificate }).value;
    void [fingerprintSha256, pem, identity, oidcIssuer];
    expect(fields, where).toEqual(expected);
  }
  return fast.ok;
}

/** Every distinct certificate in ../shared/fixtures: PEM blocks, and base64 DER in JSON (bundles, trusted roots). */
function fixtureCertificates(): Map<string, Uint8Array> {
  const found = new Map<string, Uint8Array>();
  const add = (der: Buffer, where: string) => {
    if (der.length > 100 && der[0] === 0x30 && !found.has(der.toString('hex'))) found.set(der.toString('hex'), new Uint8Array(der));
    void where;
  };
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      const st = statSync(file);
      if (st.isDirectory()) walk(file);
      else if (st.size < 2_000_000 && /\.(pem|crt|json|jsonl|sigstore|txt)$/.test(name)) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) add(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'), file);
        for (const m of text.matchAll(/"rawBytes"\s*:\s*"(MII[A-Za-z0-9+/=]+)"/g)) add(Buffer.from(m[1]!, 'base64'), file);
      }
    }
  };
  walk(FIXTURES);
  return found;
}

/** Deterministic, so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutations(der: Uint8Array, count: number, seed: number): Uint8Array[] {
  const rand = prng(seed);
  const at = (n: number) => Math.floor(rand() * n);
  const isLetter = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const m = der.slice();
    switch (i % 6) {
      case 0: // any byte, any value
        m[at(m.length)] = at(256);
        out.push(m);
        break;
      case 1: {
        // a letter inside some text for another: usually still a certificate, with other values
        const letters = [...m.keys()].filter((k) => isLetter(m[k]!));
        if (letters.length) m[letters[at(letters.length)]!] = 0x41 + at(26);
        out.push(m);
        break;
      }
      case 2: // a length or tag byte nudged by one (header bytes sit just before content)
        {
          const k = 4 + at(m.length - 4);
          m[k] = (m[k]! + (rand() < 0.5 ? 1 : 255)) & 0xff;
          out.push(m);
        }
        break;
      case 3:
        out.push(der.slice(0, 1 + at(der.length - 1)));
        break;
      case 4: {
        const k = at(der.length);
        out.push(new Uint8Array([...der.subarray(0, k), ...der.subarray(k + 1)]));
        break;
      }
      default:
        out.push(new Uint8Array([...der, ...Array.from({ length: 1 + at(3) }, () => at(256))]));
    }
  }
  return out;
}

describe('the fast decoder agrees with the previous implementation', () => {
  const certs = [...fixtureCertificates().values()];

  it('on every certificate in the fixtures', () => {
    expect(certs.length).toBeGreaterThan(30);
    let decoded = 0;
    certs.forEach((der, i) => {
      if (expectSame(der, `fixture #${i}`)) decoded++;
    });
    // A few fixtures are deliberately broken (both refuse them, identically).
    expect(decoded).toBeGreaterThan(certs.length - 3);
    // Every Fulcio leaf takes the field-by-field path (else a scan silently pays for the whole parse).
    const leaves = certs.filter((der) => {
      const r = outcome(() => decodeCertificate(der));
      return r.ok && Object.keys((r.value as DecodedCertificate).fulcio).length > 0;
    });
    expect(leaves.length).toBeGreaterThan(10);
    for (const der of leaves) expect(readCommonFields(der), Buffer.from(der).toString('hex')).not.toBeNull();
  });

  it('on seeded mutations of them (refused with the same message, or decoded to the same values)', () => {
    let decoded = 0;
    let refused = 0;
    const before = readByFields;
    certs.forEach((der, i) => {
      for (const m of mutations(der, 60, 1000 + i)) {
        if (expectSame(m, `mutation of fixture #${i}`)) decoded++;
        else refused++;
      }
    });
    // Both outcomes must be well represented, or the comparison proves little.
    expect(decoded).toBeGreaterThan(certs.length * 10);
    expect(refused).toBeGreaterThan(certs.length * 20);
    // And so must mutated certificates that the field-by-field path read.
    expect(readByFields - before).toBeGreaterThan(certs.length * 15);
  }, 180_000);

  it('on generated certificates with extensions Fulcio never issues, well-formed or not', async () => {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const make = async (extensions: x509.Extension[], name: string | x509.JsonName = 'CN=equivalence, O=sigscope') =>
      new Uint8Array(
        (
          await x509.X509CertificateGenerator.createSelfSigned({
            serialNumber: '00ff01', name, notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2024-01-02T00:00:00Z'), signingAlgorithm: alg, keys, extensions,
          })
        ).rawData,
      );
    const raw = (oid: string, hex: string, critical = false) => new x509.Extension(oid, critical, Buffer.from(hex, 'hex'));
    const cases: Record<string, x509.Extension[]> = {
      'CRL distribution points, AIA, issuer alt name, policies': [
        new x509.CRLDistributionPointsExtension(['http://crl.test/ca.crl']),
        new x509.AuthorityInfoAccessExtension({ ocsp: ['http://ocsp.test'], caIssuers: ['http://ca.test/ca.crt'] }),
        new x509.IssuerAlternativeNameExtension([{ type: 'dns', value: 'ca.test' }]),
        new x509.CertificatePolicyExtension(['1.2.3.4.5']),
      ],
      'directoryName, registeredID and non-Fulcio otherName SANs': [
        new x509.SubjectAlternativeNameExtension([
          { type: 'dn', value: 'CN=inner, O=dir' },
          { type: 'id', value: '1.2.3.4' },
          { type: 'upn', value: 'someone@example.test' },
        ]),
      ],
      'basic constraints with a path length, unknown EKU, all key usages': [
        new x509.BasicConstraintsExtension(true, 2, true),
        new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.3', '1.2.3.99']),
        new x509.KeyUsagesExtension(0x1ff as x509.KeyUsageFlags),
      ],
      'key identifiers': [raw('2.5.29.14', '0414' + '11'.repeat(20)), raw('2.5.29.35', '30168014' + '22'.repeat(20))],
      'malformed subject key identifier': [raw('2.5.29.14', '0c03616263')],
      'malformed authority key identifier': [raw('2.5.29.35', '0403010203')],
      'malformed key usage': [raw('2.5.29.15', '0403010203')],
      'malformed extended key usage': [raw('2.5.29.37', '0500')],
      'malformed basic constraints': [raw('2.5.29.19', '02010a')],
      'malformed SAN': [raw('2.5.29.17', '3003800141ff')],
      'malformed CRL distribution points': [raw('2.5.29.31', '0201ff')],
      'malformed AIA': [raw('1.3.6.1.5.5.7.1.1', '3003020101')],
      'malformed issuer alt name': [raw('2.5.29.18', '04020000')],
      'two SANs, the second malformed (which error wins)': [raw('2.5.29.17', '3006860461622e63'), raw('2.5.29.17', '3003800141ff')],
      'two key usages': [new x509.KeyUsagesExtension(1), new x509.KeyUsagesExtension(2)],
      'two subject key identifiers, then a bad SCT list': [raw('2.5.29.14', '040101'), raw('2.5.29.14', '040102'), raw('1.3.6.1.4.1.11129.2.4.2', '0403000100')],
      'Fulcio values in the wrong encodings': [raw('1.3.6.1.4.1.57264.1.8', '1303616263'), raw('1.3.6.1.4.1.57264.1.1', 'ff')],
      'Fulcio .1.8 as a long-form DER length': [raw('1.3.6.1.4.1.57264.1.8', '0c8103616263')],
      'empty Fulcio values': [raw('1.3.6.1.4.1.57264.1.8', '0c00'), raw('1.3.6.1.4.1.57264.1.2', '')],
      'unknown critical extension': [raw('1.2.3.4.5.6', '0500', true)],
    };
    for (const [label, extensions] of Object.entries(cases)) expectSame(await make(extensions), label);
    const names: x509.JsonName[] = [
      [{ C: ['US'] }, { ST: ['CA'] }, { L: ['SF'] }, { '2.5.4.9': ['1 Main St'] }, { '2.5.4.17': ['94000'] }, { O: ['x, y "z"'] }, { OU: ['a'], CN: ['b'] }],
      [{ '2.5.4.5': ['7'] }, { '0.9.2342.19200300.100.1.1': ['u1'] }, { DC: ['example'] }, { DC: ['test'] }, { E: ['a@b.test'] }, { CN: ['#04024869', ' lead+trail '] }],
    ];
    for (const name of names) expectSame(await make([], name), JSON.stringify(name));
    // Near asn1js's node limit, reached across fields: each field parsed alone stays within it, the
    // whole certificate does not (asn1js counts an attempt to read a string's content as ASN.1, even
    // a failed one, so `04 01 00` is two nodes in three bytes). Bulk in the key, or in the
    // parameters of the signature algorithm; then the same bulk, smaller, which both accept.
    const bulk = (count: number) => Buffer.concat([Buffer.from([0x30, 0x82, ((count * 3) >> 8) & 0xff, (count * 3) & 0xff]), Buffer.alloc(count * 3, Buffer.from([0x04, 0x01, 0x00]))]);
    const leafOf = () => {
      const asn = AsnConvert.parse(certs.find((der) => readCommonFields(der)?.fulcio.issuerV2)!, Certificate);
      delete (asn as { tbsCertificateRaw?: ArrayBuffer }).tbsCertificateRaw;
      return asn;
    };
    for (const count of [2040, 300]) {
      const inKey = leafOf();
      inKey.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey = new Uint8Array(bulk(count)).buffer;
      const inAlgorithm = leafOf();
      inAlgorithm.signatureAlgorithm.parameters = new Uint8Array(bulk(count)).buffer;
      for (const [label, asn] of [['key', inKey], ['signature algorithm', inAlgorithm]] as const) {
        const der = new Uint8Array(AsnConvert.serialize(asn));
        const decoded = expectSame(der, `${count} × 04 01 00 in the ${label}`);
        expect(decoded, `${count} in the ${label}`).toBe(count < 1000);
      }
    }

    // A Fulcio leaf with other serial numbers: a sign byte, non-minimal, one byte, negative, zero
    // (the generator above writes only minimal ones).
    const leaf = certs.find((der) => readCommonFields(der)?.fulcio.issuerV2)!;
    for (const serial of ['00ff01', '0001', '000080', '7f', '80', 'ff00', '00']) {
      const asn = AsnConvert.parse(leaf, Certificate);
      asn.tbsCertificate.serialNumber = new Uint8Array(Buffer.from(serial, 'hex')).buffer;
      delete (asn as { tbsCertificateRaw?: ArrayBuffer }).tbsCertificateRaw; // else the original TBS is written back
      const before = readByFields;
      expectSame(new Uint8Array(AsnConvert.serialize(asn)), `leaf with serial ${serial}`);
      expect(readByFields, serial).toBe(before + 1);
    }

    // Other key types.
    const keyAlgorithms: (Algorithm & Record<string, unknown>)[] = [
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
      { name: 'ECDSA', namedCurve: 'P-521', hash: 'SHA-512' },
      { name: 'Ed25519' },
    ];
    for (const keyAlg of keyAlgorithms) {
      const k = (await webcrypto.subtle.generateKey(keyAlg as unknown as RsaHashedKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair;
      const c = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=k', notBefore: new Date(0), notAfter: new Date(1e12), signingAlgorithm: keyAlg, keys: k });
      expectSame(new Uint8Array(c.rawData), keyAlg.name);
    }
  }, 120_000);
});

describe('extensions the fast decoder does not hand to @peculiar/x509', () => {
  it('are ones the library has no class for (it would wrap them in a plain Extension, which cannot fail)', () => {
    const oids = [...FULCIO_EXTENSIONS.map((e) => e.oid), '1.3.6.1.4.1.57264.1.99', '1.3.6.1.4.1.11129.2.4.2'];
    for (const oid of oids) {
      expect(isUnregisteredExtension(oid)).toBe(true);
      const ext = x509.ExtensionFactory.create(new x509.Extension(oid, false, new Uint8Array([0xff])).rawData);
      expect(ext.constructor, oid).toBe(x509.Extension);
    }
    // And the library's own extensions are not mistaken for those.
    for (const oid of ['2.5.29.14', '2.5.29.35', '2.5.29.31', '1.3.6.1.5.5.7.1.1', '2.5.29.18', '2.5.29.32']) {
      expect(isUnregisteredExtension(oid)).toBe(false);
      expect(() => x509.ExtensionFactory.create(new x509.Extension(oid, false, new Uint8Array([0xff])).rawData), oid).toThrow();
    }
  });
});

describe('what decodeCertificate hands out', () => {
  const der = [...fixtureCertificates().values()][0]!;

  it('is a private copy: changing one result changes neither the memo nor the next result', () => {
    const first = decodeCertificate(der);
    const pristine = structuredClone(first);
    first.subjectAlternativeNames.push({ type: 'dns', value: 'changed.test' });
    first.publicKey.oid = 'changed';
    first.fulcio.issuer = 'changed';
    first.keyUsage.length = 0;
    const second = decodeCertificate(der);
    expect(second).toEqual(pristine);
    expect(second.subjectAlternativeNames).not.toBe(first.subjectAlternativeNames);
    expect(Object.keys(second)).toEqual(Object.keys(pristine)); // same key order as structuredClone kept
  });

  it('writes PEM exactly as @peculiar/x509 PemConverter did, at every length modulo 64', () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = der.subarray(0, n);
      expect(pemFromDer(bytes), `${n} bytes`).toBe(`${x509.PemConverter.encode(new Uint8Array(bytes), 'CERTIFICATE')}\n`);
    }
    expect(pemFromDer(der)).toBe(`${x509.PemConverter.encode(new Uint8Array(der), 'CERTIFICATE')}\n`);
  });
});
