/**
 * Records one verification run per sandbox scenario, with the policy a user would
 * give for it (the release workflow's identity, or the cosign public key), so a
 * fresh dashboard opens on real verdicts: verified, unsigned, wrong signer, tampered…
 */
import { runVerification, type RunOutcome } from '../lib/audit/run-verification';
import { createServer } from 'node:net';
import type { Db } from '../lib/db';
import { DRIFTING, EXPECTED_IDENTITY, EXPECTED_ISSUER, retag, type SandboxWorld, type Scenario } from './world';

export function policyFor(world: Pick<SandboxWorld, 'key'>, scenario: Pick<Scenario, 'name'>): Record<string, unknown> {
  if (scenario.name === DRIFTING) return { identity: EXPECTED_IDENTITY, issuer: EXPECTED_ISSUER, keys: [world.key.publicKeyPem] };
  return scenario.name === 'keyed' ? { keys: [world.key.publicKeyPem] } : { identity: EXPECTED_IDENTITY, issuer: EXPECTED_ISSUER };
}

export async function seedRuns(
  world: SandboxWorld,
  scenarios: Scenario[],
  opts: { trustRoot: string; db?: Db; source?: 'demo' | 'cli' | 'web' },
): Promise<RunOutcome[]> {
  const out: RunOutcome[] = [];
  for (const s of scenarios) {
    if (s.history) {
      out.push(...(await seedHistory(world, s, opts)));
      continue;
    }
    out.push(
      await runVerification({
        reference: s.reference,
        policy: policyFor(world, s),
        trustRoot: opts.trustRoot,
        allowHttpRegistries: [world.registry.host],
        source: opts.source ?? 'demo',
        db: opts.db,
      }),
    );
  }
  // An error state worth seeing: a registry that does not answer (a port nothing listens on).
  const closed = await closedPort();
  out.push(
    await runVerification({
      reference: `127.0.0.1:${closed}/demo/offline:1.0`,
      policy: { identity: EXPECTED_IDENTITY, issuer: EXPECTED_ISSUER },
      trustRoot: opts.trustRoot,
      allowHttpRegistries: [`127.0.0.1:${closed}`],
      source: opts.source ?? 'demo',
      db: opts.db,
    }),
  );
  return out;
}

/**
 * A scenario's history in order: point the tag at the step's digest in the registry, then
 * verify `<repository>:<tag>`, so tag observations (and moves) are recorded over time.
 */
async function seedHistory(world: SandboxWorld, s: Scenario, opts: { trustRoot: string; db?: Db; source?: 'demo' | 'cli' | 'web' }): Promise<RunOutcome[]> {
  const base = s.reference.slice(0, s.reference.lastIndexOf(':'));
  const repository = base.slice(world.registry.host.length + 1);
  const out: RunOutcome[] = [];
  for (const step of s.history ?? []) {
    await retag(world, repository, step.tag, step.digest);
    out.push(
      await runVerification({
        reference: `${base}:${step.tag}`,
        policy: policyFor(world, s),
        trustRoot: opts.trustRoot,
        allowHttpRegistries: [world.registry.host],
        source: opts.source ?? 'demo',
        db: opts.db,
      }),
    );
  }
  return out;
}

/** A loopback port that was free a moment ago and that nothing listens on now. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
