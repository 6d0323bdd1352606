/**
 * `npm run demo`: starts the sandbox signing world (registry + local Sigstore on
 * loopback), pushes and signs the demo images, records a run for each, builds the
 * dashboard if needed and serves it on 127.0.0.1. Ctrl-C stops everything.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { dataDir, PROJECT_ROOT } from '../lib/settings';
import { closeDb, getDb } from '../lib/db';
import { createUser } from '../lib/auth/accounts';
import { startSandboxWorld, seedScenarios, EXPECTED_IDENTITY, EXPECTED_ISSUER } from '../sandbox/world';
import { seedRuns } from '../sandbox/seed-runs';
import { seedOrgScans } from '../sandbox/seed-scans';
import { allowSandboxHost } from '../sandbox/allow-loopback';

const PORT = Number(process.env.PORT ?? 3000);

/** Ready accounts for the demo (also listed in the README). Never use these passwords elsewhere. */
export const DEMO_USERS = [
  { username: 'admin', password: 'demo-admin-password', role: 'admin' },
  { username: 'auditor', password: 'demo-auditor-password', role: 'auditor' },
  { username: 'viewer', password: 'demo-viewer-password', role: 'viewer' },
] as const;

async function ensureDemoUsers(): Promise<void> {
  const db = await getDb();
  for (const u of DEMO_USERS) {
    if (await db.user.findUnique({ where: { username: u.username } })) continue;
    await createUser(db, u);
  }
}
const HOST = process.env.HOST ?? '127.0.0.1';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function needsBuild(): boolean {
  const buildId = path.join(PROJECT_ROOT, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  return ['app', 'components', 'lib'].some((d) => newestMtime(path.join(PROJECT_ROOT, d)) > built);
}

async function main() {
  const sandboxDir = path.join(dataDir(), 'sandbox');
  mkdirSync(sandboxDir, { recursive: true });
  // The sandbox lives on loopback, which Sigscope refuses to reach unless allowed (also for the dashboard below).
  console.log(`demo: allowing the sandbox host for outbound requests (SIGSCOPE_ALLOW_HOSTS=${allowSandboxHost()})`);
  console.log('demo: starting the sandbox (docker-registry + local Fulcio/CT/Rekor on 127.0.0.1)…');
  const world = await startSandboxWorld({ dataDir: sandboxDir });
  const stop = async () => {
    await world.stop();
    await closeDb();
  };
  try {
    const scenarios = await seedScenarios(world);
    writeFileSync(
      path.join(sandboxDir, 'scenarios.json'),
      JSON.stringify({ registry: world.registry.host, identity: EXPECTED_IDENTITY, issuer: EXPECTED_ISSUER, publicKeyPem: world.key.publicKeyPem, scenarios }, null, 2),
    );
    // Scans first, so the scenario runs below are the newest on the runs list and home page.
    console.log('demo: generating the "acme" organization (signed keyless and with a key) and scanning it twice…');
    const scans = await seedOrgScans(world, { sandboxDir, trustRoot: 'sandbox', repos: 12, tags: 6 });
    console.log(`  scans ${scans.join(', ')}`);
    console.log(`demo: pushed and signed ${scenarios.length} images in ${world.registry.host}; recording a run for each…`);
    const outcomes = await seedRuns(world, scenarios, { trustRoot: 'sandbox' });
    for (const o of outcomes) console.log(`  ${o.status.padEnd(16)} ${o.input}`);
    await ensureDemoUsers();
  } catch (e) {
    await stop();
    throw e;
  }

  if (needsBuild()) {
    console.log('demo: building the dashboard (next build)…');
    const r = spawnSync(path.join(PROJECT_ROOT, 'node_modules/.bin/next'), ['build'], { stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
    if (r.status !== 0) {
      await stop();
      throw new Error('next build failed');
    }
  }
  const server = spawn(path.join(PROJECT_ROOT, 'node_modules/.bin/next'), ['start', '-H', HOST, '-p', String(PORT)], {
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', SIGSCOPE_ALLOW_HTTP_REGISTRIES: world.registry.host },
  });
  console.log(`\nSigscope demo: http://${HOST}:${PORT}\n  sign in as ${DEMO_USERS.map((u) => `${u.username} / ${u.password}`).join(', ')}\n  registry ${world.registry.host} (plain HTTP allowed), trusted root "sandbox"\n  identity ${EXPECTED_IDENTITY}\n  issuer   ${EXPECTED_ISSUER}\n  CLI: bin/sigscope verify ${world.registry.host}/demo/keyless-ok:1.0 --allow-http-registry ${world.registry.host} --trusted-root ${path.join(sandboxDir, 'trusted_root.json')} --certificate-identity ${EXPECTED_IDENTITY} --certificate-oidc-issuer ${EXPECTED_ISSUER}\nCtrl-C stops the dashboard and the sandbox.`);
  const shutdown = () => {
    server.kill('SIGTERM');
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  server.on('exit', (code) => {
    void stop().then(() => process.exit(code ?? 0));
  });
}

main().catch((e: unknown) => {
  console.error(`demo: ${(e as Error).message}`);
  process.exit(1);
});
