/**
 * bin/sigscope verify-bundle, spawned as the sigstore-conformance harness would: every case of
 * the conformance sample (_fail must exit non-zero, the others 0), artifacts by digest, the
 * shipped staging root, and bad usage (exit 2). Processes run at most 4 at a time.
 * Exit codes: 0 verified, 1 not verified, 2 bad usage or input.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, type ExpectStatic } from 'vitest';
import { decodeCertificate } from '../../lib/x509';
import { fixturePath, PROJECT_ROOT, readFixture } from '../support/fixtures';

const BIN = path.join(PROJECT_ROOT, 'bin', 'sigscope');
const GHA = 'https://token.actions.githubusercontent.com';
const BEACON = 'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ROOT = fixturePath('conformance-sample', 'bundle-verify');
const A_TXT = path.join(ROOT, 'a.txt');
const caseFile = (name: string, file: string) => path.join(ROOT, name, file);
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

// verify-bundle records nothing: a database here would mean it did.
const tmp = mkdtempSync(path.join(tmpdir(), 'sigscope-verify-bundle-'));
const DB_FILE = path.join(tmp, 'must-not-exist.db');

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** At most `n` promises from `fn`s in flight; the rest wait their turn. */
function limiter(n: number) {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}
const limit = limiter(4);

interface Verdict {
  verdict: string;
  reasonCode?: string;
  reason?: string;
  checks: Array<{ name: string; passed: boolean; detail: string }>;
  signer: { kind: string; identity?: string; issuer?: string; keyFingerprint?: string };
}
interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: Verdict | null;
}

function cli(args: string[]): Promise<CliResult> {
  return limit(
    () =>
      new Promise<CliResult>((resolve) => {
        execFile(BIN, ['verify-bundle', ...args], { env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: `file:${DB_FILE}` }, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
          let json: Verdict | null = null;
          try {
            json = JSON.parse(stdout) as Verdict;
          } catch {
            json = null;
          }
          resolve({ code, stdout, stderr, json });
        });
      }),
  );
}

const keyless = (identity = BEACON, issuer = GHA) => ['--certificate-identity', identity, '--certificate-oidc-issuer', issuer];

