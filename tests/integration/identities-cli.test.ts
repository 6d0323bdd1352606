/**
 * bin/sigscope identities over a database seeded here: a verified release identity on two
 * repositories, a branch identity that never verified, and a key signer.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database';
import { openDb } from '../../lib/db/client';
import { createRun, finishRun, upsertCertificate, upsertImage, upsertSignature } from '../../lib/db/runs';
import { PROJECT_ROOT } from '../support/fixtures';

const run = promisify(execFile);
const GH = 'https://token.actions.githubusercontent.com';
const RELEASE = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0';
const BRANCH = 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/feature-x';
const KEY_FP = 'ef'.repeat(32);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigscope-identities-cli-'));
let dbUrl: string;

interface Json {
  identities: Array<{
    key: string;
    kind: string;
    subject?: string;
    issuer?: string | null;
    fingerprint?: string;
    status: string;
    signatures: number;
    verified: number;
    failed: number;
    repositoryCount: number;
    repositories: Array<{ registry: string; repository: string; signatures: number }>;
    claims: { ref?: string; runnerEnvironment?: string } | null;
  }>;
  truncated: boolean;
}

async function cli(args: string[], url?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(path.join(PROJECT_ROOT, 'bin/sigscope'), args, { env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: url ?? dbUrl } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  dbUrl = await testDatabaseUrl(path.join(tmp, 'cli.db'));
  const db = await openDb(dbUrl);
  try {
    const mk = (repository: string, c: string) =>
      upsertImage(db, { registry: 'ghcr.example', repository, digest: `sha256:${c.repeat(64)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', platforms: [] });
    const app = await mk('acme/app', 'a');
    const lib = await mk('acme/lib', 'b');
    let n = 0;
    const cert = (identity: string, ref: string) =>
      upsertCertificate(db, {
        fingerprintSha256: (++n).toString(16).padStart(64, '0'),
        pem: '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n',
        subject: '',
        issuer: 'O=sigstore.dev, CN=sigstore-intermediate',
        identity,
        oidcIssuer: GH,
        notBefore: '2025-05-01T00:00:00Z',
        notAfter: '2025-05-01T00:10:00Z',
        extensions: { sourceRepositoryRef: ref, runnerEnvironment: 'github-hosted', buildTrigger: 'push' },
      });
    const sign = (imageId: string, signer: { identity?: string; certificateId?: string; fp?: string }) =>
      upsertSignature(db, {
        imageId,
        kind: 'cosign-sig',
        source: 'sha256-x.sig',
        layerDigest: `sha256:${(++n).toString(16).padStart(64, '0')}`,
        payloadDigest: `sha256:${'9'.repeat(64)}`,
        materialDigest: `m${n}`,
        signatureB64: 'c2ln',
        identity: signer.identity ?? null,
        oidcIssuer: signer.identity ? GH : null,
        certificateId: signer.certificateId ?? null,
        publicKeyFingerprint: signer.fp ?? null,
      });
    const c1 = await cert(RELEASE, 'refs/tags/v1.0.0');
    const c2 = await cert(BRANCH, 'refs/heads/feature-x');
    const s1 = await sign(app.id, { identity: RELEASE, certificateId: c1.id });
    const s2 = await sign(lib.id, { identity: RELEASE, certificateId: c1.id });
    const s3 = await sign(app.id, { identity: BRANCH, certificateId: c2.id });
    const s4 = await sign(lib.id, { fp: KEY_FP });
    const r = await createRun(db, { input: 'ghcr.example/acme/app', source: 'cli', policy: {}, policyHash: 'h', trustRootName: 'public-good', trustRootHash: 'x', imageId: app.id });
    const checks = [{ name: 'signature', passed: true, detail: 'ok' }];
    await finishRun(db, r.id, {
      status: 'verified',
      summary: {},
      results: [
        { signatureId: s1.id, verdict: 'verified', checks },
        { signatureId: s2.id, verdict: 'verified', checks },
        { signatureId: s3.id, verdict: 'failed', reasonCode: 'IDENTITY_MISMATCH', checks: [{ name: 'identity', passed: false, detail: 'no' }] },
        { signatureId: s4.id, verdict: 'verified', checks },
      ],
    });
  } finally {
    await db.$disconnect();
  }
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('bin/sigscope identities', () => {
  it('lists every identity as JSON with counts, status and repositories', async () => {
    const r = await cli(['identities', '--output', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.truncated).toBe(false);
    expect(json.identities).toHaveLength(3);
    const release = json.identities.find((i) => i.subject === RELEASE)!;
    expect(release).toMatchObject({ kind: 'keyless', issuer: GH, status: 'verified', signatures: 2, verified: 2, failed: 0, repositoryCount: 2 });
    expect(release.key).toMatch(/^kl\./);
    expect(release.repositories.map((x) => `${x.registry}/${x.repository}`).sort()).toEqual(['ghcr.example/acme/app', 'ghcr.example/acme/lib']);
    expect(release.claims).toMatchObject({ ref: 'refs/tags/v1.0.0', runnerEnvironment: 'github-hosted' });
    expect(json.identities.find((i) => i.subject === BRANCH)).toMatchObject({ status: 'unverified', verified: 0, failed: 1 });
    expect(json.identities.find((i) => i.kind === 'key')).toMatchObject({ fingerprint: KEY_FP, key: `key.${KEY_FP}`, status: 'verified' });
  });

  it('filters by issuer and by repository', async () => {
    const byIssuer = JSON.parse((await cli(['identities', '--issuer', GH, '--output', 'json'])).stdout) as Json;
    expect(byIssuer.identities.map((i) => i.subject).sort()).toEqual([BRANCH, RELEASE]);
    const byRepo = JSON.parse((await cli(['identities', '--repository', 'ghcr.example/acme/lib', '--output', 'json'])).stdout) as Json;
    expect(byRepo.identities.map((i) => i.subject ?? i.fingerprint).sort()).toEqual([RELEASE, KEY_FP].sort());
    expect(byRepo.identities.find((i) => i.subject === RELEASE)!.signatures).toBe(1);
    const byRef = JSON.parse((await cli(['identities', '--ref', 'refs/tags/v*', '--output', 'json'])).stdout) as Json;
    expect(byRef.identities.map((i) => i.subject)).toEqual([RELEASE]);
  });

  it('prints text that marks claims that never verified', async () => {
    const r = await cli(['identities']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(RELEASE);
    expect(r.stdout).toMatch(new RegExp(`${BRANCH.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n.*\\n  status +UNVERIFIED CLAIM`));
    expect(r.stdout).toContain(`key sha256:${KEY_FP}`);
    expect(r.stdout).toContain('3 identities.');
  });

  it('says so on an empty (fresh) database', async () => {
    const r = await cli(['identities'], await testDatabaseUrl(path.join(tmp, 'empty', 'fresh.db')));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('No identities found.\n');
  });

  it('exits 2 on bad usage', async () => {
    expect((await cli(['identities', '--output', 'yaml'])).code).toBe(2);
    expect((await cli(['identities', '--limit', 'lots'])).code).toBe(2);
    const long = await cli(['identities', '--search', 'x'.repeat(600)]);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/longer than 512/);
  });
});
