/**
 * A throwaway OCI registry for tests and local demos: Debian's
 * `docker-registry` (Distribution 2.8) on 127.0.0.1, plain HTTP, its own
 * config and storage in a temp directory outside the project tree, deletes
 * enabled. Killed on stop() and, as a safety net, when the process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export const DOCKER_REGISTRY_BIN = '/usr/bin/docker-registry';

export interface StartRegistryOptions {
  /** How long to wait for `GET /v2/` to answer. Default 15000 ms. */
  readyTimeoutMs?: number;
  /** Keep the storage directory after stop() (for debugging). */
  keepData?: boolean;
}

export interface RunningRegistry {
  /** "127.0.0.1:PORT" — pass it to RegistryClient's allowHttp. */
  host: string;
  /** "http://127.0.0.1:PORT" */
  url: string;
  dataDir: string;
  /** The registry process (benchmarks read its CPU time). */
  pid: number | undefined;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous; kill() is.
  process.once('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningRegistry> {
  if (!existsSync(DOCKER_REGISTRY_BIN)) {
    throw new Error(`${DOCKER_REGISTRY_BIN} is missing — install the OCI registry with: apt-get install -y docker-registry`);
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sigscope-registry-'));
  try {
    // Another process can grab the port between probe and bind: try a few.
    let lastError: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return await launch(dataDir, await freePort(), options);
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError;
  } catch (e) {
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
}

async function launch(dataDir: string, port: number, options: StartRegistryOptions): Promise<RunningRegistry> {
  const host = `127.0.0.1:${port}`;
  const configPath = path.join(dataDir, 'config.yml');
  await writeFile(configPath, registryConfig(path.join(dataDir, 'storage'), host));

  const child = spawn(DOCKER_REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  installExitHook();
  let output = '';
  const keepTail = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => running.delete(child));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    if (!options.keepData) await rm(dataDir, { recursive: true, force: true });
  };

  const url = `http://${host}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`docker-registry exited before it was ready (port ${port}):\n${output.trim()}`);
    }
    if (await answers(`${url}/v2/`)) return { host, url, dataDir, pid: child.pid, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await exited;
  throw new Error(`docker-registry did not answer on ${url}/v2/ within ${options.readyTimeoutMs ?? 15_000} ms:\n${output.trim()}`);
}

function registryConfig(storageDir: string, addr: string): string {
  // JSON strings are valid YAML scalars, which keeps odd temp paths safe.
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storageDir)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: ${JSON.stringify(addr)}`,
    // A fixed secret avoids the "generated random secret" warning.
    `  secret: ${JSON.stringify(randomBytes(16).toString('hex'))}`,
    '',
  ].join('\n');
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
