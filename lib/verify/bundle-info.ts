/**
 * What a Sigstore bundle found on an image is, before verification: an image signature
 * (a message signature, or a DSSE statement with cosign's signing predicate) or an
 * attestation (any other in-toto predicate), with its certificate and signature for
 * display. Nothing here is trusted; verifySigstoreBundle decides.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import { parseStatement, type InTotoStatement } from '../attest/statement';
import { pemFromDer } from '../x509';

export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

export interface BundleInfo {
  role: 'signature' | 'attestation';
  signatureB64: string;
  certificatePem?: string;
  statement?: InTotoStatement;
  /** Why the bundle could not be read, when it could not (verification will fail too). */
  problem?: string;
}

export function describeBundle(bytes: Buffer): BundleInfo {
  let bundle;
  try {
    bundle = bundleFromJSON(JSON.parse(bytes.toString('utf8')));
  } catch (e) {
    return { role: 'signature', signatureB64: '', problem: (e as Error).message };
  }
  const vm = bundle.verificationMaterial.content;
  const der = vm.$case === 'certificate' ? vm.certificate.rawBytes : vm.$case === 'x509CertificateChain' ? vm.x509CertificateChain.certificates[0]?.rawBytes : undefined;
  const certificatePem = der ? pemFromDer(der) : undefined;
  if (bundle.content.$case === 'messageSignature') {
    return { role: 'signature', signatureB64: bundle.content.messageSignature.signature.toString('base64'), ...(certificatePem ? { certificatePem } : {}) };
  }
  const env = bundle.content.dsseEnvelope;
  const signatureB64 = env.signatures[0]?.sig.toString('base64') ?? '';
  let statement: InTotoStatement | undefined;
  try {
    statement = parseStatement(env.payloadType, env.payload);
  } catch (e) {
    return { role: 'attestation', signatureB64, ...(certificatePem ? { certificatePem } : {}), problem: (e as Error).message };
  }
  return { role: statement.predicateType === COSIGN_SIGN_PREDICATE ? 'signature' : 'attestation', signatureB64, statement, ...(certificatePem ? { certificatePem } : {}) };
}
