/**
 * Runs the sandbox world as its own process (for Playwright's global setup, which
 * cannot load the ESM parts of lib/ itself): starts it, pushes and signs the
 * scenarios, optionally records runs, writes scenarios.json, prints "READY <json>"
 * and keeps the registry and Sigstore instance up until SIGTERM.
 *
 *   node --conditions=react-server --import tsx sandbox/serve.ts <dataDir> [--seed-runs name,name] [--seed-scans]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { closeDb } from '../lib/db';
import { seedRuns } from './seed-runs';
import { seedOrgScans } from './seed-scans';
import { EXPECTED_IDENTITY, EXPECTED_ISSUER, seedScenarios, startSandboxWorld } from './world';
import { allowSandboxHost } from './allow-loopback';

async function main() {
  const [dataDir, ...args] = process.argv.slice(2);
  const flag = args[0];
  const names = args[1];
  const seedScans = args.includes('--seed-scans');
  if (!dataDir) throw new Error('usage: sandbox/serve.ts <dataDir> [--seed-runs a,b]');
  const sandboxDir = path.join(dataDir, 'sandbox');
  allowSandboxHost(); // seeding runs reaches the loopback registry through the outbound guard
  const world = await startSandboxWorld({ dataDir: sandboxDir });
  const scenarios = await seedScenarios(world);
  const info = { registry: world.registry.host, identity: EXPECTED_IDENTITY, issuer: EXPECTED_ISSUER, publicKeyPem: world.key.publicKeyPem, trustedRootPath: world.trustedRootPath, publicKeyPath: world.key.publicKeyPath, wrongPublicKeyPath: world.wrongKey.publicKeyPath, scenarios };
  writeFileSync(path.join(sandboxDir, 'scenarios.json'), JSON.stringify(info, null, 2));
  // Scans first: the scenario runs stay the newest on the runs list and the home page.
  if (seedScans) await seedOrgScans(world, { sandboxDir, trustRoot: 'sandbox' });
  if (flag === '--seed-runs' && names) {
    const wanted = names.split(',');
    await seedRuns(world, scenarios.filter((s) => wanted.includes(s.name)), { trustRoot: 'sandbox' });
  }
  await closeDb();
  process.stdout.write(`READY ${JSON.stringify({ registry: world.registry.host })}\n`);
  const stop = () => void world.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`sandbox: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
