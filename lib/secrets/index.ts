/**
 * Secrets at rest: AES-256-GCM through node:crypto.
 *
 * Key: SIGSCOPE_SECRET_KEY (base64 of 32 bytes) when set — the choice for teams,
 * where the key lives in the deployment's secret store and never on the same disk
 * as the database. Otherwise `<data dir>/secret.key` (32 random bytes, base64,
 * mode 0600), created on first use, so a single-user install works without setup;
 * a database copied without that file is unreadable.
 *
 * Each value: a fresh random 96-bit IV, ciphertext and 128-bit tag, stored as
 * base64(iv | ciphertext | tag). The row's kind and name are bound as additional
 * authenticated data, so a ciphertext moved to another row fails to decrypt.
 * `keyId` (first 16 hex of sha256 of the key) names the key a row was written
 * with; a row under another key fails closed with SECRET instead of yielding garbage.
 * Values are never logged and never leave the server through the API.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SigscopeError } from '../errors';
import { dataDir } from '../settings';

export interface SecretKey {
  id: string;
  key: Buffer;
  source: 'env' | 'file';
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

export function parseKey(base64: string, what: string): Buffer {
  const key = Buffer.from(base64.trim(), 'base64');
  if (key.length !== 32 || key.toString('base64') !== base64.trim()) {
    throw new SigscopeError('SECRET', `${what} must be the base64 of exactly 32 random bytes (e.g. \`openssl rand -base64 32\`)`);
  }
  return key;
}

export function keyFilePath(): string {
  return path.join(dataDir(), 'secret.key');
}

/** Writes a key file with 0600 permissions, atomically. */
export function writeKeyFile(file: string, key: Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** The key secrets are written with now. `create: false` never creates a key file. */
export function currentKey(options: { create?: boolean; env?: Record<string, string | undefined> } = {}): SecretKey | null {
  const env = options.env ?? process.env;
  if (env.SIGSCOPE_SECRET_KEY) {
    const key = parseKey(env.SIGSCOPE_SECRET_KEY, 'SIGSCOPE_SECRET_KEY');
    return { id: keyIdOf(key), key, source: 'env' };
  }
  const file = keyFilePath();
  if (!existsSync(file)) {
    if (options.create === false) return null;
    try {
      writeKeyFile(file, randomBytes(32));
    } catch (e) {
      // Another process created it first.
      if (!existsSync(file)) throw new SigscopeError('SECRET', `cannot create the secrets key file ${file}: ${(e as Error).message}`);
    }
  }
  const mode = statSync(file).mode & 0o077;
  if (mode !== 0) throw new SigscopeError('SECRET', `the secrets key file ${file} is readable by other users (mode ${(statSync(file).mode & 0o777).toString(8)}); run \`chmod 600 ${file}\``);
  const key = parseKey(readFileSync(file, 'utf8'), `the secrets key file ${file}`);
  return { id: keyIdOf(key), key, source: 'file' };
}

function aad(kind: string, name: string): Buffer {
  return Buffer.from(`sigscope-secret\u0000${kind}\u0000${name}`, 'utf8');
}

export function encryptValue(key: SecretKey, kind: string, name: string, plaintext: string): { ciphertext: string; keyId: string } {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(aad(kind, name));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return { ciphertext: Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64'), keyId: key.id };
}

export function decryptValue(key: SecretKey, row: { kind: string; name: string; ciphertext: string; keyId: string }): string {
  if (row.keyId !== key.id) {
    throw new SigscopeError('SECRET', `the ${row.kind} secret for ${row.name} was encrypted with key ${row.keyId}, but the configured key is ${key.id}; set SIGSCOPE_SECRET_KEY (or restore ${keyFilePath()}; after an interrupted rotation the key may be in ${keyFilePath()}.next) to the key it was written with`);
  }
  const raw = Buffer.from(row.ciphertext, 'base64');
  if (raw.length < 12 + 16) throw new SigscopeError('SECRET', `the ${row.kind} secret for ${row.name} is truncated`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, raw.subarray(0, 12));
    decipher.setAAD(aad(row.kind, row.name));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    throw new SigscopeError('SECRET', `the ${row.kind} secret for ${row.name} does not decrypt (wrong key or altered ciphertext); it was not used`);
  }
}
