/**
 * Registry credentials entered in Settings: username (public part) + password or
 * token (encrypted), one per registry host. Used by the registry client for that
 * exact host only; never returned by the API.
 */
import { z } from 'zod';
import type { Db } from '../db/client';
import type { RegistryCredentials } from '../oci/auth';
import { readDockerCredentials } from '../oci/docker-config';
import { deleteSecret, listSecrets, putSecret, readSecretValues } from './store';

const KIND = 'registry-credential';

export const RegistryHostSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'enter the registry host')
  .max(261)
  .regex(/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/, 'a registry host such as ghcr.io or 127.0.0.1:5000 (no scheme, no path)');

export const CredentialInputSchema = z.object({
  host: RegistryHostSchema,
  username: z.string().trim().min(1, 'enter the username').max(256).regex(/^[^\u0000-\u001f\u007f:]+$/, 'printable characters, no ":"'),
  password: z.string().min(1, 'enter the password or token').max(8192).regex(/^[^\u0000-\u001f\u007f]+$/, 'printable characters only'),
});

export interface StoredCredentialInfo {
  host: string;
  username: string;
  updatedAt: Date;
}

export async function listRegistryCredentials(db: Db): Promise<StoredCredentialInfo[]> {
  return (await listSecrets(db, KIND)).map((s) => ({ host: s.name, username: s.publicPart, updatedAt: s.updatedAt }));
}

export async function saveRegistryCredential(db: Db, input: z.infer<typeof CredentialInputSchema>): Promise<StoredCredentialInfo> {
  const s = await putSecret(db, { kind: KIND, name: input.host, publicPart: input.username, value: input.password });
  return { host: s.name, username: s.publicPart, updatedAt: s.updatedAt };
}

export async function deleteRegistryCredential(db: Db, host: string): Promise<boolean> {
  return deleteSecret(db, KIND, host);
}

/** Stored credentials by host (decrypted), for the registry client. */
export async function storedRegistryCredentials(db: Db): Promise<Record<string, RegistryCredentials>> {
  const out: Record<string, RegistryCredentials> = {};
  for (const s of await readSecretValues(db, KIND)) out[s.name] = { username: s.publicPart, password: s.value };
  return out;
}

/** Docker's config file, overridden host by host by credentials stored in Sigscope. */
export async function registryCredentials(db: Db | null): Promise<Record<string, RegistryCredentials>> {
  return { ...readDockerCredentials(), ...(db ? await storedRegistryCredentials(db) : {}) };
}
