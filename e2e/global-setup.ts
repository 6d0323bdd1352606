/**
 * Starts the sandbox world (real docker-registry + local Sigstore) in its own process,
 * which pushes and signs the scenarios and records a few runs, then serves the built
 * dashboard against a fresh database in a temp directory. Returns the teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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

export default async function globalSetup() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-e2e-'));
  process.env.SIGSCOPE_DATA_DIR = dataDir;
  process.env.DATABASE_URL = `file:${path.join(dataDir, 'e2e.db')}`;
  // The sandbox is on loopback, which the outbound guard refuses unless allowed (as an admin would).
  process.env.SIGSCOPE_ALLOW_HOSTS = [process.env.SIGSCOPE_ALLOW_HOSTS, '127.0.0.1'].filter(Boolean).join(',');

  const sandbox = await startSandbox(dataDir, process.env);
  const server = spawn(path.resolve('node_modules/.bin/next'), ['start', '-H', '127.0.0.1', '-p', String(PORT)], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '', NEXT_TELEMETRY_DISABLED: '1', SIGSCOPE_ALLOW_HTTP_REGISTRIES: sandbox.registry },
  });
  await waitFor(`http://127.0.0.1:${PORT}/api/runs?limit=1`, 60_000);

  return async () => {
    server.kill('SIGTERM');
    sandbox.child.kill('SIGTERM');
  };
}
