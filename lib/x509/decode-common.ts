/**
 * decodeCertificate()'s fast path, for certificates of the usual shape (./common-shape.ts says
 * which, and why this path exists). Each field is parsed by the @peculiar schema class that
 * the full parse uses for it, with the same options, so it is accepted or refused as before.
 * Fields that leaves from one CA and one workflow share (names, algorithm identifiers, key
 * usages, the SAN, the authority key id, the key's algorithm) are parsed once and remembered by
 * their bytes. Returns null whenever anything is unusual or fails: the full decode then gives
 * the error, or the value. decode.equivalence.test.ts holds both paths to the same results.
 */
import * as asn1js from 'asn1js';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  KeyUsage,
  Name,
  SubjectAlternativeName as AsnSubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  Validity,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { splitCommonShape, type CertificateParts } from './common-shape';
import {
  OID_EMBEDDED_SCTS,
  describePublicKey,
  embeddedSctCount,
  extendedKeyUsageName,
  formatName,
  fulcioValues,
  isoDate,
  keyUsageNames,
  subjectAlternativeNames,
} from './fields';
import { FULCIO_EXTENSIONS } from './fulcio-extensions';
import { PARSE_OPTIONS } from './limits';
import { PublicKey } from './peculiar';
import type { CertificateFields, DecodedPublicKey, SubjectAlternativeName } from './types';

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

/** The extensions this path reads, by the bytes of their OID. Any other extension: the full decode. */
const KNOWN_EXTENSIONS = new Map<string, string>(
  [
    id_ce_subjectAltName,
    id_ce_keyUsage,
    id_ce_extKeyUsage,
    id_ce_basicConstraints,
    id_ce_subjectKeyIdentifier,
    id_ce_authorityKeyIdentifier,
    OID_EMBEDDED_SCTS,
    ...FULCIO_EXTENSIONS.map((e) => e.oid),
  ].map((oid) => [keyOf(oidContent(oid)), oid]),
);

export function readCommonFields(der: Uint8Array): CertificateFields | null {
  const parts = splitCommonShape(der);
  if (!parts) return null;
  try {
    return fieldsOf(parts);
  } catch {
    return null;
  }
}

function fieldsOf(p: CertificateParts): CertificateFields | null {
  algorithms.get(p.signatureAlgorithm, (der) => AsnConvert.parse(der, AlgorithmIdentifier, PARSE_OPTIONS) && true);
  algorithms.get(p.outerSignatureAlgorithm, (der) => AsnConvert.parse(der, AlgorithmIdentifier, PARSE_OPTIONS) && true);
  const issuer = names.get(p.issuer, nameText);
  const subject = names.get(p.subject, nameText);
  const validity = AsnConvert.parse(p.validity, Validity, PARSE_OPTIONS);
  const notBefore = validity.notBefore.utcTime || validity.notBefore.generalTime;
  const notAfter = validity.notAfter.utcTime || validity.notAfter.generalTime;
  if (!notBefore || !notAfter) return null;
  const spki = AsnConvert.parse(p.subjectPublicKeyInfo, SubjectPublicKeyInfo, PARSE_OPTIONS);
  const describe = () => describePublicKey(new PublicKey(spki, PARSE_OPTIONS), spki);
  // An EC key's description depends on its algorithm identifier only (curve); others' on the key too.
  const publicKey = spki.algorithm.algorithm === OID_EC_PUBLIC_KEY ? { ...keys.get(p.publicKeyAlgorithm, describe) } : describe();

  const values = new Map<string, Uint8Array>();
  let sans: SubjectAlternativeName[] = [];
  let keyUsage = 0;
  let extendedKeyUsage: string[] = [];
  let isCA = false;
  for (const ext of p.extensions) {
    const oid = KNOWN_EXTENSIONS.get(keyOf(ext.oid));
    if (!oid || values.has(oid)) return null; // unknown, or twice (which the full decode reports)
    values.set(oid, ext.value);
    switch (oid) {
      case id_ce_subjectAltName:
        sans = altNames.get(ext.value, (v) => subjectAlternativeNames(AsnConvert.parse(v, AsnSubjectAlternativeName, PARSE_OPTIONS))).map((s) => ({ ...s }));
        break;
      case id_ce_keyUsage:
        keyUsage = keyUsages.get(ext.value, (v) => AsnConvert.parse(v, KeyUsage, PARSE_OPTIONS).toNumber());
        break;
      case id_ce_extKeyUsage:
        extendedKeyUsage = [...extendedKeyUsages.get(ext.value, (v) => AsnConvert.parse(v, ExtendedKeyUsage, PARSE_OPTIONS).map((u) => extendedKeyUsageName(String(u))))];
        break;
      case id_ce_basicConstraints:
        isCA = caFlags.get(ext.value, (v) => AsnConvert.parse(v, BasicConstraints, PARSE_OPTIONS).cA);
        break;
      case id_ce_authorityKeyIdentifier:
        authorityKeyIds.get(ext.value, (v) => AsnConvert.parse(v, AuthorityKeyIdentifier, PARSE_OPTIONS) && true);
        break;
      case id_ce_subjectKeyIdentifier:
        AsnConvert.parse(ext.value, SubjectKeyIdentifier, PARSE_OPTIONS); // one per key: not worth remembering
        break;
      // The SCT list and Fulcio's own extensions are read from their bytes below.
    }
  }
  const fulcio = fulcioValues(values, sans);
  return {
    serialNumber: serialHex(p.serial),
    subject,
    issuer,
    notBefore: isoDate(notBefore, 'notBefore'),
    notAfter: isoDate(notAfter, 'notAfter'),
    publicKey,
    subjectAlternativeNames: sans,
    keyUsage: keyUsageNames(keyUsage),
    extendedKeyUsage,
    isCA,
    sctCount: embeddedSctCount(values),
    fulcio,
  };
}

function nameText(der: Uint8Array): string {
  return formatName(AsnConvert.parse(der, Name, PARSE_OPTIONS));
}

/** As @peculiar/x509 prints a serial number: hex, without the sign byte a DER INTEGER may need. */
function serialHex(content: Uint8Array): string {
  const digits = content.length > 1 && content[0] === 0 && content[1]! > 0x7f ? content.subarray(1) : content;
  return Buffer.from(digits.buffer, digits.byteOffset, digits.byteLength).toString('hex');
}

/**
 * Results by the exact bytes they were computed from, the oldest forgotten first. Values are
 * never changed by their users (each caller copies what it hands on).
 */
class BytesMemo<T> {
  private readonly entries = new Map<string, T>();
  constructor(private readonly max: number) {}

  get(bytes: Uint8Array, compute: (bytes: Uint8Array) => T): T {
    const key = keyOf(bytes);
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const value = compute(bytes);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
    return value;
  }
}

const algorithms = new BytesMemo<true>(64);
const names = new BytesMemo<string>(256);
const keys = new BytesMemo<DecodedPublicKey>(64);
// Extension values, by kind:
const altNames = new BytesMemo<SubjectAlternativeName[]>(256);
const keyUsages = new BytesMemo<number>(64);
const extendedKeyUsages = new BytesMemo<string[]>(64);
const caFlags = new BytesMemo<boolean>(64);
const authorityKeyIds = new BytesMemo<true>(64);

function keyOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** The content bytes of an OID's DER encoding, as asn1js writes them. */
function oidContent(oid: string): Uint8Array {
  const der = new Uint8Array(new asn1js.ObjectIdentifier({ value: oid }).toBER());
  return der.subarray(2); // one tag byte, one length byte: every OID here is short
}
