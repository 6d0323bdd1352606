/**
 * Starts the sandbox world (real docker-registry + local Sigstore) in its own process,
 * which pushes and signs the scenarios and records a few runs, then serves the built
 * dashboard against a fresh database in a temp directory. Returns the teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_STATE, AUTH_DIR, E2E_USERS, adminCsrfFile } from './auth-state';

const PORT = Number(process.env.E2E_PORT ?? 3210);

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up within ${timeoutMs} ms`);
}

function startSandbox(dataDir: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; registry: string }> {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'sandbox/serve.ts', dataDir, '--seed-runs', 'keyless-ok,unsigned,wrong-signer,drifting', '--seed-scans'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...env, NODE_OPTIONS: '' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\{.*\})/.exec(out);
      if (m) resolve({ child, registry: (JSON.parse(m[1]!) as { registry: string }).registry });
    });
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code} before it was ready`)));
  });
}

/** Signs the admin in once (storageState for the default project) and creates the auditor and viewer. */
async function signInAndCreateUsers(base: string): Promise<void> {
  const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify(E2E_USERS.admin) });
  if (!res.ok) throw new Error(`admin sign-in failed: ${res.status} ${await res.text()}`);
  const { csrfToken, expiresAt } = (await res.json()) as { csrfToken: string; expiresAt: string };
  const cookies = res.headers.getSetCookie().map((c) => {
    const [pair, ...attrs] = c.split(';').map((p) => p.trim());
    const i = pair!.indexOf('=');
    return {
      name: pair!.slice(0, i),
      value: decodeURIComponent(pair!.slice(i + 1)),
      domain: '127.0.0.1',
      path: '/',
      expires: Math.floor(new Date(expiresAt).getTime() / 1000),
      httpOnly: attrs.includes('HttpOnly'),
      secure: false,
      sameSite: (attrs.find((a) => a.startsWith('SameSite='))?.slice(9) ?? 'Lax') as 'Lax' | 'Strict',
    };
  });
  const cookieHeader = cookies.map((c) => `${c.name}=${encodeURIComponent(c.value)}`).join('; ');
  for (const role of ['auditor', 'viewer'] as const) {
    const created = await fetch(`${base}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base, cookie: cookieHeader, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ ...E2E_USERS[role], role }),
    });
    if (created.status !== 201) throw new Error(`creating the ${role} failed: ${created.status} ${await created.text()}`);
  }
  rmSync(AUTH_DIR, { recursive: true, force: true });
  mkdirSync(AUTH_DIR, { recursive: true });
  writeFileSync(ADMIN_STATE, JSON.stringify({ cookies, origins: [] }, null, 2));
  writeFileSync(adminCsrfFile(), csrfToken);
}

export default async function globalSetup() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-e2e-'));
  process.env.SIGSCOPE_DATA_DIR = dataDir;
  process.env.DATABASE_URL = `file:${path.join(dataDir, 'e2e.db')}`;
  // The sandbox is on loopback, which the outbound guard refuses unless allowed (as an admin would).
  process.env.SIGSCOPE_ALLOW_HOSTS = [process.env.SIGSCOPE_ALLOW_HOSTS, '127.0.0.1'].filter(Boolean).join(',');

  const sandbox = await startSandbox(dataDir, process.env);
  const server = spawn(path.resolve('node_modules/.bin/next'), ['start', '-H', '127.0.0.1', '-p', String(PORT)], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      NEXT_TELEMETRY_DISABLED: '1',
      SIGSCOPE_ALLOW_HTTP_REGISTRIES: sandbox.registry,
      // First start creates this admin (lib/auth/accounts.ts ensureFirstAdmin).
      SIGSCOPE_ADMIN_USER: E2E_USERS.admin.username,
      SIGSCOPE_ADMIN_PASSWORD: E2E_USERS.admin.password,
    },
  });
  await waitFor(`http://127.0.0.1:${PORT}/sign-in`, 60_000);
  await signInAndCreateUsers(`http://127.0.0.1:${PORT}`);

  return async () => {
    server.kill('SIGTERM');
    sandbox.child.kill('SIGTERM');
  };
}
