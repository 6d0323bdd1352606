import type { FulcioExtensions } from './fulcio-extensions';

export type SubjectAlternativeNameType =
  | 'uri'
  | 'email'
  | 'dns'
  | 'ip'
  | 'otherName'
  // Never issued by Fulcio, but kept rather than silently dropped.
  | 'directoryName'
  | 'registeredId';

export interface SubjectAlternativeName {
  type: SubjectAlternativeNameType;
  /** The name as text. An otherName whose value is not a string type is `#` + DER hex. */
  value: string;
  /** otherName only: its type-id OID (1.3.6.1.4.1.57264.1.7 for Fulcio usernames). */
  typeId?: string;
}

export interface DecodedPublicKey {
  /** 'ECDSA', 'RSA', 'Ed25519', 'Ed448', or the SPKI algorithm OID when unrecognised. */
  algorithm: string;
  /** The SubjectPublicKeyInfo algorithm OID, e.g. 1.2.840.10045.2.1 for EC keys. */
  oid: string;
  /** EC keys: 'P-256', 'P-384', 'P-521', 'K-256', … */
  curve?: string;
  /** Key size in bits (RSA modulus length, EC field size). */
  size?: number;
}

/** A certificate reduced to plain JSON: safe to store, send to the UI, or snapshot. */
export interface DecodedCertificate {
  /** Lowercase hex, without the DER sign-padding byte (matches `openssl x509 -serial`). */
  serialNumber: string;
  /** The DN as "O=…, CN=…", in certificate order; "" for Fulcio leaves, whose subject is empty. */
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER encoding, lowercase hex without separators. */
  fingerprintSha256: string;
  publicKey: DecodedPublicKey;
  subjectAlternativeNames: SubjectAlternativeName[];
  /** RFC 5280 names in bit order: digitalSignature, nonRepudiation, …, keyCertSign, cRLSign, … */
  keyUsage: string[];
  /** Known purposes by name (codeSigning, timeStamping, …); others as dotted OIDs. */
  extendedKeyUsage: string[];
  isCA: boolean;
  /** SCTs embedded in extension 1.3.6.1.4.1.11129.2.4.2; 0 when absent. */
  sctCount: number;
  /** Fulcio extension values by key, only those present. `otherName` comes from the SAN. */
  fulcio: FulcioExtensions;
  /** The OIDC issuer: Fulcio .1.8 when present, else the deprecated .1.1. Absent for non-Fulcio certificates. */
  oidcIssuer?: string;
  /** The first URI, email or otherName SAN: the signer's identity. Absent when there is none. */
  identity?: string;
  /** Canonical PEM of the certificate. */
  pem: string;
}

/** What both ways of reading a certificate (lib/x509/decode.ts) give, before the values derived from them. */
export type CertificateFields = Omit<DecodedCertificate, 'fingerprintSha256' | 'oidcIssuer' | 'identity' | 'pem'>;
