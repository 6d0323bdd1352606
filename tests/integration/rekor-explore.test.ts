/**
 * lib/rekor/explore and `sigscope rekor` against the sandbox's real Rekor v1 log:
 * lookups and index searches return proven entries; a peer that tampers with
 * the log's answers gets its entries shown as NOT proven.
 */
import { execFile } from 'node:child_process';
import { createHash, KeyObject, sign as nodeSign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RekorV1Client } from '../../lib/rekor';
import { artifactHashOf, explore, exploreContext, linkEntries, parseExploreQuery, queryFromEntryId, signerOf, type ExploreContext, type SignatureFinder } from '../../lib/rekor/explore';
import { loadTrustRoot } from '../../lib/verify/trust-root';
import * as x509 from '../../lib/x509/peculiar';
import { PROJECT_ROOT } from '../../lib/settings';
import { startTestWorld, type TestWorld } from '../support/world';

const exec = promisify(execFile);
const EMAIL = 'explorer-test@example.test';
const DATA = Buffer.from('an artifact the explorer must find');
const DATA_SHA = `sha256:${createHash('sha256').update(DATA).digest('hex')}`;

let t: TestWorld;
let ctx: ExploreContext;
let emailIndex: number;
let emailUuid: string;
let tamperer: Server;
let tamperUrl: string;

/** Appends a hashedrekord over DATA signed by a self-signed certificate with an email SAN. */
async function appendEmailEntry(rekorURL: string): Promise<{ logIndex: number; uuid: string }> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const pair = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '02',
    name: 'O=sigscope explorer test',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    signingAlgorithm: alg,
    keys: pair,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'email', value: EMAIL }])],
  });
  const signature = nodeSign('sha256', DATA, { key: KeyObject.from(pair.privateKey), dsaEncoding: 'der' });
  const res = await fetch(`${rekorURL}/api/v1/log/entries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'hashedrekord',
      apiVersion: '0.0.1',
      spec: {
        data: { hash: { algorithm: 'sha256', value: DATA_SHA.slice(7) } },
        signature: { content: signature.toString('base64'), publicKey: { content: Buffer.from(cert.toString('pem')).toString('base64') } },
      },
    }),
  });
  expect(res.status).toBe(201);
  const json = (await res.json()) as Record<string, { logIndex: number }>;
  const [uuid, value] = Object.entries(json)[0]!;
  return { logIndex: value.logIndex, uuid };
}

beforeAll(async () => {
  t = await startTestWorld();
  ({ logIndex: emailIndex, uuid: emailUuid } = await appendEmailEntry(t.world.sigstore.rekorURL));
  ctx = exploreContext(loadTrustRoot(t.world.trustedRootPath));
  // A peer in front of the real log that flips one hash of every inclusion proof.
  tamperer = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const upstream = await fetch(`${t.world.sigstore.rekorURL}${req.url}`, {
      method: req.method,
      headers: { 'content-type': 'application/json' },
      body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
    });
    let text = await upstream.text();
    if (upstream.ok && req.url?.includes('/log/entries')) {
      const json = JSON.parse(text) as unknown;
      const entries = Array.isArray(json) ? (json as Record<string, { verification?: { inclusionProof?: { hashes: string[] } } }>[]) : [json as Record<string, { verification?: { inclusionProof?: { hashes: string[] } } }>];
      for (const m of entries) {
        for (const v of Object.values(m)) {
          const h = v.verification?.inclusionProof?.hashes;
          if (h && h.length > 0) h[0] = (h[0]!.startsWith('0') ? '1' : '0') + h[0]!.slice(1);
        }
      }
      text = JSON.stringify(json);
    }
    res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
  });
  await new Promise<void>((r) => tamperer.listen(0, '127.0.0.1', r));
  tamperUrl = `http://127.0.0.1:${(tamperer.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  tamperer?.close();
  await t?.world.stop();
});

