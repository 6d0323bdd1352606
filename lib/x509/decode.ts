/**
 * decodeCertificate(): any X.509 certificate, PEM or DER, to a plain JSON object, with
 * Fulcio's identity extensions decoded. Parsing is @peculiar/x509's; this module decides
 * what to accept, bounds the input, and turns every failure into CERTIFICATE_MALFORMED.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { isSigscopeError, describeError } from '../errors';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsageExtension,
  KeyUsagesExtension,
  X509Certificate,
  type Extension,
} from './peculiar';
import { FULCIO_EXTENSION_BY_OID, FULCIO_OTHER_NAME_OID, type FulcioExtensions } from './fulcio-extensions';
import { countEmbeddedScts, decodeDerUtf8String, decodeUtf8 } from './extension-values';
import { describePublicKey, extendedKeyUsageName, formatName, keyUsageNames, subjectAlternativeNames } from './fields';
import { BER_LIMITS, MAX_CERTIFICATE_DER_BYTES, MAX_CERTIFICATE_PEM_CHARS } from './limits';
import { malformed } from './malformed';
import { derFromPem, pemFromDer } from './pem';
import type { DecodedCertificate, SubjectAlternativeName } from './types';

const OID_SUBJECT_ALT_NAME = '2.5.29.17';
const OID_EMBEDDED_SCTS = '1.3.6.1.4.1.11129.2.4.2';
const PARSE_OPTIONS = { berOptions: BER_LIMITS };

/**
 * Decodes one certificate given as PEM text (exactly one CERTIFICATE block) or as DER
 * bytes. A Uint8Array holding PEM text (a file read without an encoding) also works.
 * @throws SigscopeError CERTIFICATE_MALFORMED for anything that is not one well-formed certificate.
 */
export function decodeCertificate(input: string | Uint8Array): DecodedCertificate {
  const der = toDer(input);
  // Verifying and storing one signature decodes its certificate three times; ASN.1 parsing is slow.
  const key = Buffer.from(der).toString('base64');
  const hit = recentlyDecoded.get(key);
  if (hit) return structuredClone(hit);
  const decoded = decodeCertificateDer(der);
  if (recentlyDecoded.size >= 64) recentlyDecoded.delete(recentlyDecoded.keys().next().value!);
  recentlyDecoded.set(key, decoded);
  return structuredClone(decoded);
}

const recentlyDecoded = new Map<string, DecodedCertificate>();

function decodeCertificateDer(der: Uint8Array<ArrayBuffer>): DecodedCertificate {
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
    // Absent keys rather than `undefined` values, so JSON round-trips exactly.
    ...(oidcIssuer === undefined ? {} : { oidcIssuer }),
    ...(identity === undefined ? {} : { identity }),
    pem: pemFromDer(der),
  };
}

/** The library ignores bytes after the certificate; we refuse them (they would change the fingerprint). */
function assertSingleDerElement(der: Uint8Array): void {
  const { offset, result } = asn1js.fromBER(der, BER_LIMITS);
  if (offset === -1 || result.error) {
    throw malformed(`The certificate is not valid DER (${result.error || 'unreadable'}); it may be truncated or corrupted.`);
  }
  if (offset !== der.length) {
    throw malformed(`The certificate is followed by ${der.length - offset} unexpected bytes; pass exactly one DER certificate.`);
  }
}

/** RFC 5280 §4.2: an extension appears at most once. A second Fulcio issuer would be ambiguous. */
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
