/**
 * What the certificate page shows beyond decodeCertificate(): the embedded SCTs one by one,
 * and the key identifiers used to find a certificate's issuer in a trusted root.
 */
import { describeError, isSigscopeError } from '../errors';
import { parseEmbeddedScts, type EmbeddedSct } from './extension-values';
import { decodeCertificate } from './decode';
import { BER_LIMITS } from './limits';
import { malformed } from './malformed';
import { AuthorityKeyIdentifierExtension, SubjectKeyIdentifierExtension, X509Certificate } from './peculiar';
import { derFromPem } from './pem';

const OID_EMBEDDED_SCTS = '1.3.6.1.4.1.11129.2.4.2';

export interface CertificateDetails {
  /** Embedded SCTs in certificate order; [] when the extension is absent. */
  scts: EmbeddedSct[];
  /** Subject key identifier, lowercase hex. */
  subjectKeyId?: string;
  /** Authority key identifier (keyIdentifier form), lowercase hex. */
  authorityKeyId?: string;
}

/**
 * @throws SigscopeError CERTIFICATE_MALFORMED when the input is not one well-formed certificate
 * or its SCT list is malformed (decodeCertificate's rules, which run first).
 */
export function certificateDetails(input: string | Uint8Array): CertificateDetails {
  const decoded = decodeCertificate(input);
  try {
    const cert = new X509Certificate(derFromPem(decoded.pem), { berOptions: BER_LIMITS });
    const sctExt = cert.extensions.find((e) => e.type === OID_EMBEDDED_SCTS);
    const scts = sctExt ? parseEmbeddedScts(sctExt.value) : [];
    if (scts === null) throw malformed(`The embedded SCT list (extension ${OID_EMBEDDED_SCTS}) is malformed.`);
    const ski = cert.getExtension(SubjectKeyIdentifierExtension)?.keyId;
    const aki = cert.getExtension(AuthorityKeyIdentifierExtension)?.keyId;
    return {
      scts,
      ...(ski ? { subjectKeyId: ski.toLowerCase() } : {}),
      ...(aki ? { authorityKeyId: aki.toLowerCase() } : {}),
    };
  } catch (e) {
    if (isSigscopeError(e)) throw e;
    throw malformed(`The certificate's extensions could not be read (${describeError(e)}).`, e);
  }
}

export type { EmbeddedSct };
