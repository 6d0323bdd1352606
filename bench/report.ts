/**
 * Report exports over a generated history: seeds a temp SQLite database with N images (default
 * 10 000; `-- 20000` for another size), each with a run, a certificate and a signature (an
 * attestation on every third), then streams the CSV, JSON and evidence exports of the whole
 * organization into a digest (nothing kept), printing time, bytes and the peak RSS / heap
 * growth seen while each export ran (sampled every 10 ms), and the full store-in-database path
 * for CSV. Seeding runs in this process; the exports run in a fresh child process so its peak
 * RSS is the exports' own. Run: node --conditions=react-server --import tsx bench/report.ts [N]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDb } from '../lib/db/client';
import { generateReport, reportStream } from '../lib/report/generate';
import { parseScopeArg } from '../lib/report/scope';
import { selectRuns } from '../lib/report/select';
import { GEN_ORG, GEN_REGISTRY, seedGeneratedHistory } from '../tests/support/report-data';

const N = Number(process.argv[2] ?? 10_000);
const MiB = 1024 * 1024;

function sampler() {
  const base = process.memoryUsage();
  let rss = base.rss;
  let heap = base.heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      const m = process.memoryUsage();
      return { baseRss: base.rss, peakRss: Math.max(rss, m.rss), heapGrowth: Math.max(heap, m.heapUsed) - base.heapUsed };
    },
  };
}

async function exports(url: string) {
  const db = await openDb(url);
  try {
    const scope = parseScopeArg(`organization=${GEN_REGISTRY}/${GEN_ORG}`);
    for (const format of ['csv', 'json', 'evidence'] as const) {
      const s = sampler();
      const t = performance.now();
      const selection = await selectRuns(db, scope);
      const { stream } = await reportStream(db, selection, format, { generatedAt: new Date('2026-01-01T00:00:00Z') });
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of stream) {
        bytes += chunk.length;
        hash.update(chunk);
      }
      const ms = performance.now() - t;
      const m = s.stop();
      console.log(
        `report bench: ${format.padEnd(8)} ${selection.runs.length} rows  ${(ms / 1000).toFixed(2)} s  ${(bytes / MiB).toFixed(1)} MiB  peak RSS ${(m.peakRss / MiB).toFixed(0)} MiB (+${((m.peakRss - m.baseRss) / MiB).toFixed(0)} MiB over ${(m.baseRss / MiB).toFixed(0)} MiB before)  heap +${(m.heapGrowth / MiB).toFixed(0)} MiB`,
      );
    }
    const s = sampler();
    const t = performance.now();
    const stored = await generateReport(db, { scope, format: 'csv', generatedAt: new Date('2026-01-01T00:00:00Z') });
    const m = s.stop();
    console.log(`report bench: stored csv ${stored.summary.total} rows  ${((performance.now() - t) / 1000).toFixed(2)} s  ${(stored.size / MiB).toFixed(1)} MiB  peak RSS ${(m.peakRss / MiB).toFixed(0)} MiB (+${((m.peakRss - m.baseRss) / MiB).toFixed(0)} MiB)`);
    console.log(`report bench: export process peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (all exports above, one process)`);
  } finally {
    await db.$disconnect();
  }
}

async function main() {
  if (process.argv[2] === '--export') return exports(process.argv[3]!);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-bench-report-'));
  const url = `file:${path.join(dir, 'bench.db')}`;
  try {
    const db = await openDb(url);
    const t = performance.now();
    await seedGeneratedHistory(db, N);
    await db.$disconnect();
    console.log(`report bench: seeded ${N} images in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--export', url], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error(`the export process exited with ${child.status}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
