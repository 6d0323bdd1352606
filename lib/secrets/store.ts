/**
 * Encrypted rows in the Secret table. Reading a value is only possible through
 * `readSecretValue` (server code that uses it, e.g. the registry client); listings
 * return the public part and dates only.
 */
import { SigscopeError } from '../errors';
import type { Db } from '../db/client';
import { currentKey, decryptValue, encryptValue, keyIdOf, type SecretKey } from './index';

export type SecretKind = 'registry-credential' | 'report-signing-key';

export interface SecretInfo {
  kind: string;
  name: string;
  publicPart: string;
  keyId: string;
  createdAt: Date;
  updatedAt: Date;
}

const INFO = { kind: true, name: true, publicPart: true, keyId: true, createdAt: true, updatedAt: true } as const;

function requireKey(create: boolean): SecretKey {
  const key = currentKey({ create });
  if (!key) throw new SigscopeError('SECRET', 'no secrets key is configured (SIGSCOPE_SECRET_KEY or the data directory key file)');
  return key;
}

export async function putSecret(db: Db, input: { kind: SecretKind; name: string; publicPart?: string; value: string }): Promise<SecretInfo> {
  const enc = encryptValue(requireKey(true), input.kind, input.name, input.value);
  return db.secret.upsert({
    where: { kind_name: { kind: input.kind, name: input.name } },
    create: { kind: input.kind, name: input.name, publicPart: input.publicPart ?? '', ...enc },
    update: { publicPart: input.publicPart ?? '', ...enc },
    select: INFO,
  });
}

export async function listSecrets(db: Db, kind: SecretKind): Promise<SecretInfo[]> {
  return db.secret.findMany({ where: { kind }, select: INFO, orderBy: { name: 'asc' } });
}

export async function deleteSecret(db: Db, kind: SecretKind, name: string): Promise<boolean> {
  return (await db.secret.deleteMany({ where: { kind, name } })).count > 0;
}

/** Every secret of a kind, decrypted; fails closed (SECRET) if any does not decrypt. */
export async function readSecretValues(db: Db, kind: SecretKind): Promise<Array<SecretInfo & { value: string }>> {
  const rows = await db.secret.findMany({ where: { kind } });
  if (rows.length === 0) return [];
  const key = requireKey(false);
  return rows.map((r) => ({ kind: r.kind, name: r.name, publicPart: r.publicPart, keyId: r.keyId, createdAt: r.createdAt, updatedAt: r.updatedAt, value: decryptValue(key, r) }));
}

/**
 * Re-encrypts every secret under `next`, in one transaction: either all rows move
 * to the new key or none do. Rows must all decrypt under `current` first.
 */
export async function rotateSecrets(db: Db, current: SecretKey, next: Buffer): Promise<{ count: number; from: string; to: string }> {
  const nextKey: SecretKey = { id: keyIdOf(next), key: next, source: current.source };
  if (nextKey.id === current.id) throw new SigscopeError('INVALID_INPUT', 'the new key is the same as the current one');
  const rows = await db.secret.findMany();
  const updates = rows.map((r) => ({ id: r.id, ...encryptValue(nextKey, r.kind, r.name, decryptValue(current, r)) }));
  await db.$transaction(updates.map((u) => db.secret.update({ where: { id: u.id }, data: { ciphertext: u.ciphertext, keyId: u.keyId } })));
  return { count: rows.length, from: current.id, to: nextKey.id };
}
