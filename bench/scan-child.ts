/**
 * One scan in a fresh process, so its peak RSS is its own: prints
 * `RESULT {"images":…,"ms":…,"maxRssMb":…,"reused":…}`. Used by bench/scan.ts.
 *   node --conditions=react-server --import tsx bench/scan-child.ts SPEC_JSON
 */
import { performance } from 'node:perf_hooks';
import { closeDb, getDb } from '../lib/db';
import { createScanJob, type CreateScanRequest } from '../lib/audit/scan/create';
import { runScan } from '../lib/audit/scan/runner';

async function main() {
  const request = JSON.parse(process.argv[2]!) as CreateScanRequest;
  const db = await getDb();
  const baselineRssMb = Math.round(process.memoryUsage().rss / 1048576);
  const t0 = performance.now();
  const { id } = await createScanJob(db, request);
  const p = await runScan(db, id);
  const ms = performance.now() - t0;
  await closeDb();
  process.stdout.write(`RESULT ${JSON.stringify({ scanId: id, status: p.status, images: p.images.total, errors: p.images.errors, expansionErrors: p.expansions.errors, verified: p.outcomes.verified, reused: p.reused, ms: Math.round(ms), maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), baselineRssMb, memory: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1048576)])) })}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
