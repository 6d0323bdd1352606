/**
 * decodeCertificate(): any X.509 certificate, PEM or DER, to a plain JSON object, with
 * Fulcio's identity extensions decoded. Parsing is @peculiar/x509's (asn1js and its ASN.1
 * schemas); this module decides what to accept, bounds the input, and turns every failure
 * into CERTIFICATE_MALFORMED.
 *
 * An organization scan decodes a distinct Fulcio leaf per image, so this is on the hot path.
 * A certificate of the usual shape (every Fulcio leaf) is read field by field, each field
 * parsed by its own schema class and shared ones remembered (./decode-common.ts); any other is
 * parsed once whole, and values are read from the parsed ASN.1 rather than through the
 * library's object model, which re-encodes and re-parses each extension, name and key.
 * Acceptance and error messages are those of that object model, exactly:
 * decode.equivalence.test.ts holds the previous implementation to that. bench/x509.ts: cost.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { AsnConvert, AsnParser } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier as AsnAuthorityKeyIdentifier,
  BasicConstraints as AsnBasicConstraints,
  Certificate as AsnCertificate,
  ExtendedKeyUsage as AsnExtendedKeyUsage,
  KeyUsage as AsnKeyUsage,
  SubjectAlternativeName as AsnSubjectAlternativeName,
  SubjectKeyIdentifier as AsnSubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  type Extension as AsnExtension,
} from '@peculiar/asn1-x509';
import { isSigscopeError, describeError } from '../errors';
import { ExtensionFactory, X509Certificate } from './peculiar';
import { FULCIO_OID_ARC } from './fulcio-extensions';
import { OID_EMBEDDED_SCTS, describePublicKey, embeddedSctCount, extendedKeyUsageName, formatName, fulcioValues, isoDate, keyUsageNames, subjectAlternativeNames } from './fields';
import { BER_LIMITS, MAX_CERTIFICATE_DER_BYTES, MAX_CERTIFICATE_PEM_CHARS, PARSE_OPTIONS } from './limits';
import { malformed } from './malformed';
import { derFromPem, pemFromDer } from './pem';
import { readCommonFields } from './decode-common';
import type { CertificateFields, DecodedCertificate } from './types';

/** Extensions @peculiar/x509 has no class for (decode.equivalence.test.ts checks it still has none). */
export function isUnregisteredExtension(oid: string): boolean {
  return oid === OID_EMBEDDED_SCTS || oid.startsWith(`${FULCIO_OID_ARC}.`);
}

/**
 * Decodes one certificate given as PEM text (exactly one CERTIFICATE block) or as DER
 * bytes. A Uint8Array holding PEM text (a file read without an encoding) also works.
 * @throws SigscopeError CERTIFICATE_MALFORMED for anything that is not one well-formed certificate.
 */
export function decodeCertificate(input: string | Uint8Array): DecodedCertificate {
  const der = toDer(input);
  // Verifying and storing one signature decodes its certificate three times; ASN.1 parsing is slow.
  // The SHA-256 fingerprint is the memo key, and goes into the result.
  const fingerprint = createHash('sha256').update(der).digest('hex');
  const hit = recentlyDecoded.get(fingerprint);
  if (hit) return copyPlain(hit);
  const decoded = decodeCertificateDer(der, fingerprint);
  if (recentlyDecoded.size >= 64) recentlyDecoded.delete(recentlyDecoded.keys().next().value!);
  recentlyDecoded.set(fingerprint, decoded);
  return copyPlain(decoded);
}

const recentlyDecoded = new Map<string, DecodedCertificate>();

/**
 * A deep copy, so a caller changing its result cannot change the memo. The result is plain
 * JSON data (strings, numbers, booleans, arrays, plain objects) with keys of our own choosing,
 * which this copies exactly as structuredClone did, in a fraction of the time.
 */
function copyPlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyPlain) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyPlain((value as Record<string, unknown>)[key]);
  return out as T;
}

function decodeCertificateDer(der: Uint8Array<ArrayBuffer>, fingerprint: string): DecodedCertificate {
  try {
    return decodeDer(der, fingerprint);
  } catch (e) {
    if (isSigscopeError(e)) throw e;
    throw malformed(
      `The data could not be decoded as an X.509 certificate (${describeError(e)}). ` +
        'Check that you passed a certificate (not a key or signature) and that it was not cut or altered in transit.',
      e,
    );
  }
}

