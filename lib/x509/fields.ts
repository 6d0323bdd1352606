/**
 * Turns @peculiar/x509 objects into the plain values of DecodedCertificate.
 * Errors thrown here are caught and reworded by decode.ts.
 */
import type { Name as AsnName, SubjectAlternativeName as AsnSubjectAlternativeName, SubjectPublicKeyInfo, GeneralName } from '@peculiar/asn1-x509';
import { ExtendedKeyUsage, KeyUsageFlags, Name, type PublicKey } from './peculiar';
import { countEmbeddedScts, decodeDerTextString, decodeDerUtf8String, decodeUtf8 } from './extension-values';
import { FULCIO_EXTENSION_BY_OID, FULCIO_OTHER_NAME_OID, type FulcioExtensions } from './fulcio-extensions';
import { malformed } from './malformed';
import type { DecodedPublicKey, SubjectAlternativeName } from './types';

export const OID_EMBEDDED_SCTS = '1.3.6.1.4.1.11129.2.4.2';

// Attribute types the library prints as bare OIDs; Fulcio-compatible test CAs use them.
const EXTRA_DN_NAMES = {
  STREET: '2.5.4.9',
  postalCode: '2.5.4.17',
  serialNumber: '2.5.4.5',
  UID: '0.9.2342.19200300.100.1.1',
};

/** A DN as text, straight from the parsed ASN.1 (no re-encoding and re-parsing). */
export function formatName(name: AsnName): string {
  return new Name(name, EXTRA_DN_NAMES).toString();
}

const KEY_USAGE_ORDER = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const satisfies readonly (keyof typeof KeyUsageFlags)[];

export function keyUsageNames(flags: number): string[] {
  return KEY_USAGE_ORDER.filter((name) => (flags & KeyUsageFlags[name]) !== 0);
}

const EKU_NAMES = new Map<string, string>(Object.entries(ExtendedKeyUsage).map(([name, oid]) => [oid, name]));

export function extendedKeyUsageName(oid: string): string {
  return EKU_NAMES.get(oid) ?? oid;
}

const CURVE_BITS: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, 'K-256': 256 };

/** `publicKey` is the library's view of `spki` (the certificate's publicKey). */
export function describePublicKey(publicKey: PublicKey, spki: SubjectPublicKeyInfo): DecodedPublicKey {
  const oid = spki.algorithm.algorithm;
  const alg = publicKey.algorithm as Algorithm & { namedCurve?: string; modulusLength?: number };
  switch (alg.name) {
    case 'ECDSA': {
      const curve = alg.namedCurve ?? 'unknown';
      const bits = CURVE_BITS[curve] ?? Number(/\d{3}/.exec(curve)?.[0] ?? NaN); // brainpoolP256r1 -> 256
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
      // The library echoes the OID back as the name of algorithms it does not know.
      return { algorithm: alg.name, oid };
  }
}

export function subjectAlternativeNames(names: AsnSubjectAlternativeName): SubjectAlternativeName[] {
  // Read from the ASN.1 schema directly: the library's GeneralNames drops otherName
  // entries it has no text form for, and Fulcio's username identity is one of those.
  // Array.from: GeneralNames subclasses Array, and flatMap on it would return that subclass.
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
  if (n.directoryName) return { type: 'directoryName', value: formatName(n.directoryName) };
  if (n.registeredID !== undefined) return { type: 'registeredId', value: n.registeredID };
  return null; // x400Address / ediPartyName: obsolete, never seen in Sigstore.
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

/** Fulcio's values, from every extension's value bytes by OID (in certificate order). */
export function fulcioValues(extensions: Map<string, ArrayBuffer | Uint8Array>, sans: SubjectAlternativeName[]): FulcioExtensions {
  const out: FulcioExtensions = {};
  for (const [oid, bytes] of extensions) {
    const info = FULCIO_EXTENSION_BY_OID.get(oid);
    if (!info || info.encoding === 'san-other-name') continue;
    const value = info.encoding === 'raw-utf8' ? decodeUtf8(new Uint8Array(bytes)) : decodeDerUtf8String(bytes);
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

export function embeddedSctCount(extensions: Map<string, ArrayBuffer | Uint8Array>): number {
  const value = extensions.get(OID_EMBEDDED_SCTS);
  if (!value) return 0;
  const n = countEmbeddedScts(value);
  if (n === null) throw malformed(`The embedded SCT list (extension ${OID_EMBEDDED_SCTS}) is malformed.`);
  return n;
}

export function isoDate(d: Date, field: string): string {
  if (Number.isNaN(d.getTime())) throw malformed(`The certificate's ${field} date is invalid.`);
  return d.toISOString();
}