// ---------------------------------------------------------------------------------------
describe.concurrent('conformance sample, one process per case', () => {
  const cases = readdirSync(ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

  /** Exit codes of the _fail cases: 1 (not verified) unless the input itself is bad. */
  const FAIL_EXIT: Record<string, number> = {
    'managed-key-wrong-key_fail': 2, // its key.pub is not a readable public key: bad input
  };

  /** The argv the conformance harness would pass, with the fixture README's defaults. */
  function argsFor(name: string, artifact?: string): string[] {
    const opt = (f: string) => (existsSync(caseFile(name, f)) ? caseFile(name, f) : undefined);
    const text = (f: string) => (opt(f) ? readFileSync(opt(f)!, 'utf8').trim() : undefined);
    const key = opt('key.pub');
    const root = opt('trusted_root.json');
    return [
      '--bundle', caseFile(name, 'bundle.sigstore.json'),
      ...(key ? ['--key', key] : keyless(text('identity') ?? BEACON, text('issuer') ?? GHA)),
      ...(root ? ['--trusted-root', root] : []),
      '--output', 'json',
      artifact ?? opt('artifact') ?? A_TXT,
    ];
  }

  it('holds the 24 cases of the fixtures README', () => {
    expect(cases).toHaveLength(24);
  });

  it.for(cases)('%s', async (name, { expect }) => {
    const r = await cli(argsFor(name));
    if (!name.endsWith('_fail')) {
      expect(r.code, r.stderr || r.stdout).toBe(0);
      expect(r.json?.verdict).toBe('verified');
      return;
    }
    expect(r.code, r.stderr || r.stdout).not.toBe(0);
    expect(r.code).toBe(FAIL_EXIT[name] ?? 1);
    if (r.code === 1) {
      expect(r.json?.verdict).toBe('failed');
      expect(r.json?.reasonCode).toBeTruthy();
      expect(r.json?.reason).toBeTruthy();
    } else {
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^sigscope verify-bundle: key file .*key\.pub: public key could not be read/);
    }
  });

  it('happy paths by sha256 digest instead of a path (message signature; DSSE, uppercase hex); a wrong digest fails', async ({ expect }) => {
    const digest = sha256(readFileSync(A_TXT));
    const [v03, dsse, wrong] = await Promise.all([
      cli(argsFor('happy-path-v0.3', digest)),
      cli(argsFor('happy-path-intoto-in-dsse-v3', `sha256:${digest.slice('sha256:'.length).toUpperCase()}`)),
      cli(argsFor('happy-path-v0.3', sha256(Buffer.from('not the artifact')))),
    ]);
    for (const r of [v03, dsse]) {
      expect(r.code, r.stderr || r.stdout).toBe(0);
      expect(r.json?.verdict).toBe('verified');
      expect(r.json?.checks.find((c) => c.name === 'artifact-digest')?.detail).toContain(digest.slice('sha256:'.length));
    }
    expect(v03.json?.checks.find((c) => c.name === 'artifact-digest')?.detail).toContain('checked by digest, the bytes were not read');
    expect(wrong.code, wrong.stderr).toBe(1);
    expect(wrong.json?.reasonCode).toBe('DIGEST_MISMATCH');
  });

  it('text output is one line: verdict, artifact, then signer or reason', async ({ expect }) => {
    const ok = await cli(['--bundle', caseFile('happy-path-v0.3', 'bundle.sigstore.json'), ...keyless(), A_TXT]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`VERIFIED  ${A_TXT}: signed by ${BEACON} (${GHA}), trusted root public-good\n`);
    const bad = await cli(['--bundle', caseFile('signature-mismatch_fail', 'bundle.sigstore.json'), ...keyless(), A_TXT]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^NOT VERIFIED {2}.*a\.txt: \[[A-Z_]+\] .+\n$/);
    expect(bad.stdout.split('\n')).toHaveLength(2);
  });

  it('anchored regexps work as in verify: the whole identity must match', async ({ expect }) => {
    const bundle = ['--bundle', caseFile('happy-path-v0.3', 'bundle.sigstore.json')];
    const whole = await cli([...bundle, '--certificate-identity-regexp', 'https://github\\.com/sigstore-conformance/.+@refs/heads/main', '--certificate-oidc-issuer-regexp', 'https://token\\.actions\\..+', A_TXT]);
    expect(whole.code, whole.stderr).toBe(0);
    const prefix = await cli([...bundle, '--certificate-identity-regexp', 'https://github\\.com/sigstore-conformance/', '--certificate-oidc-issuer', GHA, '--output', 'json', A_TXT]);
    expect(prefix.code).toBe(1);
    expect(prefix.json?.reasonCode).toBe('IDENTITY_MISMATCH');
  });
});

// ---------------------------------------------------------------------------------------
describe.concurrent('--staging: the shipped staging trusted root', () => {
  const bundle = fixturePath('sigstore-python', 'bundle_v3.txt.sigstore');
  const artifact = fixturePath('sigstore-python', 'bundle_v3.txt');
  // The signer, read from the bundle's own certificate.
  const cert = decodeCertificate(Buffer.from(JSON.parse(readFixture('sigstore-python', 'bundle_v3.txt.sigstore').toString('utf8')).verificationMaterial.certificate.rawBytes, 'base64'));
  const signer = () => keyless(cert.identity!, cert.oidcIssuer!);

  it('the certificate names a GitHub-OAuth email identity', () => {
    expect({ identity: cert.identity, issuer: cert.oidcIssuer }).toEqual({ identity: 'william@yossarian.net', issuer: 'https://github.com/login/oauth' });
  });

  it('sigstore-python bundle_v3 verifies with --staging (exit 0)', async ({ expect }) => {
    const r = await cli(['--staging', '--bundle', bundle, ...signer(), artifact]);
    expect(r.code, r.stderr || r.stdout).toBe(0);
    expect(r.stdout).toBe(`VERIFIED  ${artifact}: signed by william@yossarian.net (https://github.com/login/oauth), trusted root staging\n`);
  });

  it('and fails without it: staging Fulcio is not trusted by public-good (exit 1)', async ({ expect }) => {
    const r = await cli(['--bundle', bundle, ...signer(), '--output', 'json', artifact]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json?.reasonCode, r.stderr).toBe('CERTIFICATE_UNTRUSTED');
  });

  it('--staging does not accept a public-good bundle', async ({ expect }) => {
    const r = await cli(['--staging', '--bundle', caseFile('happy-path-v0.3', 'bundle.sigstore.json'), ...keyless(), '--output', 'json', A_TXT]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json?.reasonCode, r.stderr).toBe('CERTIFICATE_UNTRUSTED');
  });
});

