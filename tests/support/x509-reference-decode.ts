/**
 * The DER decoding of lib/x509/decode.ts as it was before it was made fast: everything through
 * @peculiar/x509's object model (cert.extensions, getExtension, Name and PublicKey objects),
 * at about three times the CPU. Kept only as the oracle of decode.equivalence.test.ts, which
 * checks that the fast decoder gives the same result, or the same error, on every input.
 * Not for production use.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AsnConvert, type IAsnParseOptions } from '@peculiar/asn1-schema';
import { SubjectAlternativeName as AsnSubjectAlternativeName, SubjectPublicKeyInfo, type GeneralName } from '@peculiar/asn1-x509';
import { describeError, isSigscopeError } from '@/lib/errors';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  Name,
  X509Certificate,
  type Extension,
} from '@/lib/x509/peculiar';
import { countEmbeddedScts, decodeDerTextString, decodeDerUtf8String, decodeUtf8 } from '@/lib/x509/extension-values';
import { FULCIO_EXTENSION_BY_OID, FULCIO_OTHER_NAME_OID, type FulcioExtensions } from '@/lib/x509/fulcio-extensions';
import { BER_LIMITS } from '@/lib/x509/limits';
import { malformed } from '@/lib/x509/malformed';
import { pemFromDer } from '@/lib/x509/pem';
import type { DecodedCertificate, DecodedPublicKey, SubjectAlternativeName } from '@/lib/x509/types';

const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_EMBEDDED_SCTS = '1.3.6.1.4.1.11129.2.4.2';
const PARSE_OPTIONS = { berOptions: BER_LIMITS };

/** Same contract as decodeCertificate() for DER input, without its memo. */
export function referenceDecodeDer(der: Uint8Array<ArrayBuffer>): DecodedCertificate {
  try {
    return decodeDer(der);
  } catch (e) {
    if (isSigscopeError(e)) throw e;
    throw malformed(
      `The data could not be decoded as an X.509 certificate (${describeError(e)}). ` +
        'Check that you passed a certificate (not a key or signature) and that it was not cut or altered in transit.',
      e,
    );
  }
}

function decodeDer(der: Uint8Array<ArrayBuffer>): DecodedCertificate {
  assertSingleDerElement(der);
  const cert = new X509Certificate(der, PARSE_OPTIONS);
  const extensions = indexExtensions(cert.extensions);

  const sanExt = extensions.get(OID_SUBJECT_ALT_NAME);
  const sans = sanExt ? subjectAlternativeNames(sanExt.value, PARSE_OPTIONS) : [];
  const fulcio = fulcioValues(extensions, sans);
  const sctExt = extensions.get(OID_EMBEDDED_SCTS);

  const oidcIssuer = fulcio.issuerV2 ?? fulcio.issuer;
  const identity = sans.find((s) => s.type === 'uri' || s.type === 'email' || s.type === 'otherName')?.value;
  return {
    serialNumber: cert.serialNumber.toLowerCase(),
    subject: formatName(cert.subjectName),
    issuer: formatName(cert.issuerName),
    notBefore: isoDate(cert.notBefore, 'notBefore'),
    notAfter: isoDate(cert.notAfter, 'notAfter'),
    fingerprintSha256: createHash('sha256').update(der).digest('hex'),
    publicKey: describePublicKey(cert, PARSE_OPTIONS),
    subjectAlternativeNames: sans,
    keyUsage: keyUsageNames(cert.getExtension(KeyUsagesExtension)?.usages ?? 0),
    extendedKeyUsage: (cert.getExtension(ExtendedKeyUsageExtension)?.usages ?? []).map((u) => extendedKeyUsageName(String(u))),
    isCA: cert.getExtension(BasicConstraintsExtension)?.ca ?? false,
    sctCount: sctExt ? sctCount(sctExt) : 0,
    fulcio,
    ...(oidcIssuer === undefined ? {} : { oidcIssuer }),
    ...(identity === undefined ? {} : { identity }),
    pem: pemFromDer(der),
  };
}

function assertSingleDerElement(der: Uint8Array): void {
  const { offset, result } = asn1js.fromBER(der, BER_LIMITS);
  if (offset === -1 || result.error) {
    throw malformed(`The certificate is not valid DER (${result.error || 'unreadable'}); it may be truncated or corrupted.`);
  }
  if (offset !== der.length) {
    throw malformed(`The certificate is followed by ${der.length - offset} unexpected bytes; pass exactly one DER certificate.`);
  }
}

function indexExtensions(list: readonly Extension[]): Map<string, Extension> {
  const byOid = new Map<string, Extension>();
  for (const ext of list) {
    if (byOid.has(ext.type)) throw malformed(`The certificate contains extension ${ext.type} twice, which X.509 forbids.`);
    byOid.set(ext.type, ext);
  }
  return byOid;
}