describe('lib/rekor/explore against the sandbox log', () => {
  it('finds the sandbox log (v1, loopback HTTP) in its trusted root', () => {
    expect(ctx.logs).toEqual([expect.objectContaining({ baseUrl: t.world.sigstore.rekorURL.replace(/\/+$/, ''), version: 'v1', logId: t.world.sigstore.rekorLogIdHex })]);
  });

  it('looks an entry up by log index and by UUID, proven, with its signer and artifact hash', async () => {
    const byIndex = await explore(ctx, { logIndex: emailIndex });
    expect(byIndex.entries).toHaveLength(1);
    const e = byIndex.entries[0]!;
    expect(e.status).toBe('proven');
    expect(e.verification.inclusionVerified && e.verification.setVerified).toBe(true);
    expect(e.verification.steps.map((s) => [s.id, s.status])).toEqual([['log', 'passed'], ['uuid', 'passed'], ['inclusion', 'passed'], ['checkpoint', 'passed'], ['set', 'passed']]);
    expect(signerOf(e)).toBe(EMAIL);
    expect(artifactHashOf(e)).toBe(DATA_SHA);
    expect(e.checkpointText).toContain(e.verification.checkpoint!.origin);

    const byUuid = await explore(ctx, queryFromEntryId(emailUuid));
    expect(byUuid.entries.map((x) => [x.logIndex, x.status])).toEqual([[emailIndex, 'proven']]);
    expect((await explore(ctx, queryFromEntryId(`index-${emailIndex}`))).entries[0]!.uuid).toBe(e.uuid);
  });

  it('searches the index by sha256 and by email, every hit proven', async () => {
    const bySha = await explore(ctx, parseExploreQuery({ sha256: DATA_SHA }));
    expect(bySha.entries.map((e) => [e.logIndex, e.status])).toEqual([[emailIndex, 'proven']]);
    const byEmail = await explore(ctx, parseExploreQuery({ email: EMAIL.toUpperCase() }));
    expect(byEmail.entries.map((e) => e.logIndex)).toEqual([emailIndex]);
    const none = await explore(ctx, parseExploreQuery({ sha256: 'ab'.repeat(32) }));
    expect(none.entries).toEqual([]);
    expect(none.messages[0]).toMatch(/no entry/);
  });

  it('proves the first entry of the seeded log too', async () => {
    const size = (await new RekorV1Client({ baseUrl: t.world.sigstore.rekorURL, timeoutMs: 5000, maxRetries: 0 }).getLogInfo()).treeSize;
    expect(size).toBeGreaterThan(emailIndex);
    const r = await explore(ctx, { logIndex: 0 });
    expect(r.entries[0]!.status).toBe('proven');
  });

  it('reports an index beyond the log as not found, and bad input as INVALID_INPUT', async () => {
    const r = await explore(ctx, { logIndex: 10_000_000 });
    expect(r.entries).toEqual([]);
    expect(() => parseExploreQuery({ sha256: 'nope' })).toThrow(/sha256/);
    expect(() => parseExploreQuery({ email: 'a@b', uuid: 'ab'.repeat(32) })).toThrow(/exactly one/);
  });

  it('shows entries from a tampering peer as NOT proven, never trusted', async () => {
    const hostile: ExploreContext = { ...ctx, logs: ctx.logs.map((l) => ({ ...l, baseUrl: tamperUrl })) };
    for (const q of [{ logIndex: emailIndex }, { sha256: DATA_SHA }]) {
      const r = await explore(hostile, q);
      expect(r.entries).toHaveLength(1);
      expect(r.entries[0]!.status).toBe('not-proven');
      expect(r.entries[0]!.verification.steps.find((s) => s.id === 'inclusion')?.status).toBe('failed');
    }
  });

  it('says a Rekor v2 log has no search index', async () => {
    const v2: ExploreContext = { ...ctx, logs: [{ baseUrl: 'https://log2025-1.rekor.example', version: 'v2', logId: 'ab'.repeat(32) }] };
    const r = await explore(v2, { email: EMAIL });
    expect(r.entries).toEqual([]);
    expect(r.messages[0]).toMatch(/v2 log: it has no search index/);
  });

  it('links entries to stored signatures with the same log index and log ID', async () => {
    const r = await explore(ctx, { logIndex: emailIndex });
    const image = { id: 'img1', registry: 'r', repository: 'acme/widget', digest: 'sha256:' + '0'.repeat(64) };
    const finder: SignatureFinder = {
      signature: {
        findMany: async () => [
          { id: 's1', kind: 'cosign-sig', identity: EMAIL, oidcIssuer: null, publicKeyFingerprint: null, certificateId: null, rekorLogIndex: BigInt(emailIndex), rekorLogId: ctx.logs[0]!.logId, image },
          { id: 's2', kind: 'cosign-sig', identity: EMAIL, oidcIssuer: null, publicKeyFingerprint: null, certificateId: null, rekorLogIndex: BigInt(emailIndex), rekorLogId: 'ff'.repeat(32), image },
        ],
      },
    };
    await linkEntries(finder, r.entries);
    expect(r.entries[0]!.signatures.map((s) => s.signatureId)).toEqual(['s1']);
  });
});

describe('bin/sigscope rekor', () => {
  const cli = async (args: string[]) => {
    try {
      const { stdout } = await exec(path.join(PROJECT_ROOT, 'bin/sigscope'), args, { env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: `file:${path.join(t.dir, 'cli.db')}` } });
      return { code: 0, stdout };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  it('get --log-index: exit 0 with a proven entry (json)', async () => {
    const r = await cli(['rekor', 'get', '--log-index', String(emailIndex), '--trusted-root', t.world.trustedRootPath, '--output', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { entries: Array<{ status: string; uuid: string }> };
    expect(json.entries.map((e) => e.status)).toEqual(['proven']);
    expect(json.entries[0]!.uuid).toBe(emailUuid);
  }, 60_000);

  it('search --email / --sha: exit 0 (text); not found: exit 1; bad input: exit 2', async () => {
    const byEmail = await cli(['rekor', 'search', '--email', EMAIL, '--trusted-root', t.world.trustedRootPath]);
    expect(byEmail.code).toBe(0);
    expect(byEmail.stdout).toContain('PROVEN in log');
    expect((await cli(['rekor', 'search', '--sha', DATA_SHA, '--trusted-root', t.world.trustedRootPath])).code).toBe(0);
    expect((await cli(['rekor', 'search', '--sha', `sha256:${'ab'.repeat(32)}`, '--trusted-root', t.world.trustedRootPath])).code).toBe(1);
    expect((await cli(['rekor', 'get', '--log-index', 'x1', '--trusted-root', t.world.trustedRootPath])).code).toBe(2);
    expect((await cli(['rekor', 'get', '--trusted-root', t.world.trustedRootPath])).code).toBe(2);
    expect((await cli(['rekor', 'get', '--log-index', '1', '--trusted-root', '/nonexistent/root.json'])).code).toBe(2);
  }, 120_000);
});
