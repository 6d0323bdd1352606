/**
 * The sandbox registry and Sigstore instance listen on 127.0.0.1, which the outbound
 * guard (lib/net/outbound.ts) refuses unless an administrator allows it. The demo,
 * the sandbox server and the e2e setup allow it explicitly through SIGSCOPE_ALLOW_HOSTS,
 * exactly as an administrator would for a registry on a private network.
 */
import { ALLOW_HOSTS_ENV } from '../lib/net/outbound';

export const SANDBOX_HOST = '127.0.0.1';

/** Adds 127.0.0.1 to SIGSCOPE_ALLOW_HOSTS in `env` (default process.env); returns the new value. */
export function allowSandboxHost(env: NodeJS.ProcessEnv = process.env): string {
  const current = (env[ALLOW_HOSTS_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!current.includes(SANDBOX_HOST)) current.push(SANDBOX_HOST);
  env[ALLOW_HOSTS_ENV] = current.join(',');
  return env[ALLOW_HOSTS_ENV];
}