function fulcioValues(extensions: Map<string, Extension>, sans: SubjectAlternativeName[]): FulcioExtensions {
  const out: FulcioExtensions = {};
  for (const [oid, ext] of extensions) {
    const info = FULCIO_EXTENSION_BY_OID.get(oid);
    if (!info || info.encoding === 'san-other-name') continue;
    const value = info.encoding === 'raw-utf8' ? decodeUtf8(new Uint8Array(ext.value)) : decodeDerUtf8String(ext.value);
    if (value === null) {
      const expected = info.encoding === 'raw-utf8' ? 'raw UTF-8 text' : 'a DER UTF8String';
      throw malformed(`Fulcio extension "${info.label}" (${oid}) is not ${expected} as the Fulcio specification requires.`);
    }
    out[info.key] = value;
  }
  const otherName = sans.find((s) => s.type === 'otherName' && s.typeId === FULCIO_OTHER_NAME_OID);
  if (otherName) out.otherName = otherName.value;
  return out;
}

function sctCount(ext: Extension): number {
  const n = countEmbeddedScts(ext.value);
  if (n === null) throw malformed(`The embedded SCT list (extension ${OID_EMBEDDED_SCTS}) is malformed.`);
  return n;
}

function isoDate(d: Date, field: string): string {
  if (Number.isNaN(d.getTime())) throw malformed(`The certificate's ${field} date is invalid.`);
  return d.toISOString();
}

const EXTRA_DN_NAMES = { STREET: '2.5.4.9', postalCode: '2.5.4.17', serialNumber: '2.5.4.5', UID: '0.9.2342.19200300.100.1.1' };

function formatName(name: Name): string {
  return new Name(name.toArrayBuffer(), EXTRA_DN_NAMES).toString();
}

const KEY_USAGE_ORDER = [
  'digitalSignature', 'nonRepudiation', 'keyEncipherment', 'dataEncipherment', 'keyAgreement', 'keyCertSign', 'cRLSign', 'encipherOnly', 'decipherOnly',
] as const satisfies readonly (keyof typeof KeyUsageFlags)[];

function keyUsageNames(flags: number): string[] {
  return KEY_USAGE_ORDER.filter((name) => (flags & KeyUsageFlags[name]) !== 0);
}

const EKU_NAMES = new Map<string, string>(Object.entries(ExtendedKeyUsage).map(([name, oid]) => [oid, name]));

function extendedKeyUsageName(oid: string): string {
  return EKU_NAMES.get(oid) ?? oid;
}

const CURVE_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, 'K-256': 256 };

function describePublicKey(cert: X509Certificate, options: IAsnParseOptions): DecodedPublicKey {
  const spki = cert.publicKey.rawData;
  const oid = AsnConvert.parse(spki, SubjectPublicKeyInfo, options).algorithm.algorithm;
  const alg = cert.publicKey.algorithm as Algorithm & { namedCurve?: string; modulusLength?: number };
  switch (alg.name) {
    case 'ECDSA': {
      const curve = alg.namedCurve ?? 'unknown';
      const bits = CURVE_BITS[curve] ?? Number(/\d{3}/.exec(curve)?.[0] ?? NaN);
      return Number.isFinite(bits) ? { algorithm: 'ECDSA', oid, curve, size: bits } : { algorithm: 'ECDSA', oid, curve };
    }
    case 'RSASSA-PKCS1-v1_5':
    case 'RSA-PSS':
      return alg.modulusLength ? { algorithm: 'RSA', oid, size: alg.modulusLength } : { algorithm: 'RSA', oid };
    case 'Ed25519':
      return { algorithm: 'Ed25519', oid, size: 256 };
    case 'EdDSA':
      return alg.namedCurve === 'Ed448' ? { algorithm: 'Ed448', oid, size: 448 } : { algorithm: 'EdDSA', oid };
    default:
      return { algorithm: alg.name, oid };
  }
}

function subjectAlternativeNames(extnValue: ArrayBuffer, options: IAsnParseOptions): SubjectAlternativeName[] {
  const names = AsnConvert.parse(extnValue, AsnSubjectAlternativeName, options);
  return Array.from(names).flatMap((n) => {
    const san = fromGeneralName(n);
    return san ? [san] : [];
  });
}

function fromGeneralName(n: GeneralName): SubjectAlternativeName | null {
  if (n.uniformResourceIdentifier !== undefined) return { type: 'uri', value: n.uniformResourceIdentifier };
  if (n.rfc822Name !== undefined) return { type: 'email', value: n.rfc822Name };
  if (n.dNSName !== undefined) return { type: 'dns', value: n.dNSName };
  if (n.iPAddress !== undefined) return { type: 'ip', value: n.iPAddress };
  if (n.otherName) return fromOtherName(n.otherName.typeId, n.otherName.value);
  if (n.directoryName) return { type: 'directoryName', value: formatName(new Name(AsnConvert.serialize(n.directoryName))) };
  if (n.registeredID !== undefined) return { type: 'registeredId', value: n.registeredID };
  return null;
}

function fromOtherName(typeId: string, value: ArrayBuffer): SubjectAlternativeName {
  const decoded = decodeDerTextString(value);
  if (typeId === FULCIO_OTHER_NAME_OID && !decoded?.utf8String) {
    throw malformed(
      `The certificate's otherName identity (${FULCIO_OTHER_NAME_OID}) is not a DER UTF8String as Fulcio specifies; ` +
        'the identity cannot be read reliably, so the certificate is rejected.',
    );
  }
  const text = decoded ? decoded.text : `#${Buffer.from(value).toString('hex')}`;
  return { type: 'otherName', value: text, typeId };
}
