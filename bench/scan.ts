/**
 * Scan throughput on a generated organization on the local registry (issue: audit whole
 * organizations). Prints, in one run:
 *   (1) the registry's raw bound: a plain HTTP client doing the three GETs a verifier needs
 *       per image (manifest by tag, .sig manifest, signature layer), no crypto, images/s;
 *       measured before and again after the first scan, which is compared with the mean;
 *   (2) a per-image CLI loop: `skopeo inspect` once per image, as a shell-script audit would;
 *   (3) Sigscope's scan as a user runs it (`bin/sigscope scan`, its start included; verification
 *       and storage included), images/s, peak RSS, ratios;
 *   (4) an incremental rescan of the unchanged corpus;
 *   (5) the same scan with 2 workers on PostgreSQL (when the PostgreSQL helper is present).
 * Size: BENCH_SCAN_REPOS × BENCH_SCAN_TAGS (default 100 × 20 = 2,000 images, keyless and key mixed).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { corpusPolicy, generateCorpus, type CorpusImage } from '../sandbox/corpus';
import { signatureTag } from '../sandbox/push';
import { startSandboxWorld } from '../sandbox/world';
import { allowSandboxHost } from '../sandbox/allow-loopback';
import { cliScanArgs } from './scan-workers';

const exec = promisify(execFile);
const REPOS = Number(process.env.BENCH_SCAN_REPOS ?? 100);
const TAGS = Number(process.env.BENCH_SCAN_TAGS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_SCAN_CONCURRENCY ?? 8);
// BENCH_SCAN_PARTS=raw,scan (say) runs only those parts, for quicker iterations; default all.
const PARTS = new Set((process.env.BENCH_SCAN_PARTS ?? 'raw,skopeo,scan,rescan,workers').split(',').map((p) => p.trim()));

/** CPU time (user + system) a process has used so far, in ms, from /proc (clock ticks of 10 ms). */
function cpuMsOf(pid: number | undefined): number {
  if (!pid) return NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function line(name: string, images: number, ms: number, extra = ''): number {
  const rate = (images / ms) * 1000;
  console.log(`${name.padEnd(52)} ${String(images).padStart(6)} images  ${(ms / 1000).toFixed(1).padStart(7)} s  ${rate.toFixed(1).padStart(8)} images/s${extra ? `  ${extra}` : ''}`);
  return rate;
}

async function rawBound(host: string, corpus: CorpusImage[], label = '(1) raw bound: 3 plain GETs per image (fetch, 16 at once)'): Promise<number> {
  const accept = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json';
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const r = await fetch(url, { headers });
    const body = await r.text();
    if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
    return body;
  };
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < corpus.length) {
        const c = corpus[next++]!;
        const base = `http://${host}/v2/${c.repository}`;
        await get(`${base}/manifests/${c.tag}`, { accept });
        if (c.signing === 'unsigned') continue;
        const sig = JSON.parse(await get(`${base}/manifests/${signatureTag(c.digest)}`, { accept })) as { layers: Array<{ digest: string }> };
        await get(`${base}/blobs/${sig.layers[0]!.digest}`);
      }
    }),
  );
  const ms = performance.now() - t0;
  return line(label, corpus.length, ms);
}

async function skopeoLoop(host: string, corpus: CorpusImage[], sample: number): Promise<number> {
  const picked = corpus.slice(0, sample);
  const t0 = performance.now();
  for (const c of picked) await exec('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${host}/${c.repository}:${c.tag}`]);
  return line(`(2) skopeo inspect loop (sample of ${sample})`, picked.length, performance.now() - t0);
}

interface ScanRun {
  images: number;
  /** The scan itself (its job's start to finish), and the process's whole life. */
  ms: number;
  wallMs: number;
  /** CPU time (user + system) of the whole process, per image: what the scan costs the machine. */
  cpuMsPerImage: number;
  maxRssMb: number;
  reused: number;
  verified: number;
  errors: number;
  status: string;
}

/**
 * One scan as a user runs it: `bin/sigscope scan … --output json` in its own process
 * (startup included in the time), peak RSS measured by GNU time.
 */
function cliScan(spec: Record<string, unknown>, env: Record<string, string>): Promise<ScanRun> {
  // BENCH_SCAN_CPU_PROF=DIR writes a V8 CPU profile of each scan (summarise with bench/profile-summary.ts);
  // BENCH_SCAN_NODE_OPTIONS adds V8 flags to the scan process.
  const nodeOptions = process.env.BENCH_SCAN_NODE_OPTIONS ?? '';
  // --cpu-prof is not allowed in NODE_OPTIONS: profiling runs the bundle the way bin/sigscope does, by hand.
  const prof = process.env.BENCH_SCAN_CPU_PROF;
  const command = prof
    ? [process.execPath, '--cpu-prof', `--cpu-prof-dir=${prof}`, '--conditions=react-server', '--max-semi-space-size=8', '--max-old-space-size=256', '--import', path.resolve('dist/reflect-shim.mjs'), path.resolve('dist/sigscope.mjs')]
    : [path.resolve('bin/sigscope')];
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn('/usr/bin/time', ['-f', 'MAXRSS_KB %M CPU_S %U %S', ...command, ...cliScanArgs(spec)], { env: { ...process.env, ...env, NODE_OPTIONS: nodeOptions }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => {
      const ms = performance.now() - t0;
      const rss = /MAXRSS_KB (\d+) CPU_S ([\d.]+) ([\d.]+)/.exec(err);
      // Exit 1 = some image did not verify, as the corpus intends.
      if ((code !== 0 && code !== 1) || !rss) return reject(new Error(`sigscope scan exited ${code}: ${err.slice(-2000)}`));
      const r = JSON.parse(out) as { status: string; images: { total: number; errors: number }; outcomes: { verified: number }; reused: number; imagesPerSecond: number };
      const cpuMs = (Number(rss[2]) + Number(rss[3])) * 1000;
      resolve({ images: r.images.total, ms: (r.images.total / r.imagesPerSecond) * 1000, wallMs: ms, cpuMsPerImage: cpuMs / Math.max(1, r.images.total), maxRssMb: Math.round(Number(rss[1]) / 1024), reused: r.reused, verified: r.outcomes.verified, errors: r.images.errors, status: r.status });
    });
  });
}

