/**
 * bin/sigscope against the sandbox: a real registry and a real local Sigstore.
 * Exit codes: 0 verified, 1 not verified, 2 bad usage or input.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/database';
import { EXPECTED_IDENTITY, EXPECTED_ISSUER } from '../../sandbox/world';
import { PROJECT_ROOT } from '../support/fixtures';
import { startTestWorld, type TestWorld } from '../support/world';

const run = promisify(execFile);
let t: TestWorld;
let dbUrl: string;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: {
    status: string;
    runId: string | null;
    errorCode?: string;
    errorMessage?: string;
    digest?: string;
    signatures: Array<{ verdict: string; format?: string; reasonCode?: string; reason?: string; platform?: string; checks: Array<{ name: string; passed: boolean }>; signer: { identity?: string; keyFingerprint?: string } }>;
    attestations: Array<{ verdict: string; format: string; predicateType?: string; reasonCode?: string }>;
    documents: Array<{ mediaType: string; source: string }>;
    requirements: Array<{ met: boolean; detail: string }>;
    referrers?: string;
  } | null;
}

async function cli(args: string[], opts: { json?: boolean; env?: Record<string, string> } = {}): Promise<CliResult> {
  const argv = opts.json === false ? args : [...args, '--output', 'json'];
  try {
    const { stdout, stderr } = await run(path.join(PROJECT_ROOT, 'bin/sigscope'), argv, { env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: dbUrl, ...opts.env } });
    return { code: 0, stdout, stderr, json: parse(stdout) };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr, json: parse(err.stdout) };
  }
}

function parse(stdout: string): CliResult['json'] {
  try {
    return JSON.parse(stdout) as CliResult['json'];
  } catch {
    return null;
  }
}

const keyless = () => ['--certificate-identity', EXPECTED_IDENTITY, '--certificate-oidc-issuer', EXPECTED_ISSUER];
const sandbox = () => ['--trusted-root', t.world.trustedRootPath, '--allow-http-registry', t.world.registry.host];

beforeAll(async () => {
  t = await startTestWorld();
  // A fresh, empty database: the CLI must migrate it on first use.
  dbUrl = await testDatabaseUrl(path.join(t.dir, 'fresh', 'cli.db'));
});

afterAll(async () => {
  await t?.world.stop();
});

describe('bin/sigscope verify — keyless', () => {
  it('verifies the expected identity and issuer (exit 0) and lists the checks that passed', async () => {
    const r = await cli(['verify', t.ref('keyless-ok'), ...keyless(), ...sandbox()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.status).toBe('verified');
    expect(r.json?.digest).toBe(t.digest('keyless-ok'));
    expect(r.json?.runId).toMatch(/^[a-z0-9]+$/);
    const sig = r.json!.signatures[0]!;
    expect(sig.signer.identity).toBe(EXPECTED_IDENTITY);
    expect(sig.checks.filter((c) => c.passed).map((c) => c.name)).toEqual(
      expect.arrayContaining(['payload-digest', 'certificate-chain', 'sct', 'transparency-log', 'signature', 'rekor-entry-matches', 'identity', 'issuer']),
    );
  });

  it('accepts an anchored identity regexp and GitHub workflow claims', async () => {
    const r = await cli([
      'verify', t.ref('keyless-ok'),
      '--certificate-identity-regexp', 'https://github\\.com/acme/widget/\\.github/workflows/.*@refs/heads/main',
      '--certificate-oidc-issuer', EXPECTED_ISSUER,
      '--certificate-github-workflow-repository', 'acme/widget',
      '--certificate-github-workflow-ref', 'refs/heads/main',
      '--certificate-github-workflow-trigger', 'push',
      ...sandbox(),
    ]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('rejects a signature from another workflow ref (exit 1, IDENTITY_MISMATCH with both values)', async () => {
    const r = await cli(['verify', t.ref('wrong-signer'), ...keyless(), ...sandbox()]);
    expect(r.code).toBe(1);
    expect(r.json?.status).toBe('failed');
    expect(r.json?.signatures[0]?.reasonCode).toBe('IDENTITY_MISMATCH');
    expect(r.json?.signatures[0]?.reason).toBe(
      `certificate identity is https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/feature-x, policy expects ${EXPECTED_IDENTITY}`,
    );
  });

  it('exact identity …@refs/heads/main does not accept …@refs/heads/main-hotfix, and neither does an anchored regexp', async () => {
    expect((await cli(['verify', t.ref('main-hotfix'), ...keyless(), ...sandbox()])).json?.signatures[0]?.reasonCode).toBe('IDENTITY_MISMATCH');
    const re = await cli(['verify', t.ref('main-hotfix'), '--certificate-identity-regexp', '.*@refs/heads/main', '--certificate-oidc-issuer', EXPECTED_ISSUER, ...sandbox()]);
    expect(re.code).toBe(1);
    expect(re.json?.signatures[0]?.reasonCode).toBe('IDENTITY_MISMATCH');
  });

  it('rejects another issuer and a GitHub claim that does not match', async () => {
    const issuer = await cli(['verify', t.ref('keyless-ok'), '--certificate-identity', EXPECTED_IDENTITY, '--certificate-oidc-issuer', 'https://accounts.google.com', ...sandbox()]);
    expect(issuer.code).toBe(1);
    expect(issuer.json?.signatures[0]?.reasonCode).toBe('ISSUER_MISMATCH');
    const trigger = await cli(['verify', t.ref('keyless-ok'), ...keyless(), '--certificate-github-workflow-trigger', 'workflow_dispatch', ...sandbox()]);
    expect(trigger.code).toBe(1);
    expect(trigger.json?.signatures[0]?.reasonCode).toBe('GITHUB_CLAIM_MISMATCH');
  });

  it('rejects a certificate from a foreign CA, a forged SET and a tampered payload', async () => {
    const cases: Array<[string, string]> = [
      ['foreign-ca', 'CERTIFICATE_UNTRUSTED'],
      ['forged-set', 'TLOG_SET_INVALID'],
      ['tampered', 'TLOG_BODY_MISMATCH'],
    ];
    for (const [name, code] of cases) {
      const r = await cli(['verify', t.ref(name), ...keyless(), ...sandbox()]);
      expect(r.code, name).toBe(1);
      expect(r.json?.signatures[0]?.reasonCode, name).toBe(code);
    }
  });

  it('rejects a valid signature replayed onto another image (DIGEST_MISMATCH naming both digests)', async () => {
    const r = await cli(['verify', t.ref('replayed'), ...keyless(), ...sandbox()]);
    expect(r.code).toBe(1);
    expect(r.json?.signatures[0]?.reasonCode).toBe('DIGEST_MISMATCH');
    expect(r.json?.signatures[0]?.reason).toContain(`names digest ${t.digest('keyless-ok')} but the image is ${t.digest('replayed')}`);
  });

  it('does not trust the sandbox CA under the public-good root', async () => {
    const r = await cli(['verify', t.ref('keyless-ok'), ...keyless(), '--allow-http-registry', t.world.registry.host]);
    expect(r.code).toBe(1);
    expect(r.json?.signatures[0]?.reasonCode).toBe('CERTIFICATE_UNTRUSTED');
  });

  it('without a policy says "signed, signer not checked" and exits 1', async () => {
    const r = await cli(['verify', t.ref('keyless-ok'), ...sandbox()]);
    expect(r.code).toBe(1);
    expect(r.json?.status).toBe('signed-unchecked');
    expect(r.json?.signatures[0]?.reason).toMatch(/^signed, signer not checked/);
  });
});

describe('bin/sigscope verify — keys, unsigned, multi-arch', () => {
  it('verifies with the right public key and fails with another', async () => {
    const ok = await cli(['verify', t.ref('keyed'), '--key', t.world.key.publicKeyPath, ...sandbox()]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json?.signatures[0]?.signer.keyFingerprint).toMatch(/^[a-f0-9]{64}$/);
    const wrong = await cli(['verify', t.ref('keyed'), '--key', t.world.wrongKey.publicKeyPath, ...sandbox()]);
    expect(wrong.code).toBe(1);
    expect(wrong.json?.signatures[0]?.reasonCode).toBe('KEY_MISMATCH');
  });

  it('--insecure-ignore-tlog is recorded in the policy', async () => {
    const r = await cli(['verify', t.ref('keyed'), '--key', t.world.key.publicKeyPath, '--insecure-ignore-tlog', ...sandbox()], { json: false });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('transparency log not required (insecure)');
  });

  it('a key policy does not accept a keyless signature', async () => {
    const r = await cli(['verify', t.ref('keyless-ok'), '--key', t.world.key.publicKeyPath, ...sandbox()]);
    expect(r.code).toBe(1);
    expect(r.json?.signatures[0]?.reasonCode).toBe('KEYLESS_NOT_ALLOWED');
  });

  it('an unsigned image fails with "no signatures"', async () => {
    const r = await cli(['verify', t.ref('unsigned'), ...keyless(), ...sandbox()], { json: false });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('UNSIGNED');
    expect(r.stdout).toContain('no signatures found');
  });

  it('a multi-arch index signed at the index verifies; one signed only per platform is reported as such', async () => {
    const index = await cli(['verify', t.ref('multiarch'), ...keyless(), ...sandbox()]);
    expect(index.code).toBe(0);
    const perPlatform = await cli(['verify', t.ref('multiarch-platforms'), ...keyless(), ...sandbox()]);
    expect(perPlatform.code).toBe(1);
    expect(perPlatform.json?.status).toBe('unsigned');
    expect(perPlatform.json?.signatures.map((s) => s.platform).sort()).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(perPlatform.json?.signatures.every((s) => s.verdict === 'verified')).toBe(true);
  });
});

describe('bin/sigscope verify — bad input and failures', () => {
  it('exits 2 on a bad reference, a bad policy, an unknown flag, a missing key file', async () => {
    const bad = await cli(['verify', 'Not A Reference', ...keyless()]);
    expect(bad.code).toBe(2);
    expect(bad.json?.errorCode).toBe('INVALID_REFERENCE');
    const policy = await cli(['verify', t.ref('keyless-ok'), '--certificate-identity', EXPECTED_IDENTITY, ...sandbox()]);
    expect(policy.code).toBe(2);
    expect(policy.json?.errorMessage).toContain('needs an OIDC issuer');
    expect((await cli(['verify', t.ref('keyless-ok'), '--no-such-flag'])).code).toBe(2);
    const key = await cli(['verify', t.ref('keyed'), '--key', '/nonexistent/cosign.pub']);
    expect(key.code).toBe(2);
    expect(key.stderr).toContain('cannot read key file');
  });

  it('refuses plain HTTP unless the registry is allowed (exit 2, says which flag)', async () => {
    const r = await cli(['verify', t.ref('keyless-ok'), ...keyless(), '--trusted-root', t.world.trustedRootPath]);
    expect(r.code).toBe(2);
    expect(r.json?.errorCode).toBe('REGISTRY_HTTP_NOT_ALLOWED');
    expect(r.json?.errorMessage).toContain('--allow-http-registry');
  });

  it('registry down: clear error, run stored as error, earlier runs intact', async () => {
    const before = await cli(['verify', t.ref('keyless-ok'), ...keyless(), ...sandbox()]);
    expect(before.code).toBe(0);
    const { closedPort } = await import('../../sandbox/seed-runs');
    const port = await closedPort();
    const down = await cli(['verify', `127.0.0.1:${port}/demo/keyless-ok:1.0`, ...keyless(), '--trusted-root', t.world.trustedRootPath, '--allow-http-registry', `127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.json?.status).toBe('error');
    expect(down.json?.errorCode).toBe('REGISTRY_UNREACHABLE');
    expect(down.json?.errorMessage).toContain('connection refused');

    const { openDb } = await import('../../lib/db');
    const { getRun } = await import('../../lib/db');
    const db = await openDb(dbUrl);
    try {
      const stored = await getRun(db, down.json!.runId!);
      expect(stored?.status).toBe('error');
      expect(stored?.errorCode).toBe('REGISTRY_UNREACHABLE');
      const earlier = await getRun(db, before.json!.runId!);
      expect(earlier?.status).toBe('verified');
      expect(earlier?.results).toHaveLength(1);
      expect(earlier?.results[0]?.verdict).toBe('verified');
    } finally {
      await db.$disconnect();
    }
  });
});

describe('bin/sigscope verify — Sigstore bundles, referrers, attestations', () => {
  it('verifies an image signed in the bundle format and attached through the referrers tag fallback', async () => {
    const r = await cli(['verify', t.ref('bundle-signed'), ...keyless(), ...sandbox()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json?.referrers).toBe('tag-fallback');
    expect(r.json?.signatures).toHaveLength(1);
    expect(r.json?.signatures[0]).toMatchObject({ verdict: 'verified', format: 'bundle-referrers-tag' });
  });

  it('rejects a signature bundle whose statement names another image', async () => {
    const r = await cli(['verify', t.ref('bundle-wrong-subject'), ...keyless(), ...sandbox()]);
    expect(r.code).toBe(1);
    expect(r.json?.signatures[0]?.reasonCode).toBe('DIGEST_MISMATCH');
  });

  it('reads and verifies .att provenance, an SBOM attestation bundle and the .sbom document', async () => {
    const r = await cli(['verify', t.ref('attested'), ...keyless(), ...sandbox()]);
    expect(r.code, r.stderr).toBe(0);
    const byType = Object.fromEntries(r.json!.attestations.map((a) => [a.predicateType, a]));
    expect(byType['https://slsa.dev/provenance/v1']).toMatchObject({ verdict: 'verified', format: 'cosign-att' });
    expect(byType['https://spdx.dev/Document']).toMatchObject({ verdict: 'verified', format: 'bundle-referrers-tag' });
    expect(r.json?.documents.map((d) => d.source)).toEqual(['sbom-tag']);
  });

  it('a policy can require a SLSA provenance attestation from a given builder', async () => {
    const builder = 'https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main';
    const slsa = ['--require-attestation', 'https://slsa.dev/provenance/v1'];
    const ok = await cli(['verify', t.ref('attested'), ...keyless(), ...slsa, '--require-builder-id', builder, ...sandbox()]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json?.requirements[0]?.met).toBe(true);
    const wrongBuilder = await cli(['verify', t.ref('attested'), ...keyless(), ...slsa, '--require-builder-id', 'https://example.com/other-builder', ...sandbox()]);
    expect(wrongBuilder.code).toBe(1);
    expect(wrongBuilder.json?.status).toBe('failed');
    expect(wrongBuilder.json?.requirements[0]?.detail).toContain('policy expects https://example.com/other-builder');
    const missing = await cli(['verify', t.ref('keyless-ok'), ...keyless(), ...slsa, ...sandbox()]);
    expect(missing.code).toBe(1);
    expect(missing.json?.requirements[0]?.detail).toContain('no https://slsa.dev/provenance/v1 attestation is attached');
  });
});
