/**
 * cosign's password-protected private key file ("cosign generate-key-pair").
 *
 * PEM block `ENCRYPTED SIGSTORE PRIVATE KEY` (older cosign: `ENCRYPTED COSIGN
 * PRIVATE KEY`) around JSON:
 *   {kdf: {name: "scrypt", params: {N, r, p}, salt}, cipher: {name: "nacl/secretbox", nonce}, ciphertext}
 * where the secretbox key is scrypt(password, salt, N, r, p, 32 bytes) and the
 * plaintext is the PKCS#8 DER private key. Byte fields are standard base64 (Go's
 * encoding of []byte).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, scryptSync, type KeyObject } from 'node:crypto';
import nacl from 'tweetnacl';

export const COSIGN_PRIVATE_KEY_PEM_TYPE = 'ENCRYPTED SIGSTORE PRIVATE KEY';
const LEGACY_PEM_TYPE = 'ENCRYPTED COSIGN PRIVATE KEY';
// cosign's defaults (go-securesystemslib "encrypted", scrypt "standard" cost).
const SCRYPT = { N: 32768, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 32;
// 128 * N * r = 32 MiB, exactly Node's default maxmem, which scrypt rejects: allow more.
const SCRYPT_MAXMEM = 64 * 1024 * 1024;

interface EncryptedKeyJSON {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

export interface CosignKeyPair {
  /** `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----` (cosign.key). */
  privateKeyPem: string;
  /** `-----BEGIN PUBLIC KEY-----` SPKI (cosign.pub). */
  publicKeyPem: string;
}

/** Like `cosign generate-key-pair`: an ECDSA P-256 key, encrypted with `password`. */
export function generateCosignKeyPair(password: string): CosignKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKeyPem: encryptCosignPrivateKey(privateKey, password),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** Wraps any private key (EC, Ed25519, RSA) in cosign's encrypted format. */
export function encryptCosignPrivateKey(privateKey: KeyObject, password: string): string {
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(nacl.secretbox.nonceLength);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const ciphertext = nacl.secretbox(new Uint8Array(der), new Uint8Array(nonce), deriveKey(password, salt, SCRYPT));
  const doc: EncryptedKeyJSON = {
    kdf: { name: 'scrypt', params: { ...SCRYPT }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(ciphertext).toString('base64'),
  };
  return toPem(COSIGN_PRIVATE_KEY_PEM_TYPE, Buffer.from(JSON.stringify(doc)));
}

/** Decrypts a cosign.key. Throws a plain Error naming the problem (wrong password, not a cosign key, ...). */
export function readCosignPrivateKey(pem: string, password: string): KeyObject {
  const doc = parseEncryptedKey(pem);
  const params = doc.kdf.params;
  const key = deriveKey(password, Buffer.from(doc.kdf.salt, 'base64'), params);
  const plain = nacl.secretbox.open(
    new Uint8Array(Buffer.from(doc.ciphertext, 'base64')),
    new Uint8Array(Buffer.from(doc.cipher.nonce, 'base64')),
    key,
  );
  if (!plain) throw new Error('cannot decrypt cosign private key: wrong password (or the key file is corrupted)');
  return createPrivateKey({ key: Buffer.from(plain), format: 'der', type: 'pkcs8' });
}

/** The public half of a decrypted key, as cosign.pub. */
export function publicKeyPemOf(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
}

function parseEncryptedKey(pem: string): EncryptedKeyJSON {
  const m = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m || (m[1] !== COSIGN_PRIVATE_KEY_PEM_TYPE && m[1] !== LEGACY_PEM_TYPE)) {
    throw new Error(`not a cosign private key: expected a "-----BEGIN ${COSIGN_PRIVATE_KEY_PEM_TYPE}-----" block`);
  }
  let doc: EncryptedKeyJSON;
  try {
    doc = JSON.parse(Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64').toString('utf8')) as EncryptedKeyJSON;
  } catch {
    throw new Error('not a cosign private key: the PEM body is not base64 JSON');
  }
  if (doc?.kdf?.name !== 'scrypt' || doc.cipher?.name !== 'nacl/secretbox' || typeof doc.ciphertext !== 'string') {
    throw new Error(`unsupported cosign key encryption: kdf ${String(doc?.kdf?.name)}, cipher ${String(doc?.cipher?.name)}`);
  }
  const { N, r, p } = doc.kdf.params ?? {};
  if (![N, r, p].every((v) => Number.isInteger(v) && (v as number) > 0) || (N as number) > 1 << 20) {
    throw new Error('unsupported cosign key encryption: bad scrypt parameters');
  }
  return doc;
}

function deriveKey(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Uint8Array {
  const maxmem = Math.max(SCRYPT_MAXMEM, 256 * params.N * params.r);
  return new Uint8Array(scryptSync(Buffer.from(password, 'utf8'), salt, KEY_BYTES, { ...params, maxmem }));
}

function toPem(type: string, body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}
