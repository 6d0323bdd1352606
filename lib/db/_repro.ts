import { readdirSync } from 'node:fs';
import { openDb } from './client';
import { createRun, finishRun } from './runs';
const runInput = { input: 'x', source: 'cli' as const, policy: {}, policyHash: 'h', trustRootName: 'n', trustRootHash: 'h' };
async function main() {
  const url = process.argv[2]!; const label = process.argv[3]!; const n = Number(process.argv[4]);
  const db = await openDb(url);
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const t = Date.now();
    const r = await createRun(db, { ...runInput, input: `${label}-${i}` });
    await finishRun(db, r.id, { status: 'unsigned', summary: {}, results: [{ verdict: 'failed', checks: [] }] });
    const dt = Date.now() - t;
    if (dt > 200 || i % 50 === 0) console.log(label, i, dt, 'ms fds', readdirSync('/proc/self/fd').length);
  }
  console.log(label, 'done', Date.now() - t0, 'ms fds', readdirSync('/proc/self/fd').length);
  await db.$disconnect();
}
main().catch((e) => { console.error(label(), e.message); process.exit(1); });
function label() { return process.argv[3]; }
