// Public API of lib/x509. Import X.509 helpers from here, not from @peculiar/x509 directly:
// ./peculiar installs the Reflect shim that library needs before it loads.
export { decodeCertificate } from './decode';
export { certificateDetails, type CertificateDetails, type EmbeddedSct } from './details';
export { splitPemChain, derFromPem, pemFromDer } from './pem';
export {
  FULCIO_EXTENSIONS,
  FULCIO_EXTENSION_BY_OID,
  FULCIO_EXTENSION_BY_KEY,
  FULCIO_OID_ARC,
  FULCIO_OTHER_NAME_OID,
  type FulcioExtensionInfo,
  type FulcioExtensionKey,
  type FulcioExtensions,
  type FulcioValueEncoding,
} from './fulcio-extensions';
export { MAX_CERTIFICATE_DER_BYTES, MAX_CERTIFICATE_PEM_CHARS, MAX_CHAIN_CERTIFICATES } from './limits';
export type { DecodedCertificate, DecodedPublicKey, SubjectAlternativeName, SubjectAlternativeNameType } from './types';
