/**
 * The key reports are signed with: the administrator's key stored encrypted in the
 * database (`bin/sigscope secrets set-report-key FILE`), else a PEM file named by
 * SIGSCOPE_REPORT_SIGNING_KEY (kept for setups that manage keys outside Sigscope).
 */
import 'server-only';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { SigscopeError } from '../errors';
import type { Db } from '../db';
import { deleteSecret, listSecrets, putSecret, readSecretValues } from '../secrets/store';
import { loadReportSigningKey, SIGNING_KEY_ENV } from './sign';

export const REPORT_KEY_NAME = 'default';

export async function reportSigningKey(db: Db): Promise<KeyObject | null> {
  const stored = (await readSecretValues(db, 'report-signing-key')).find((s) => s.name === REPORT_KEY_NAME);
  if (stored) return createPrivateKey(stored.value);
  return loadReportSigningKey();
}

export async function reportSigningAvailable(db: Db): Promise<boolean> {
  return Boolean(process.env[SIGNING_KEY_ENV]) || (await listSecrets(db, 'report-signing-key')).some((s) => s.name === REPORT_KEY_NAME);
}

/** Stores a PEM private key encrypted at rest; returns its public key (PEM) to hand to verifiers. */
export async function storeReportSigningKey(db: Db, pem: string): Promise<string> {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (e) {
    throw new SigscopeError('INVALID_INPUT', `not a PEM private key (unencrypted PKCS#8, SEC1 or PKCS#1): ${(e as Error).message}`);
  }
  const publicPem = createPublicKey(key).export({ format: 'pem', type: 'spki' }).toString();
  await putSecret(db, { kind: 'report-signing-key', name: REPORT_KEY_NAME, publicPart: publicPem, value: key.export({ format: 'pem', type: 'pkcs8' }).toString() });
  return publicPem;
}

export function removeReportSigningKey(db: Db): Promise<boolean> {
  return deleteSecret(db, 'report-signing-key', REPORT_KEY_NAME);
}