function toDer(input: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof input === 'string') return derFromText(input);
  if (!(input instanceof Uint8Array)) {
    throw malformed(`Expected a PEM string or DER bytes, got ${input === null ? 'null' : typeof input}.`);
  }
  if (input.length === 0) throw malformed('The certificate is empty (0 bytes).');
  if (input.length > MAX_CERTIFICATE_PEM_CHARS) {
    throw malformed(`The certificate is ${input.length} bytes; the limit is ${MAX_CERTIFICATE_DER_BYTES} bytes of DER.`);
  }
  if (input[0] === 0x30) {
    // A DER certificate is a SEQUENCE, so it always starts with 0x30.
    if (input.length > MAX_CERTIFICATE_DER_BYTES) {
      throw malformed(`The certificate is ${input.length} bytes; the limit is ${MAX_CERTIFICATE_DER_BYTES}.`);
    }
    return input.slice(); // a private copy: the caller may reuse its buffer
  }
  const text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
  if (text.trimStart().startsWith('-----BEGIN')) return derFromText(text);
  throw malformed(
    'The bytes are neither DER (which starts with byte 0x30) nor PEM text. ' +
      'If you have base64 from a Sigstore bundle (rawBytes), decode it to bytes first.',
  );
}

function derFromText(text: string): Uint8Array<ArrayBuffer> {
  if (text.trim() === '') throw malformed('The certificate is empty: expected PEM text starting with "-----BEGIN CERTIFICATE-----".');
  if (text.length > MAX_CERTIFICATE_PEM_CHARS) {
    throw malformed(`The PEM text is ${text.length} characters; the limit for one certificate is ${MAX_CERTIFICATE_PEM_CHARS}.`);
  }
  if (!/-----(BEGIN|END) /.test(text)) {
    throw malformed(
      'The text is not PEM: expected a "-----BEGIN CERTIFICATE-----" line. ' +
        'If you have bare base64 DER (as in a Sigstore bundle), decode it to bytes and pass those.',
    );
  }
  return derFromPem(text);
}

function decodeDer(der: Uint8Array<ArrayBuffer>, fingerprint: string): DecodedCertificate {
  // The usual certificate (every Fulcio leaf) is read field by field; anything else, and
  // anything that path refuses, is parsed whole here.
  const common = readCommonFields(der);
  if (common) return assemble(common, der, fingerprint);

  const { cert, asn } = parseCertificate(der);
  const extensions = readExtensions(asn.tbsCertificate.extensions ?? []);
  const sans = extensions.san ? subjectAlternativeNames(extensions.san) : [];
  const values = new Map([...extensions.byOid].map(([oid, ext]) => [oid, ext.extnValue.buffer]));
  const fulcio = fulcioValues(values, sans);
  // In this order, which decides which error a certificate with several faults gets.
  return assemble(
    {
      serialNumber: cert.serialNumber.toLowerCase(),
      subject: formatName(asn.tbsCertificate.subject),
      issuer: formatName(asn.tbsCertificate.issuer),
      notBefore: isoDate(cert.notBefore, 'notBefore'),
      notAfter: isoDate(cert.notAfter, 'notAfter'),
      publicKey: describePublicKey(cert.publicKey, asn.tbsCertificate.subjectPublicKeyInfo),
      subjectAlternativeNames: sans,
      keyUsage: keyUsageNames(extensions.keyUsage ?? 0),
      extendedKeyUsage: (extensions.extendedKeyUsage ?? []).map((u) => extendedKeyUsageName(String(u))),
      isCA: extensions.ca ?? false,
      sctCount: embeddedSctCount(values),
      fulcio,
    },
    der,
    fingerprint,
  );
}

function assemble(fields: CertificateFields, der: Uint8Array, fingerprint: string): DecodedCertificate {
  const oidcIssuer = fields.fulcio.issuerV2 ?? fields.fulcio.issuer;
  const identity = fields.subjectAlternativeNames.find((s) => s.type === 'uri' || s.type === 'email' || s.type === 'otherName')?.value;
  return {
    serialNumber: fields.serialNumber,
    subject: fields.subject,
    issuer: fields.issuer,
    notBefore: fields.notBefore,
    notAfter: fields.notAfter,
    fingerprintSha256: fingerprint,
    publicKey: fields.publicKey,
    subjectAlternativeNames: fields.subjectAlternativeNames,
    keyUsage: fields.keyUsage,
    extendedKeyUsage: fields.extendedKeyUsage,
    isCA: fields.isCA,
    sctCount: fields.sctCount,
    fulcio: fields.fulcio,
    // Absent keys rather than `undefined` values, so JSON round-trips exactly.
    ...(oidcIssuer === undefined ? {} : { oidcIssuer }),
    ...(identity === undefined ? {} : { identity }),
    pem: pemFromDer(der),
  };
}

