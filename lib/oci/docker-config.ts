/**
 * Registry credentials from Docker's config file, as cosign and skopeo read them:
 * `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, `auths[registry].auth` =
 * base64("user:password"). Credential helpers (`credsStore`) are not run: Sigscope
 * never executes programs named by a config file.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { SigscopeError } from '../errors';
import type { RegistryCredentials } from './auth';

const MAX_CONFIG_BYTES = 1024 * 1024;

const ConfigSchema = z.object({
  auths: z.record(z.string(), z.object({ auth: z.string().max(8192).optional(), username: z.string().optional(), password: z.string().optional() })).optional(),
});

/** "https://index.docker.io/v1/" → "docker.io"; "ghcr.io" stays. */
function registryKey(key: string): string {
  const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase();
  return host === 'index.docker.io' ? 'docker.io' : host;
}

export function dockerConfigPath(env: Record<string, string | undefined> = process.env): string {
  return path.join(env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker'), 'config.json');
}

export function readDockerCredentials(file = dockerConfigPath()): Record<string, RegistryCredentials> {
  if (!existsSync(file)) return {};
  if (statSync(file).size > MAX_CONFIG_BYTES) throw new SigscopeError('INVALID_INPUT', `Docker config ${file} is larger than 1 MiB`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SigscopeError('INVALID_INPUT', `Docker config ${file} is not JSON: ${(e as Error).message}`);
  }
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) throw new SigscopeError('INVALID_INPUT', `Docker config ${file} has an unexpected "auths" section: ${parsed.error.issues[0]?.message}`);
  const out: Record<string, RegistryCredentials> = {};
  for (const [key, entry] of Object.entries(parsed.data.auths ?? {})) {
    let username = entry.username;
    let password = entry.password;
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i <= 0) throw new SigscopeError('INVALID_INPUT', `Docker config ${file}: the auth for ${key} is not base64 of "user:password"`);
      username = decoded.slice(0, i);
      password = decoded.slice(i + 1);
    }
    if (username && password !== undefined) out[registryKey(key)] = { username, password };
  }
  return out;
}
