/**
 * `bin/sigscope policy check|import` and `verify --policy` against the sandbox: a real registry
 * and a real local Sigstore. Exit codes: 0 every image passes, 1 one does not, 2 bad input.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database';
import { EXPECTED_IDENTITY, EXPECTED_ISSUER, ORG_REPO } from '../../sandbox/world';
import { signKeyless, simpleSigningPayload } from '../../sandbox/cosign-sign';
import { buildImage } from '../../sandbox/oci-images';
import { pushCosignSignatures, pushImage } from '../../sandbox/push';
import { closeDb, openDb, type Db } from '../../lib/db/client';
import { getPolicy } from '../../lib/db/policies';
import { getRun } from '../../lib/db/runs';
import { PROJECT_ROOT } from '../support/fixtures';
import { startTestWorld, type TestWorld } from '../support/world';

const run = promisify(execFile);
let t: TestWorld;
let dbUrl: string;
let tagSigned: string;

interface Outcome {
  policy: string;
  mode: string;
  verdict: string;
  satisfiedBy: string | null;
  authorities: Array<{ name: string; kind: string; satisfied: boolean; status: string; signers: Array<{ status: string; summary: string }> }>;
}
interface CheckJson {
  passed: boolean;
  images: Array<{ image: string; verdict: string; status: string; matchedPolicies: string[]; policies: Outcome[]; errorCode?: string; errorMessage?: string }>;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(path.join(PROJECT_ROOT, 'bin/sigscope'), args, { env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: dbUrl } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const sandbox = () => ['--trusted-root', t.world.trustedRootPath, '--allow-http-registry', t.world.registry.host];

async function check(file: string, images: string[]): Promise<{ code: number; json: CheckJson; stderr: string }> {
  const r = await cli(['policy', 'check', file, ...images, ...sandbox(), '--output', 'json']);
  return { code: r.code, json: JSON.parse(r.stdout) as CheckJson, stderr: r.stderr };
}

function policyFile(name: string, body: string): string {
  const file = path.join(t.dir, name);
  writeFileSync(file, body);
  return file;
}

const indent = (text: string, n: number) => text.trim().split('\n').map((l) => `${' '.repeat(n)}${l}`).join('\n');

/** The release workflow on main, exact identity, plus GitHub claims. */
const releaseOnMain = (mode = 'enforce', ref = 'refs/heads/main') => `apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: release-on-main
spec:
  mode: ${mode}
  images:
    - glob: "${t.world.registry.host}/demo/*"
  authorities:
    - name: release-workflow
      keyless:
        identities:
          - issuer: ${EXPECTED_ISSUER}
            subjectRegExp: https://github\\.com/acme/widget/\\.github/workflows/release\\.yml@.*
            github:
              repository: ${ORG_REPO}
              ref: ${ref}
              trigger: push
`;

beforeAll(async () => {
  t = await startTestWorld();
  dbUrl = await testDatabaseUrl(path.join(t.dir, 'policy-cli.db'));
  // An image signed by the release workflow on a tag, for the ref glob.
  const repo = { registry: t.world.registry.host, repository: 'demo/tagged-release' };
  const digest = await pushImage(t.world.client, repo, '1.0', buildImage({ files: { 'hello.txt': 'tagged\n' } }));
  const ref = `${repo.registry}/${repo.repository}`;
  await pushCosignSignatures(t.world.client, repo, digest, [
    await signKeyless(simpleSigningPayload(ref, digest), t.world.sigstore, { repository: ORG_REPO, workflowRef: '.github/workflows/release.yml@refs/tags/v1.2.0', trigger: 'push' }),
  ]);
  tagSigned = `${ref}:1.0`;
});

afterAll(async () => {
  await closeDb();
  await t?.world.stop();
});

