/**
 * Checks a signature made over an already computed digest (a bundle verified from the
 * artifact's sha256 only, without its bytes). Node's crypto hashes the message itself
 * and has no prehashed ECDSA verify, so ECDSA goes to @noble/curves (audited) with
 * `prehash: false`; RSA PKCS#1 v1.5 uses node:crypto's publicDecrypt and compares the
 * DigestInfo. Ed25519 and anything else signs the whole message and needs the bytes.
 */
import { constants, publicDecrypt, type KeyObject } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';

export class UnsupportedDigestVerification extends Error {}

// DER prefix of DigestInfo { AlgorithmIdentifier, OCTET STRING } for each hash (RFC 8017 §9.2, note 1).
const DIGEST_INFO_PREFIX: Record<'sha256' | 'sha384' | 'sha512', string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

export function verifyPrehashed(key: KeyObject, digest: Buffer, alg: 'sha256' | 'sha384' | 'sha512', signature: Buffer): boolean {
  if (key.asymmetricKeyType === 'ec') {
    const crv = key.asymmetricKeyDetails?.namedCurve;
    const curve = crv === 'prime256v1' ? p256 : crv === 'secp384r1' ? p384 : undefined;
    if (!curve) throw new UnsupportedDigestVerification(`an ECDSA ${crv} signature cannot be checked from a digest; give the artifact bytes`);
    const jwk = key.export({ format: 'jwk' });
    if (!jwk.x || !jwk.y) return false;
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
    try {
      // lowS false: OpenSSL (and so cosign) does not normalise s.
      return curve.verify(signature, digest, point, { prehash: false, format: 'der', lowS: false });
    } catch {
      return false;
    }
  }
  if (key.asymmetricKeyType === 'rsa') {
    let recovered: Buffer;
    try {
      recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    } catch {
      return false;
    }
    return recovered.equals(Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[alg], 'hex'), digest]));
  }
  throw new UnsupportedDigestVerification(`a ${key.asymmetricKeyType} signature covers the whole artifact, not its digest; give the artifact bytes`);
}
