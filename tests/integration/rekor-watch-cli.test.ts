/**
 * `sigscope rekor watch|checkpoint|verify-entry` against a real sandbox Rekor log
 * (sandbox/rekor-log.ts) named by a trusted root chosen for the explorer in settings:
 * watches list only entries new since the previous check, each proven; a log that
 * signs a rewritten history makes `checkpoint`, `get` and `watch check` exit 1;
 * verify-entry prints each proof step and exits 0 only when all hold.
 */
import { execFile } from 'node:child_process';
import { createHash, createPublicKey, KeyObject, sign as nodeSign } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as x509 from '../../lib/x509/peculiar';
import { PROJECT_ROOT } from '../../lib/settings';
import { startRekorLogServer, type RekorLogServer } from '../../sandbox/rekor-log';

const exec = promisify(execFile);
const EMAIL = 'watched@example.test';
const URI = 'https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main';
const ISSUER_OID = '1.3.6.1.4.1.57264.1.8';

let server: RekorLogServer;
let dir: string;

async function appendSigned(san: { type: 'email' | 'url'; value: string }, text: string, issuer = 'https://issuer.example'): Promise<number> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const pair = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '03',
    name: 'O=sigscope watch test',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    signingAlgorithm: alg,
    keys: pair,
    extensions: [
      new x509.SubjectAlternativeNameExtension([san]),
      // Fulcio's OIDC issuer (v2 extension: a DER UTF8String).
      new x509.Extension(ISSUER_OID, false, Buffer.concat([Buffer.from([0x0c, issuer.length]), Buffer.from(issuer)])),
    ],
  });
  const data = Buffer.from(text);
  const res = await fetch(`${server.url}/api/v1/log/entries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'hashedrekord',
      apiVersion: '0.0.1',
      spec: {
        data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(data).digest('hex') } },
        signature: { content: nodeSign('sha256', data, { key: KeyObject.from(pair.privateKey), dsaEncoding: 'der' }).toString('base64'), publicKey: { content: Buffer.from(cert.toString('pem')).toString('base64') } },
      },
    }),
  });
  expect(res.status).toBe(201);
  return Object.values((await res.json()) as Record<string, { logIndex: number }>)[0]!.logIndex;
}

const cli = async (args: string[]) => {
  try {
    const { stdout, stderr } = await exec(path.join(PROJECT_ROOT, 'bin/sigscope'), args, {
      env: { ...process.env, NODE_OPTIONS: '', SIGSCOPE_DATA_DIR: dir, DATABASE_URL: `file:${path.join(dir, 'cli.db')}` },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-watch-'));
  server = await startRekorLogServer();
  const spki = createPublicKey(server.log.publicKeyPem).export({ format: 'der', type: 'spki' });
  const root = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{ baseUrl: server.url, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: spki.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: new Date(Date.now() - 3_600_000).toISOString() } }, logId: { keyId: server.log.logId.toString('base64') } }],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'root.json'), JSON.stringify(root));
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ trustedRoots: [{ name: 'watch-it', path: path.join(dir, 'root.json') }], rekor: { trustRoot: 'watch-it', logUrls: [] } }));
  await appendSigned({ type: 'email', value: 'someone-else@example.test' }, 'other');
  await appendSigned({ type: 'email', value: EMAIL }, 'first');
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe('sigscope rekor watch', () => {
  it('add, check (new entries only, proven), stop; exact email, URI and regexp with issuer', async () => {
    const add = await cli(['rekor', 'watch', 'add', EMAIL, '--output', 'json']);
    expect(add.code, add.stderr).toBe(0);
    const watchId = (JSON.parse(add.stdout) as { id: string }).id;
    expect((await cli(['rekor', 'watch', 'add', EMAIL])).code).toBe(2); // already watched
    expect((await cli(['rekor', 'watch', 'add', '(unclosed', '--regexp'])).code).toBe(2);
    expect((await cli(['rekor', 'watch', 'add', EMAIL, '--log', 'https://rekor.example.invalid'])).code).toBe(2);

    const first = await cli(['rekor', 'watch', 'check', watchId]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toMatch(/1 new entry/);
    expect(first.stdout).toMatch(new RegExp(`PROVEN\\s+index 1 .*${EMAIL}`));
    expect(first.stdout).toMatch(/checkpoint .* FIRST/);

    const again = await cli(['rekor', 'watch', 'check', watchId]);
    expect(again.stdout).toMatch(/0 new entries/);

    const second = await appendSigned({ type: 'email', value: EMAIL }, 'second');
    await appendSigned({ type: 'url', value: URI }, 'by workflow', 'https://token.actions.githubusercontent.com');
    const third = await cli(['rekor', 'watch', 'check', watchId, '--output', 'json']);
    const checks = JSON.parse(third.stdout) as Array<{ check: { newEntries: Array<{ logIndex: number; status: string; identity: string }> } }>;
    expect(checks[0]!.check.newEntries.map((e) => [e.logIndex, e.status, e.identity])).toEqual([[second, 'proven', EMAIL]]);

    // A URI identity goes through the index by subject; a regexp (with an issuer) scans the new range.
    const uri = JSON.parse((await cli(['rekor', 'watch', 'add', URI, '--output', 'json'])).stdout) as { id: string };
    const re = JSON.parse((await cli(['rekor', 'watch', 'add', 'https://github\\.com/acme/.*', '--regexp', '--oidc-issuer', 'https://token.actions.githubusercontent.com', '--output', 'json'])).stdout) as { id: string };
    const wrongIssuer = JSON.parse((await cli(['rekor', 'watch', 'add', '.*@example\\.test', '--regexp', '--oidc-issuer', 'https://token.actions.githubusercontent.com', '--output', 'json'])).stdout) as { id: string };
    const all = JSON.parse((await cli(['rekor', 'watch', 'check', uri.id, re.id, wrongIssuer.id, '--output', 'json'])).stdout) as Array<{ watchId: string; check: { newEntries: Array<{ identity: string }> } }>;
    expect(all.map((c) => c.check.newEntries.map((e) => e.identity))).toEqual([[URI], [URI], []]);

    // The search box's forms from the CLI: a URI identity, proven.
    const byUri = await cli(['rekor', 'search', '--subject', URI]);
    expect(byUri.code, byUri.stdout + byUri.stderr).toBe(0);
    expect(byUri.stdout).toMatch(/searched for identity https:\/\/github\.com\/acme/);
    expect(byUri.stdout).toMatch(/PROVEN in log/);
    expect((await cli(['rekor', 'search', '--subject', 'not-a-uri'])).code).toBe(2);

    const list = await cli(['rekor', 'watch', 'list']);
    expect(list.stdout).toContain(watchId);
    expect((await cli(['rekor', 'watch', 'stop', watchId])).code).toBe(0);
    expect((await cli(['rekor', 'watch', 'list'])).stdout).not.toContain(watchId);
    expect((await cli(['rekor', 'watch', 'list', '--all'])).stdout).toMatch(new RegExp(`${watchId} .* stopped`));
    expect((await cli(['rekor', 'watch', 'check', watchId])).code).toBe(2);
  }, 180_000);
});

describe('sigscope rekor verify-entry', () => {
  it('prints each step and exits 0 for a log entry; 1 for a tampered copy or another key; 2 for bad usage', async () => {
    const ok = await cli(['rekor', 'verify-entry', '--log-index', '1']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    for (const line of [/\[ ok \] leaf hash SHA-256\(0x00 \|\| body\) = [0-9a-f]{64}/, /\[ -- \] path +\d+ hashes/, /\[ ok \] root +computed [0-9a-f]{64}/, /\[ ok \] checkpoint/, /\[ ok \] SET/, /VERIFIED/]) expect(ok.stdout).toMatch(line);

    const raw = (await (await fetch(`${server.url}/api/v1/log/entries?logIndex=1`)).json()) as Record<string, { verification: { inclusionProof: { hashes: string[] } } }>;
    const file = path.join(dir, 'entry.json');
    writeFileSync(file, JSON.stringify(raw));
    expect((await cli(['rekor', 'verify-entry', file])).code).toBe(0);
    const v = Object.values(raw)[0]!;
    v.verification.inclusionProof.hashes[0] = (v.verification.inclusionProof.hashes[0]!.startsWith('0') ? '1' : '0') + v.verification.inclusionProof.hashes[0]!.slice(1);
    writeFileSync(file, JSON.stringify(raw));
    const bad = await cli(['rekor', 'verify-entry', file]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/\[FAIL\] root/);
    expect(bad.stdout).toMatch(/NOT VERIFIED/);

    const other = await startRekorLogServer();
    try {
      writeFileSync(path.join(dir, 'other.pem'), other.log.publicKeyPem);
      expect((await cli(['rekor', 'verify-entry', '--log-index', '1', '--rekor-key', path.join(dir, 'other.pem')])).code).toBe(2);
      const wrongKey = await cli(['rekor', 'verify-entry', path.join(dir, 'entry.json'), '--rekor-key', path.join(dir, 'other.pem')]);
      expect(wrongKey.code).toBe(1);
    } finally {
      await other.stop();
    }
    expect((await cli(['rekor', 'verify-entry'])).code).toBe(2);
  }, 120_000);
});

describe('sigscope rekor checkpoint', () => {
  it('exits 0 while the history is consistent, 1 (with a warning) once the log signs a rewritten history', async () => {
    const a = await cli(['rekor', 'checkpoint']);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(a.stdout).toMatch(/SAME|CONSISTENT|FIRST/);
    const size = server.log.size;
    server.log.serveForgedHead({ treeSize: size, rootHash: '77'.repeat(32) });
    try {
      const b = await cli(['rekor', 'checkpoint']);
      expect(b.code).toBe(1);
      expect(b.stdout).toMatch(/INCONSISTENT/);
      expect(b.stdout).toMatch(/HAS REWRITTEN ITS HISTORY/);
    } finally {
      server.log.serveForgedHead(undefined);
    }
    // The rewrite stays on record: lookups exit 1 and say why.
    const c = await cli(['rekor', 'get', '--log-index', '0']);
    expect(c.code).toBe(1);
    expect(c.stdout).toMatch(/PROVEN in log/);
    expect(c.stderr).toMatch(/rewrote its history/);
  }, 120_000);
});
