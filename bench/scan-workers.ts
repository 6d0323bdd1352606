/** (5) of bench/scan.ts: the same scan on PostgreSQL, queued, processed by 2 `sigscope worker` processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export async function benchWorkers(startPostgres: () => Promise<{ url: string; stop(): Promise<void> }>, spec: Record<string, unknown>, raw: number): Promise<void> {
  const pg = await startPostgres();
  const workers: ChildProcess[] = [];
  try {
    const env = { ...process.env, DATABASE_URL: pg.url, NODE_OPTIONS: '' };
    const bin = path.resolve('bin/sigscope');
    const args = [...cliScanArgs(spec), '--detach'];
    // Migrate and create the queue first (not timed), then time from enqueue to the end.
    const started = performance.now();
    const queued = await run(bin, args, env);
    const { scanId } = JSON.parse(queued) as { scanId: string };
    for (let i = 0; i < 2; i++) workers.push(spawn(bin, ['worker', '--concurrency', String(spec.concurrency)], { env, stdio: ['ignore', 'ignore', 'inherit'] }));
    const { Client } = await import('pg');
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    let status = '';
    let images = 0;
    let peak = 0;
    while (!['finished', 'failed', 'cancelled'].includes(status)) {
      await new Promise((r) => setTimeout(r, 250));
      const r = await client.query<{ status: string }>('SELECT status FROM "ScanJob" WHERE id = $1', [scanId]);
      status = r.rows[0]?.status ?? '';
      for (const w of workers) peak = Math.max(peak, rssMb(w.pid));
    }
    const n = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "ScanItem" WHERE "scanId" = $1 AND kind = 'image'`, [scanId]);
    images = Number(n.rows[0]?.n ?? 0);
    await client.end();
    const ms = performance.now() - started;
    const rate = (images / ms) * 1000;
    console.log(`${'(5) 2 workers on PostgreSQL (pg-boss), incl. CLI start'.padEnd(52)} ${String(images).padStart(6)} images  ${(ms / 1000).toFixed(1).padStart(7)} s  ${rate.toFixed(1).padStart(8)} images/s  peak worker RSS ${peak} MB · ${status}`);
    console.log(`    ratio to raw bound ${(rate / raw).toFixed(2)}`);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await pg.stop();
  }
}

/** `sigscope scan` arguments for a bench spec (targets, policy flags, trust root, registry, concurrency). */
export function cliScanArgs(spec: Record<string, unknown>): string[] {
  const args = ['scan', ...(spec.targets as string[]), '--trusted-root', String(spec.trustRoot), '--output', 'json', '--concurrency', String(spec.concurrency)];
  for (const h of spec.allowHttpRegistries as string[]) args.push('--allow-http-registry', h);
  const policy = spec.policy as { identity: string; issuer: string; keys: string[] };
  const keyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'bench-key-')), 'key.pub');
  writeFileSync(keyFile, policy.keys[0]!);
  args.push('--certificate-identity', policy.identity, '--certificate-oidc-issuer', policy.issuer, '--key', keyFile);
  return args;
}

function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${bin} ${args.join(' ')} exited ${code}`))));
  });
}
