/** `bin/sigscope scan` against a generated organization on the sandbox registry. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusPolicy, generateCorpus, CORPUS_ORG_REPO, CORPUS_WORKFLOW, type CorpusImage } from '../../sandbox/corpus';
import { githubWorkflowIdentity, GITHUB_ACTIONS_ISSUER } from '../../sandbox/cosign-sign';
import { startSandboxWorld, type SandboxWorld } from '../../sandbox/world';

const BIN = path.resolve('bin/sigscope');
let world: SandboxWorld;
let corpus: CorpusImage[];
let dir: string;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: `file:${path.join(dir, 'cli.db')}` }, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-scan-cli-'));
  world = await startSandboxWorld({ dataDir: path.join(dir, 'sandbox') });
  corpus = await generateCorpus(world, { prefix: 'team', repos: 2, tags: 3, signingOf: (i) => (i === 4 ? 'unsigned' : i % 2 ? 'key' : 'keyless') });
}, 120_000);
afterAll(async () => {
  await world?.stop();
});

const policyArgs = () => [
  '--certificate-identity', githubWorkflowIdentity(CORPUS_ORG_REPO, CORPUS_WORKFLOW),
  '--certificate-oidc-issuer', GITHUB_ACTIONS_ISSUER,
  '--key', world.key.publicKeyPath,
  '--trusted-root', world.trustedRootPath,
  '--allow-http-registry', world.registry.host,
];

describe('sigscope scan', () => {
  it('scans a prefix, lists what is not verified, and exits 1 because one image is unsigned', async () => {
    expect(corpusPolicy(world).keys).toHaveLength(1);
    const r = await cli(['scan', `${world.registry.host}/team/*`, ...policyArgs(), '--output', 'json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { scanId: string; status: string; images: { total: number }; outcomes: Record<string, number>; notVerified: Array<{ image: string; outcome: string }> };
    expect(out.status).toBe('finished');
    expect(out.images.total).toBe(corpus.length);
    expect(out.outcomes.verified).toBe(corpus.length - 1);
    const unsigned = corpus.find((c) => c.expected === 'unsigned')!;
    expect(out.notVerified).toEqual([expect.objectContaining({ image: `${world.registry.host}/${unsigned.repository}:${unsigned.tag}`, outcome: 'unsigned' })]);
  }, 120_000);

  it('exits 0 when every image in scope verified, and says so in text', async () => {
    const r = await cli(['scan', `${world.registry.host}/team/service-000`, ...policyArgs()]);
    expect(r.stdout).toMatch(/^ALL VERIFIED {2}scan \S+: 3 images in 1 repositories/);
    expect(r.stdout).toMatch(/reused 3 earlier verdicts/); // the first test verified them under the same policy
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/scan: 3\/3 images|^scan /m);
  }, 60_000);

  it('exits 2 for bad usage, storing nothing', async () => {
    expect((await cli(['scan', 'not a target', ...policyArgs()])).code).toBe(2);
    expect((await cli(['scan', ...policyArgs()])).code).toBe(2);
    const r = await cli(['scan', `${world.registry.host}/team/*`, '--semver', '((', ...policyArgs()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a semver range/);
    expect((await cli(['worker'])).stderr).toMatch(/needs a PostgreSQL DATABASE_URL/);
  }, 60_000);
});