/**
 * One BER parse of the whole certificate, shared by the trailing-bytes check and the schema.
 * `new X509Certificate(der)` would be asn1js.fromBER + AsnParser.fromASN(…, Certificate) with
 * the same options; doing the two steps here lets the check reuse the parse instead of
 * parsing a second time, and keeps the ASN.1 objects, which the library hides.
 */
function parseCertificate(der: Uint8Array<ArrayBuffer>): { cert: X509Certificate; asn: AsnCertificate } {
  const { offset, result } = asn1js.fromBER(der, BER_LIMITS);
  if (offset === -1 || result.error) {
    throw malformed(`The certificate is not valid DER (${result.error || 'unreadable'}); it may be truncated or corrupted.`);
  }
  // The library ignores bytes after the certificate; we refuse them (they would change the fingerprint).
  if (offset !== der.length) {
    throw malformed(`The certificate is followed by ${der.length - offset} unexpected bytes; pass exactly one DER certificate.`);
  }
  if (der[0] !== 0x30) {
    // Not a SEQUENCE (only possible from PEM). The library reads such bytes as text (hex,
    // base64) before parsing; keep exactly that behaviour, odd as it is, by letting it.
    const legacy = new X509Certificate(der, PARSE_OPTIONS);
    const asn = AsnConvert.parse(legacy.rawData, AsnCertificate, PARSE_OPTIONS);
    return { cert: new X509Certificate(asn, PARSE_OPTIONS), asn };
  }
  const asn = AsnParser.fromASN<AsnCertificate>(result, AsnCertificate, PARSE_OPTIONS);
  return { cert: new X509Certificate(asn, PARSE_OPTIONS), asn };
}

interface ExtensionValues {
  /** Every extension by OID; RFC 5280 §4.2: at most once each. */
  byOid: Map<string, AsnExtension>;
  san?: AsnSubjectAlternativeName;
  keyUsage?: number;
  extendedKeyUsage?: string[];
  ca?: boolean;
}

/**
 * What `cert.extensions` gave, without its cost: the library re-serializes every extension
 * and parses it twice (as a generic extension, which cannot fail on its own output, then as
 * its registered type). Here the extensions a Fulcio or CA certificate has (the four we read,
 * plus the key identifiers) are parsed once from their value, with the schema and options the
 * library's own classes use, so they fail (or not) exactly as before. The other extensions the
 * library knows are still built through its ExtensionFactory, for the same failures in the
 * same order. Fulcio's and the SCT list are unknown to it (it would wrap them in a plain
 * Extension, which cannot fail), so they are left as they are: most of a Fulcio leaf.
 */
function readExtensions(list: readonly AsnExtension[]): ExtensionValues {
  const out: ExtensionValues = { byOid: new Map() };
  for (const ext of list) {
    const value = ext.extnValue.buffer;
    switch (ext.extnID) {
      // Each occurrence is parsed, as the library did, before the duplicate check below.
      case id_ce_subjectAltName: {
        const san = AsnConvert.parse(value, AsnSubjectAlternativeName, PARSE_OPTIONS);
        out.san ??= san;
        break;
      }
      case id_ce_keyUsage: {
        const usages = AsnConvert.parse(value, AsnKeyUsage, PARSE_OPTIONS).toNumber();
        out.keyUsage ??= usages;
        break;
      }
      case id_ce_extKeyUsage: {
        const usages = AsnConvert.parse(value, AsnExtendedKeyUsage, PARSE_OPTIONS).map((o) => o);
        out.extendedKeyUsage ??= usages;
        break;
      }
      case id_ce_basicConstraints: {
        const { cA } = AsnConvert.parse(value, AsnBasicConstraints, PARSE_OPTIONS);
        out.ca ??= cA;
        break;
      }
      // Not read here, but the library's classes parse them (and only turn the result into hex).
      case id_ce_subjectKeyIdentifier:
        AsnConvert.parse(value, AsnSubjectKeyIdentifier, PARSE_OPTIONS);
        break;
      case id_ce_authorityKeyIdentifier:
        AsnConvert.parse(value, AsnAuthorityKeyIdentifier, PARSE_OPTIONS);
        break;
      default:
        if (!isUnregisteredExtension(ext.extnID)) ExtensionFactory.create(AsnConvert.serialize(ext), PARSE_OPTIONS);
    }
  }
  for (const ext of list) {
    if (out.byOid.has(ext.extnID)) throw malformed(`The certificate contains extension ${ext.extnID} twice, which X.509 forbids.`);
    out.byOid.set(ext.extnID, ext);
  }
  return out;
}