// ---------------------------------------------------------------------------------------
describe.concurrent('bad usage and input: exit 2, a message on stderr, nothing on stdout', () => {
  const happy = caseFile('happy-path-v0.3', 'bundle.sigstore.json');
  const key = caseFile('managed-key-happy-path', 'key.pub');

  async function usage(expect: ExpectStatic, args: string[], message: RegExp): Promise<void> {
    const r = await cli(args);
    expect(r.code, `${args.join(' ')}\n${r.stdout}${r.stderr}`).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  }

  it('no --bundle', ({ expect }) => usage(expect, [...keyless(), A_TXT], /required option '--bundle <file>'/));
  it('both --key and a certificate identity', ({ expect }) => usage(expect, ['--bundle', happy, '--key', key, ...keyless(), A_TXT], /'--key <file>' cannot be used with option '--certificate-identity <id>'/));
  it('neither --key nor a certificate identity', ({ expect }) => usage(expect, ['--bundle', happy, A_TXT], /give the expected signer/));
  it('--staging with --trusted-root', ({ expect }) => usage(expect, ['--staging', '--trusted-root', caseFile('rekor2-happy-path', 'trusted_root.json'), '--bundle', happy, ...keyless(), A_TXT], /cannot be used with option '--staging'/));

  it('a missing bundle file', ({ expect }) => usage(expect, ['--bundle', path.join(tmp, 'no-such.sigstore.json'), ...keyless(), A_TXT], /cannot read bundle file .*no-such\.sigstore\.json: ENOENT/));
  it('a bundle file above 16 MiB (refused before reading)', ({ expect }) => {
    const big = path.join(tmp, 'big.sigstore.json');
    sparseFile(big, 16 * 1024 * 1024 + 1);
    return usage(expect, ['--bundle', big, ...keyless(), A_TXT], /is 16777217 bytes, above the 16 MiB limit/);
  });
  it('a missing key file', ({ expect }) => usage(expect, ['--bundle', happy, '--key', path.join(tmp, 'no-such.pub'), A_TXT], /cannot read key file .*no-such\.pub/));
  it('an unreadable trusted root', ({ expect }) => {
    const bad = path.join(tmp, 'bad-root.json');
    writeFileSync(bad, '{"mediaType": "nope"}');
    return usage(expect, ['--bundle', happy, ...keyless(), '--trusted-root', bad, A_TXT], /trusted root .*bad-root\.json is invalid/);
  });

  it('a malformed digest argument', ({ expect }) => usage(expect, ['--bundle', happy, ...keyless(), 'sha256:abc'], /artifact "sha256:abc": no such file and not a sha256 digest/));
  it('a path that does not exist', ({ expect }) => usage(expect, ['--bundle', happy, ...keyless(), path.join(tmp, 'no-such-artifact')], /no such file and not a sha256 digest/));
  it('an artifact above 512 MiB (refused before reading)', ({ expect }) => {
    const huge = path.join(tmp, 'huge.bin');
    sparseFile(huge, 512 * 1024 * 1024 + 1);
    return usage(expect, ['--bundle', happy, ...keyless(), huge], /above the 512 MiB limit/);
  });
});

describe('large artifacts; nothing recorded', () => {
  it('above 64 MiB the artifact is streamed to its sha256 and checked by digest', async () => {
    const file = path.join(tmp, 'large.bin');
    const size = 64 * 1024 * 1024 + 1;
    sparseFile(file, size);
    const r = await cli(['--bundle', caseFile('happy-path-v0.3', 'bundle.sigstore.json'), ...keyless(), '--output', 'json', file]);
    expect(r.code).toBe(1);
    expect(r.json?.reasonCode).toBe('DIGEST_MISMATCH');
    // The digest the CLI computed while streaming is the file's.
    expect(r.json?.reason).toContain(`the artifact is ${sha256(Buffer.alloc(size))}`);
  });

  it('no run of this file created a database (verify-bundle records nothing)', () => {
    expect(existsSync(DB_FILE)).toBe(false);
  });
});

/** A file of `size` zero bytes that takes no disk space. */
function sparseFile(file: string, size: number): void {
  const fd = openSync(file, 'w');
  try {
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}