describe('sigscope policy check', () => {
  it('the release workflow on refs/heads/main passes keyless-ok and fails wrong-signer (exit 1)', async () => {
    const file = policyFile('main.yaml', releaseOnMain());
    const r = await check(file, [t.ref('keyless-ok'), t.ref('wrong-signer')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.passed).toBe(false);
    const [ok, wrong] = r.json.images;
    expect(ok).toMatchObject({ verdict: 'pass', status: 'verified', matchedPolicies: ['release-on-main'] });
    expect(ok!.policies[0]).toMatchObject({ verdict: 'pass', satisfiedBy: 'release-workflow', authorities: [{ name: 'release-workflow', kind: 'keyless', satisfied: true, status: 'verified' }] });
    expect(wrong).toMatchObject({ verdict: 'fail', status: 'failed' });
    expect(wrong!.policies[0]!.authorities[0]!.signers[0]!.summary).toMatch(/GitHub workflow ref is refs\/heads\/feature-x, policy expects refs\/heads\/main/);
    const alone = await check(file, [t.ref('keyless-ok')]);
    expect(alone.code).toBe(0);
    expect(alone.json.passed).toBe(true);
  });

  it('a key authority passes keyed; either authority may satisfy the policy', async () => {
    const file = policyFile(
      'key.yaml',
      `${releaseOnMain()}    - name: release-key
      key:
        data: |
${indent(t.world.key.publicKeyPem, 10)}
`,
    );
    const r = await check(file, [t.ref('keyed'), t.ref('keyless-ok')]);
    expect(r.code, JSON.stringify(r.json, null, 1)).toBe(0);
    expect(r.json.images[0]!.policies[0]).toMatchObject({ verdict: 'pass', satisfiedBy: 'release-key' });
    expect(r.json.images[0]!.policies[0]!.authorities.map((a) => [a.name, a.status])).toEqual([
      ['release-workflow', 'failed'],
      ['release-key', 'verified'],
    ]);
    expect(r.json.images[1]!.policies[0]).toMatchObject({ verdict: 'pass', satisfiedBy: 'release-workflow' });
  });

  it('a refs/tags/v* ref glob fails a main-branch signature and passes a tag build', async () => {
    const file = policyFile('tags.yaml', releaseOnMain('enforce', 'refs/tags/v*'));
    const r = await check(file, [t.ref('keyless-ok'), tagSigned]);
    expect(r.code).toBe(1);
    expect(r.json.images[0]!.verdict).toBe('fail');
    expect(r.json.images[0]!.policies[0]!.authorities[0]!.signers[0]!.summary).toContain('GitHub workflow ref is refs/heads/main, policy expects glob refs/tags/v*');
    expect(r.json.images[1]).toMatchObject({ verdict: 'pass', status: 'verified' });
  });

  it('warn mode reports the failure but does not fail the check; the status stays what the signatures say', async () => {
    const file = policyFile('warn.yaml', releaseOnMain('warn'));
    const r = await check(file, [t.ref('wrong-signer'), t.ref('unsigned')]);
    expect(r.code).toBe(0);
    expect(r.json.images.map((i) => [i.verdict, i.status])).toEqual([
      ['warn', 'failed'],
      ['warn', 'unsigned'],
    ]);
    const text = await cli(['policy', 'check', file, t.ref('wrong-signer'), ...sandbox()]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^WARN {2}/);
    expect(text.stdout).toContain('policy release-on-main (warn');
  });

  it('an image no policy matches fails closed (exit 1, verdict no-match)', async () => {
    const file = policyFile('other.yaml', releaseOnMain().replace(`${t.world.registry.host}/demo/*`, 'ghcr.io/elsewhere/*'));
    const r = await check(file, [t.ref('keyless-ok')]);
    expect(r.code).toBe(1);
    expect(r.json.images[0]).toMatchObject({ verdict: 'no-match', status: 'error', matchedPolicies: [] });
    expect(r.json.images[0]!.errorMessage).toMatch(/no image glob/);
  });

  it('bad input exits 2: an invalid policy with line numbers, a missing file, a bad reference', async () => {
    const file = policyFile('bad.yaml', releaseOnMain().replace(`          - issuer: ${EXPECTED_ISSUER}\n`, '          - issuerUrl: x\n'));
    const bad = await cli(['policy', 'check', file, t.ref('keyless-ok'), ...sandbox()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${file}:13: spec.authorities[0].keyless.identities[0].issuerUrl: unknown field`);
    expect(bad.stderr).toContain(`${file}:13: spec.authorities[0].keyless.identities[0].issuer: required (or issuerRegExp)`);
    expect((await cli(['policy', 'check', path.join(t.dir, 'nope.yaml'), t.ref('keyless-ok')])).code).toBe(2);
    const ref = await check(policyFile('main2.yaml', releaseOnMain()), ['Not A Reference']);
    expect(ref.code).toBe(2);
  });
});

describe('sigscope policy import and verify --policy', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb(dbUrl);
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it('imports versions only when the content changes, and records the version on each run', async () => {
    const file = policyFile('import.yaml', releaseOnMain());
    const first = await cli(['policy', 'import', 'release', file, '--output', 'json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ name: 'release', version: 1, created: true });
    writeFileSync(file, `# same content, reformatted\n${releaseOnMain()}`);
    const same = await cli(['policy', 'import', 'release', file]);
    expect(same.stdout).toMatch(/unchanged: version 1/);

    const v1run = JSON.parse((await cli(['verify', t.ref('keyless-ok'), '--policy', 'release', ...sandbox(), '--output', 'json'])).stdout) as { status: string; runId: string; policyEvaluation: { version: number; verdict: string } };
    expect(v1run).toMatchObject({ status: 'verified', policyEvaluation: { version: 1, verdict: 'pass' } });

    writeFileSync(file, releaseOnMain('enforce', 'refs/tags/v*'));
    const second = await cli(['policy', 'import', 'release', file, '--output', 'json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ version: 2, created: true });
    const v2 = await cli(['verify', t.ref('keyless-ok'), '--policy', 'release', ...sandbox(), '--output', 'json']);
    expect(v2.code).toBe(1);
    const v2run = JSON.parse(v2.stdout) as { status: string; runId: string; policyEvaluation: { version: number; verdict: string } };
    expect(v2run).toMatchObject({ status: 'failed', policyEvaluation: { version: 2, verdict: 'fail' } });

    const policy = await getPolicy(db, 'release');
    expect(policy!.versions.map((v) => [v.version, v.runCount])).toEqual([
      [2, 1],
      [1, 1],
    ]);
    // The earlier run is unchanged: still version 1, still verified.
    const stored1 = await getRun(db, v1run.runId);
    expect(stored1).toMatchObject({ status: 'verified', policyVersionId: policy!.versions[1]!.id });
    expect((stored1!.summary.policy as { verdict: string; version: number })).toMatchObject({ verdict: 'pass', version: 1 });
    expect(stored1!.policy).toMatchObject({ policyName: 'release', policyVersion: 1 });
    const stored2 = await getRun(db, v2run.runId);
    expect(stored2).toMatchObject({ status: 'failed', policyVersionId: policy!.versions[0]!.id });
    expect(stored2!.results.length).toBeGreaterThan(0);
  });

  it('refuses --policy with signer flags, unknown policies and bad names', async () => {
    expect((await cli(['verify', t.ref('keyless-ok'), '--policy', 'release', '--certificate-identity', EXPECTED_IDENTITY, '--certificate-oidc-issuer', EXPECTED_ISSUER, ...sandbox()])).code).toBe(2);
    const unknown = await cli(['verify', t.ref('keyless-ok'), '--policy', 'nope', ...sandbox(), '--output', 'json']);
    expect(unknown.code).toBe(2);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ status: 'error', errorCode: 'INVALID_POLICY' });
    expect((await cli(['policy', 'import', 'bad name!', policyFile('x.yaml', releaseOnMain())])).code).toBe(2);
  });
});
