/**
 * A scanned organization for the demo and the e2e tests: a generated "acme" org on the
 * sandbox registry, scanned twice with a change in between (a tag moved to an unsigned
 * image, a new unsigned tag), so the scans pages and the coverage-over-time chart have
 * real history. Also writes the New scan form's defaults (demo-scan.json).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { getDb, type Db } from '../lib/db';
import { createScanJob } from '../lib/audit/scan/create';
import { runScan } from '../lib/audit/scan/runner';
import { buildImage } from './oci-images';
import { pushImage } from './push';
import { corpusPolicy, generateCorpus, CORPUS_ORG_REPO, CORPUS_WORKFLOW } from './corpus';
import { GITHUB_ACTIONS_ISSUER, githubWorkflowIdentity } from './cosign-sign';
import type { SandboxWorld } from './world';

export const DEMO_ORG = 'acme';

export async function seedOrgScans(world: SandboxWorld, opts: { sandboxDir: string; trustRoot: string; db?: Db; repos?: number; tags?: number }): Promise<string[]> {
  const db = opts.db ?? (await getDb());
  const corpus = await generateCorpus(world, { prefix: DEMO_ORG, repos: opts.repos ?? 8, tags: opts.tags ?? 5, indexEvery: 4 });
  const spec = { targets: [`${world.registry.host}/${DEMO_ORG}/*`], policy: corpusPolicy(world), trustRoot: opts.trustRoot, allowHttpRegistries: [world.registry.host], source: 'demo' as const };
  const first = await createScanJob(db, spec);
  await runScan(db, first.id);
  // Between the scans: someone pushes an unsigned build over a release tag and adds a new tag.
  const victim = corpus.find((c) => c.expected === 'verified')!;
  const repo = { registry: world.registry.host, repository: victim.repository };
  await pushImage(world.client, repo, victim.tag, buildImage({ files: { 'release.txt': `${victim.repository}:${victim.tag} rebuilt without signing\n` } }));
  await pushImage(world.client, repo, 'v9.0.0-hotfix', buildImage({ files: { 'release.txt': 'hotfix, unsigned\n' } }));
  const second = await createScanJob(db, spec);
  await runScan(db, second.id);
  writeFileSync(
    path.join(opts.sandboxDir, 'demo-scan.json'),
    JSON.stringify({ targets: `${world.registry.host}/${DEMO_ORG}/*`, identity: githubWorkflowIdentity(CORPUS_ORG_REPO, CORPUS_WORKFLOW), issuer: GITHUB_ACTIONS_ISSUER, publicKeyPem: world.key.publicKeyPem }, null, 2),
  );
  return [first.id, second.id];
}
