/** Shared setup for integration tests: one sandbox world with every scenario pushed and signed. */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seedScenarios, startSandboxWorld, type SandboxWorld, type Scenario } from '../../sandbox/world';

export interface TestWorld {
  world: SandboxWorld;
  scenarios: Scenario[];
  dir: string;
  ref(name: string): string;
  digest(name: string): string;
}

export async function startTestWorld(): Promise<TestWorld> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-it-'));
  const world = await startSandboxWorld({ dataDir: path.join(dir, 'sandbox') });
  const scenarios = await seedScenarios(world);
  const find = (name: string) => {
    const s = scenarios.find((x) => x.name === name);
    if (!s) throw new Error(`no scenario ${name}`);
    return s;
  };
  return { world, scenarios, dir, ref: (n) => find(n).reference, digest: (n) => find(n).digest };
}