async function main() {
  allowSandboxHost(); // the local registry is on loopback, which the outbound guard refuses unless allowed
  await exec(process.execPath, ['scripts/build-cli.mjs']); // bin/sigscope runs the bundle, as after setup
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-bench-scan-'));
  const world = await startSandboxWorld({ dataDir: path.join(dir, 'sandbox') });
  try {
    const g0 = performance.now();
    const corpus = await generateCorpus(world, {
      prefix: 'bench',
      repos: REPOS,
      tags: TAGS,
      concurrency: 16,
      onProgress: (d, t) => {
        if (d % 500 === 0 || d === t) process.stderr.write(`corpus: ${d}/${t} images pushed and signed\n`);
      },
    });
    const kinds = corpus.reduce<Record<string, number>>((m, c) => ((m[c.signing] = (m[c.signing] ?? 0) + 1), m), {});
    console.log(`corpus: ${corpus.length} images in ${REPOS} repositories (${Object.entries(kinds).map(([k, n]) => `${k} ${n}`).join(', ')}), generated in ${((performance.now() - g0) / 1000).toFixed(0)} s`);
    const host = world.registry.host;

    const registryCpu0 = cpuMsOf(world.registry.pid);
    // Measured again right after the first scan: this machine's speed drifts by ±10 % over a
    // minute, and the scan is compared with the mean of the bound just before and just after it.
    let raw = PARTS.has('raw') ? await rawBound(host, corpus) : NaN;
    if (PARTS.has('raw')) console.log(`    the registry used ${((cpuMsOf(world.registry.pid) - registryCpu0) / corpus.length).toFixed(1)} ms CPU per image (three GETs)`);
    const skopeo = PARTS.has('skopeo') ? await skopeoLoop(host, corpus, Math.min(200, corpus.length)) : NaN;

    const spec = { targets: [`${host}/bench/*`], policy: corpusPolicy(world), trustRoot: world.trustedRootPath, allowHttpRegistries: [host], concurrency: CONCURRENCY, source: 'bench' };
    const env = { DATABASE_URL: `file:${path.join(dir, 'bench.db')}` };
    if (!PARTS.has('scan')) return;
    const registryCpu1 = cpuMsOf(world.registry.pid);
    const first = await cliScan(spec, env);
    const registryPerImage = (cpuMsOf(world.registry.pid) - registryCpu1) / corpus.length;
    if (first.images !== corpus.length) throw new Error(`the scan saw ${first.images} images, not ${corpus.length}: ${JSON.stringify(first)}`);
    const r3 = line(`(3) sigscope scan (CLI), SQLite, concurrency ${CONCURRENCY}`, first.images, first.ms, `peak RSS ${first.maxRssMb} MB · CPU ${first.cpuMsPerImage.toFixed(1)} ms/image · ${(first.wallMs / 1000).toFixed(1)} s with the CLI's start · verified ${first.verified} · errors ${first.errors}`);
    if (PARTS.has('raw')) {
      const after = await rawBound(host, corpus, '(1) raw bound again, right after the scan');
      raw = (raw + after) / 2;
      console.log(`    raw bound, mean of before and after: ${raw.toFixed(1)} images/s`);
    }
    console.log(`    ratio to raw bound ${(r3 / raw).toFixed(2)} (target ≥ 0.50) · to skopeo loop ${(r3 / skopeo).toFixed(1)}× · the registry used ${registryPerImage.toFixed(1)} ms CPU per image meanwhile`);
    if (!PARTS.has('rescan')) return;
    const again = await cliScan(spec, env);
    const r4 = line('(4) incremental rescan, unchanged corpus', again.images, again.ms, `peak RSS ${again.maxRssMb} MB · CPU ${again.cpuMsPerImage.toFixed(1)} ms/image · ${(again.wallMs / 1000).toFixed(1)} s with the CLI's start · reused ${again.reused}`);
    console.log(`    ratio to raw bound ${(r4 / raw).toFixed(2)} (target > 1)`);

    let pg: { startPostgres?: () => Promise<{ url: string; stop(): Promise<void> }> } = {};
    try {
      const helper = '../tests/support/postgres';
      pg = (await import(helper)) as typeof pg;
    } catch {
      pg = {};
    }
    if (!PARTS.has('workers')) return;
    if (pg.startPostgres) {
      const { benchWorkers } = await import('./scan-workers');
      await benchWorkers(pg.startPostgres, spec, raw);
    } else {
      console.log('(5) 2 workers on PostgreSQL: skipped (no PostgreSQL helper in tests/support/postgres.ts)');
    }
  } finally {
    await world.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
