// Secrets at rest: AES-256-GCM with the row bound as AAD, key from env or a 0600 key file,
// fail-closed decryption, and rotation (library and `bin/sigscope secrets rotate`) on a temp database.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSigscopeError } from '../errors';
import { openDb, type Db } from '../db/client';
import { currentKey, decryptValue, encryptValue, keyIdOf, type SecretKey } from './index';
import { putSecret, readSecretValues, rotateSecrets } from './store';
import { storedRegistryCredentials } from './registry-credentials';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigscope-secrets-'));
const savedEnv = { dir: process.env.SIGSCOPE_DATA_DIR, key: process.env.SIGSCOPE_SECRET_KEY };
let db: Db;
const dbUrl = `file:${path.join(tmp, 'secrets.db')}`;

function key(): SecretKey {
  const k = randomBytes(32);
  return { id: keyIdOf(k), key: k, source: 'env' };
}

function expectSecretError(fn: () => unknown, pattern: RegExp) {
  try {
    fn();
  } catch (e) {
    expect(isSigscopeError(e) && e.code === 'SECRET').toBe(true);
    expect((e as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a SECRET error');
}

beforeAll(async () => {
  process.env.SIGSCOPE_DATA_DIR = tmp;
  delete process.env.SIGSCOPE_SECRET_KEY;
  db = await openDb(dbUrl);
});

afterAll(async () => {
  await db.$disconnect();
  process.env.SIGSCOPE_DATA_DIR = savedEnv.dir;
  if (savedEnv.key === undefined) delete process.env.SIGSCOPE_SECRET_KEY;
  else process.env.SIGSCOPE_SECRET_KEY = savedEnv.key;
  rmSync(tmp, { recursive: true, force: true });
});

describe('AES-256-GCM values', () => {
  it('gives a different ciphertext on every write and decrypts back', () => {
    const k = key();
    const a = encryptValue(k, 'registry-credential', 'ghcr.io', 'p@ss');
    const b = encryptValue(k, 'registry-credential', 'ghcr.io', 'p@ss');
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.keyId).toBe(k.id);
    expect(decryptValue(k, { kind: 'registry-credential', name: 'ghcr.io', ...a })).toBe('p@ss');
    expect(decryptValue(k, { kind: 'registry-credential', name: 'ghcr.io', ...b })).toBe('p@ss');
  });

  it('fails closed with the wrong key, a moved row, or an altered ciphertext', () => {
    const k = key();
    const enc = encryptValue(k, 'registry-credential', 'ghcr.io', 'p@ss');
    const other = key();
    expectSecretError(() => decryptValue(other, { kind: 'registry-credential', name: 'ghcr.io', ...enc }), /encrypted with key/);
    // Same id claimed but different key material (a forged keyId): GCM refuses.
    expectSecretError(() => decryptValue({ ...other, id: k.id }, { kind: 'registry-credential', name: 'ghcr.io', ...enc }), /does not decrypt/);
    expectSecretError(() => decryptValue(k, { kind: 'registry-credential', name: 'evil.example', ...enc }), /does not decrypt/);
    const raw = Buffer.from(enc.ciphertext, 'base64');
    raw[14] = raw[14]! ^ 0xff;
    expectSecretError(() => decryptValue(k, { kind: 'registry-credential', name: 'ghcr.io', keyId: enc.keyId, ciphertext: raw.toString('base64') }), /does not decrypt/);
    expectSecretError(() => decryptValue(k, { kind: 'registry-credential', name: 'ghcr.io', keyId: enc.keyId, ciphertext: 'AAAA' }), /truncated/);
  });
});

describe('the key', () => {
  it('comes from SIGSCOPE_SECRET_KEY when set, and must be 32 bytes of base64', () => {
    const k = randomBytes(32).toString('base64');
    expect(currentKey({ env: { SIGSCOPE_SECRET_KEY: k } })).toMatchObject({ source: 'env', id: keyIdOf(Buffer.from(k, 'base64')) });
    expectSecretError(() => currentKey({ env: { SIGSCOPE_SECRET_KEY: randomBytes(16).toString('base64') } }), /32 random bytes/);
    expectSecretError(() => currentKey({ env: { SIGSCOPE_SECRET_KEY: 'not base64 at all!' } }), /32 random bytes/);
  });

  it('is otherwise a key file created with mode 0600 in the data directory, refused when others can read it', () => {
    const file = path.join(tmp, 'secret.key');
    expect(currentKey({ create: false, env: {} })).toBeNull();
    const created = currentKey({ env: {} })!;
    expect(created.source).toBe('file');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(currentKey({ env: {} })!.id).toBe(created.id);
    chmodSync(file, 0o644);
    expectSecretError(() => currentKey({ env: {} }), /readable by other users/);
    chmodSync(file, 0o600);
  });
});

describe('stored secrets', () => {
  it('rotation re-encrypts every row under the new key and keeps every value', async () => {
    await putSecret(db, { kind: 'registry-credential', name: 'ghcr.io', publicPart: 'robot', value: 'first-secret' });
    await putSecret(db, { kind: 'registry-credential', name: '127.0.0.1:5000', publicPart: 'ci', value: 'second-secret' });
    const before = await db.secret.findMany({ orderBy: { name: 'asc' } });
    const current = currentKey()!;
    expect(before.every((r) => r.keyId === current.id)).toBe(true);
    const next = randomBytes(32);
    const result = await rotateSecrets(db, current, next);
    expect(result).toMatchObject({ count: 2, from: current.id, to: keyIdOf(next) });
    const after = await db.secret.findMany({ orderBy: { name: 'asc' } });
    expect(after.map((r) => r.ciphertext)).not.toEqual(before.map((r) => r.ciphertext));
    expect(after.every((r) => r.keyId === keyIdOf(next))).toBe(true);
    // The old key no longer reads them (fail closed) …
    await expect(readSecretValues(db, 'registry-credential')).rejects.toThrow(/encrypted with key/);
    // … the new one does, with the same values.
    process.env.SIGSCOPE_SECRET_KEY = next.toString('base64');
    try {
      expect(await storedRegistryCredentials(db)).toEqual({ 'ghcr.io': { username: 'robot', password: 'first-secret' }, '127.0.0.1:5000': { username: 'ci', password: 'second-secret' } });
    } finally {
      delete process.env.SIGSCOPE_SECRET_KEY;
    }
  });

  it('`sigscope secrets rotate` replaces the key file and keeps values readable', async () => {
    const dir = mkdtempSync(path.join(tmp, 'cli-'));
    const url = `file:${path.join(dir, 'cli.db')}`;
    const env = { ...process.env, NODE_OPTIONS: '', SIGSCOPE_DATA_DIR: dir, DATABASE_URL: url, SIGSCOPE_SECRET_KEY: '' };
    delete (env as Record<string, string | undefined>).SIGSCOPE_SECRET_KEY;
    process.env.SIGSCOPE_DATA_DIR = dir;
    const cliDb = await openDb(url);
    try {
      await putSecret(cliDb, { kind: 'registry-credential', name: 'quay.io', publicPart: 'bot', value: 'quay-secret' });
      const oldKey = readFileSync(path.join(dir, 'secret.key'), 'utf8');
      const bin = path.resolve('bin/sigscope');
      const { stdout } = await promisify(execFile)(bin, ['secrets', 'rotate'], { env });
      expect(stdout).toMatch(/re-encrypted 1 secret/);
      const newKey = readFileSync(path.join(dir, 'secret.key'), 'utf8');
      expect(newKey).not.toBe(oldKey);
      expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
      expect(existsSync(path.join(dir, 'secret.key.next'))).toBe(false);
      expect(await storedRegistryCredentials(cliDb)).toEqual({ 'quay.io': { username: 'bot', password: 'quay-secret' } });
      // From the environment, the new key must be given.
      const failed = await promisify(execFile)(bin, ['secrets', 'rotate'], { env: { ...env, SIGSCOPE_SECRET_KEY: newKey.trim() } }).catch((e: { code: number; stderr: string }) => e);
      expect((failed as { code: number }).code).toBe(2);
      expect((failed as { stderr: string }).stderr).toMatch(/SIGSCOPE_NEW_SECRET_KEY/);
    } finally {
      await cliDb.$disconnect();
      process.env.SIGSCOPE_DATA_DIR = tmp;
    }
  });
});
