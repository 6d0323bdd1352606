/**
 * RekorV1Client against a tiny HTTP peer on 127.0.0.1 that answers with the real
 * recorded Rekor responses from ../shared/fixtures (and, for consistency proofs,
 * with a log built here and signed with a key of our own), then with hostile
 * answers: wrong shape, not JSON, oversized, slow, failing, redirecting, or the
 * wrong entry. The peer serves bytes; all checking is the client's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SigscopeError } from '../errors';
import { MemoryMerkleTree } from './merkle';
import { parseCheckpoint } from './proofs';
import { RekorV1Client, proveConsistency, verifyLogInfo, type RekorV1ClientOptions } from './v1-client';
import { verifyV1Entry } from './verify-entry';
import { CHECKPOINTS, JAVA, fixtureJson, fixtureText, makeTestLog, publicGoodKeys, stagingPemKey } from './test-fixtures';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

let server: Server;
let baseUrl: string;
let handler: Handler;
const seen: { method: string; url: string; body: string }[] = [];

const entryJson = fixtureJson<Record<string, { logIndex: number }>>(...JAVA, 'entry.json');
const jarJson = fixtureJson<Record<string, { logIndex: number }>>(...JAVA, 'jar-entry.json');
const ENTRY_UUID = Object.keys(entryJson)[0]!;
const JAR_UUID = Object.keys(jarJson)[0]!;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(text);
}

/** A faithful-enough Rekor v1 peer over the recorded responses. */
const fixturePeer: Handler = (req, res, body) => {
  const url = new URL(req.url ?? '/', 'http://peer');
  const p = url.pathname;
  if (req.method === 'GET' && p === '/api/v1/log') {
    const text = fixtureText(...CHECKPOINTS, 'valid.txt');
    const cp = parseCheckpoint(text);
    if (!cp.ok) throw new Error(cp.reason);
    return send(res, 200, { rootHash: cp.value.checkpoint.rootHash, treeSize: cp.value.checkpoint.treeSize, signedTreeHead: text, treeID: '2605736670972794746' });
  }
  if (req.method === 'GET' && p.startsWith('/api/v1/log/entries/')) {
    const id = p.slice('/api/v1/log/entries/'.length);
    if (id === ENTRY_UUID) return send(res, 200, entryJson);
    if (id === JAR_UUID || id === JAR_UUID.slice(16)) return send(res, 200, jarJson);
    return send(res, 404, { code: 404, message: 'entry not found' });
  }
  if (req.method === 'GET' && p === '/api/v1/log/entries') {
    const i = Number(url.searchParams.get('logIndex'));
    if (i === 1688) return send(res, 200, entryJson);
    if (i === 3120029) return send(res, 200, jarJson);
    return send(res, 404, { code: 404, message: 'no entry at that index' });
  }
  if (req.method === 'POST' && p === '/api/v1/log/entries/retrieve') {
    const q = JSON.parse(body) as { entryUUIDs?: string[]; logIndexes?: number[] };
    const all = [entryJson, jarJson];
    const hit = all.filter((e) => {
      const [uuid, v] = Object.entries(e)[0]!;
      return q.entryUUIDs?.some((u) => uuid.endsWith(u.slice(-64))) || q.logIndexes?.includes(v.logIndex);
    });
    return send(res, 200, hit);
  }
  if (req.method === 'POST' && p === '/api/v1/index/retrieve') {
    const q = JSON.parse(body) as { hash?: string; email?: string };
    if (q.hash === 'sha256:47c1db9fb5fe7ff66e3d7c15b2ca5d3a046ee8f4aa043dedd317e46b321c4390') return send(res, 200, [ENTRY_UUID]);
    if (q.email === 'test@test.com') return send(res, 200, [ENTRY_UUID, ENTRY_UUID.toUpperCase()]);
    return send(res, 200, []);
  }
  return send(res, 404, { code: 404, message: 'no such path' });
};

function client(over: Partial<RekorV1ClientOptions> = {}): RekorV1Client {
  return new RekorV1Client({ baseUrl, timeoutMs: 2000, maxRetries: 2, retryBaseDelayMs: 1, maxRetryDelayMs: 20, ...over });
}

async function expectCode(p: Promise<unknown>, code: string, message?: RegExp): Promise<SigscopeError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SigscopeError);
  const err = e as SigscopeError;
  expect(err.code, err.message).toBe(code);
  if (message) expect(err.message).toMatch(message);
  return err;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', body });
      Promise.resolve(handler(req, res, body)).catch((e: unknown) => {
        if (!res.headersSent) send(res, 599, { message: String(e) });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  handler = fixturePeer;
  seen.length = 0;
});

describe('RekorV1Client on recorded Rekor responses', () => {
  it('reads log info and verifies its signed tree head with the public-good key', async () => {
    const info = await client().getLogInfo();
    expect(info).toMatchObject({ treeSize: 37795272, treeID: '2605736670972794746', inactiveShards: [] });
    const v = verifyLogInfo(info, publicGoodKeys());
    expect(v.ok, v.reason).toBe(true);
    expect(verifyLogInfo({ ...info, treeSize: info.treeSize + 1 }, publicGoodKeys()).reason).toMatch(/log info says size 37795273/);
    expect(verifyLogInfo(info, [stagingPemKey()]).ok).toBe(false);
  });

  it('gets an entry by UUID and by index, and the entry proves itself', async () => {
    const c = client();
    const byUuid = await c.getEntryByUuid(ENTRY_UUID.toUpperCase());
    expect(byUuid.uuid).toBe(ENTRY_UUID);
    expect(verifyV1Entry(byUuid, [stagingPemKey()]).ok).toBe(true);
    const byIndex = await c.getEntryByIndex(1688);
    expect(byIndex).toEqual(byUuid);
    // A 64-hex UUID finds the sharded entry the log names with its 80-hex form.
    const jar = await c.getEntryByUuid(JAR_UUID.slice(16));
    expect(jar.uuid).toBe(JAR_UUID);
    expect(verifyV1Entry(jar, publicGoodKeys()).ok).toBe(true);
  });

  it('retrieves several entries by UUID or index', async () => {
    const c = client();
    const r = await c.retrieveEntries({ entryUUIDs: [ENTRY_UUID, JAR_UUID] });
    expect(r.map((e) => e.logIndex)).toEqual([1688, 3120029]);
    expect((await c.retrieveEntries({ logIndexes: [3120029] })).map((e) => e.uuid)).toEqual([JAR_UUID]);
    expect(await c.retrieveEntries({ logIndexes: [5] })).toEqual([]);
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ logIndexes: [5] });
    await expectCode(c.retrieveEntries({ logIndexes: Array.from({ length: 11 }, (_, i) => i) }), 'INVALID_INPUT', /1 to 10/);
    await expectCode(c.retrieveEntries({ entryUUIDs: ['abc'] }), 'INVALID_INPUT');
  });

  it('searches the index by hash, email, subject and key, validating queries before sending them', async () => {
    const c = client();
    expect(await c.searchIndex({ hash: '47C1DB9FB5FE7FF66E3D7C15B2CA5D3A046EE8F4AA043DEDD317E46B321C4390' })).toEqual([ENTRY_UUID]);
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ hash: 'sha256:47c1db9fb5fe7ff66e3d7c15b2ca5d3a046ee8f4aa043dedd317e46b321c4390' });
    expect(await c.searchIndex({ email: 'test@test.com' })).toEqual([ENTRY_UUID]);
    expect(await c.searchIndex({ subject: 'https://github.com/o/r/.github/workflows/x.yml@refs/heads/main', operator: 'or' })).toEqual([]);
    expect(await c.searchIndex({ publicKey: { format: 'x509', content: Buffer.from(fixtureText(...JAVA, 'rekor.pub')).toString('base64') } })).toEqual([]);
    const before = seen.length;
    await expectCode(c.searchIndex({ email: 'not an email' }), 'INVALID_INPUT');
    await expectCode(c.searchIndex({ hash: 'sha256:123' }), 'INVALID_INPUT');
    await expectCode(c.searchIndex({}), 'INVALID_INPUT');
    await expectCode(c.searchIndex({ publicKey: { format: 'x509', content: '!!' } }), 'INVALID_INPUT');
    expect(seen.length).toBe(before);
  });

  it('maps a missing entry to REKOR_NOT_FOUND with the log message', async () => {
    await expectCode(client().getEntryByUuid('ab'.repeat(32)), 'REKOR_NOT_FOUND', /entry not found/);
    await expectCode(client().getEntryByIndex(7), 'REKOR_NOT_FOUND');
  });
});

describe('consistency proofs from a log that speaks the v1 API (built here)', () => {
  const log = makeTestLog('rekor.test.local', 'ecdsa');

  async function serveTree(tree: MemoryMerkleTree): Promise<void> {
    const root = await tree.root();
    handler = async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://peer');
      if (url.pathname === '/api/v1/log') {
        const sth = log.signCheckpoint({ origin: 'rekor.test.local - 1', treeSize: tree.size, rootHash: root });
        return send(res, 200, { rootHash: root.toString('hex'), treeSize: tree.size, signedTreeHead: sth, treeID: '1' });
      }
      if (url.pathname === '/api/v1/log/proof') {
        const first = Number(url.searchParams.get('firstSize'));
        const last = Number(url.searchParams.get('lastSize'));
        const hashes = await tree.consistencyProof(first, last);
        return send(res, 200, { rootHash: (await tree.root(last)).toString('hex'), hashes: hashes.map((h) => h.toString('hex')) });
      }
      send(res, 404, {});
    };
  }

  it('proves that the log grew without rewriting history, and catches a log that did', async () => {
    const leaves = Array.from({ length: 100 }, (_, i) => Buffer.from(`entry ${i}`));
    const honest = new MemoryMerkleTree(leaves);
    const older = { treeSize: 37, rootHash: (await honest.root(37)).toString('hex') };

    await serveTree(honest);
    const c = client();
    const info = await c.getLogInfo();
    const v = verifyLogInfo(info, [log.key]);
    expect(v.ok, v.reason).toBe(true);
    expect(await proveConsistency(c, older, v.checkpoint!, info.treeID)).toEqual({ ok: true });
    expect(seen.at(-1)!.url).toBe('/api/v1/log/proof?firstSize=37&lastSize=100&treeID=1');

    // The log rewrites entry 10 and signs the new tree: its checkpoint verifies, but no proof links it to what we saw.
    await serveTree(new MemoryMerkleTree(leaves.map((l, i) => (i === 10 ? Buffer.from('rewritten') : l))));
    const forkedInfo = await c.getLogInfo();
    const fv = verifyLogInfo(forkedInfo, [log.key]);
    expect(fv.ok).toBe(true);
    const r = await proveConsistency(c, older, fv.checkpoint!);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/older root/);
    expect((await proveConsistency(c, { treeSize: 200, rootHash: older.rootHash }, fv.checkpoint!)).reason).toMatch(/never shrinks/);
    await expectCode(c.getConsistencyProof(0, 5), 'INVALID_INPUT');
  });
});

describe('hostile or failing logs', () => {
  it('rejects an answer of the wrong shape, a non-JSON answer, and the wrong entry', async () => {
    handler = (_req, res) => send(res, 200, { rootHash: 'zz', treeSize: -1 });
    await expectCode(client().getLogInfo(), 'REKOR_BAD_RESPONSE', /expected shape .*rootHash/);
    handler = (_req, res) => send(res, 200, '<html>hello</html>');
    await expectCode(client().getEntryByIndex(1), 'REKOR_BAD_RESPONSE', /not JSON/);
    handler = (_req, res) => send(res, 200, jarJson);
    await expectCode(client().getEntryByUuid(ENTRY_UUID), 'REKOR_BAD_RESPONSE', /asked for entry/);
    await expectCode(client().getEntryByIndex(1688), 'REKOR_BAD_RESPONSE', /asked for log index 1688/);
    handler = (_req, res) => send(res, 200, [entryJson, jarJson]);
    await expectCode(client().retrieveEntries({ logIndexes: [1688] }), 'REKOR_BAD_RESPONSE', /asked for 1 entries, got 2/);
    handler = (_req, res) => send(res, 200, [jarJson]);
    await expectCode(client().retrieveEntries({ logIndexes: [1688] }), 'REKOR_BAD_RESPONSE', /not asked for/);
    handler = (_req, res) => send(res, 200, ['not-a-uuid']);
    await expectCode(client().searchIndex({ email: 'a@b.c' }), 'REKOR_BAD_RESPONSE');
  });

  it('refuses oversized answers, declared or streamed', async () => {
    const big = JSON.stringify({ x: 'a'.repeat(300 * 1024) });
    handler = (_req, res) => send(res, 200, big);
    await expectCode(client().getLogInfo(), 'SIZE_LIMIT', /over the limit of 262144 bytes/);
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }); // chunked, no length
      for (let i = 0; i < 40; i++) res.write('a'.repeat(64 * 1024));
      res.end();
    };
    await expectCode(client({ maxResponseBytes: 1024 * 1024 }).getEntryByIndex(1), 'SIZE_LIMIT', /more than 1048576 bytes/);
  });

  it('times out a log that does not answer, and one that stalls mid-body, without retrying', async () => {
    handler = () => undefined; // never answers
    const t0 = Date.now();
    await expectCode(client({ timeoutMs: 300 }).getLogInfo(), 'TIMEOUT', /did not answer within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(seen.length).toBe(1);
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"rootHash":');
    };
    await expectCode(client({ timeoutMs: 300 }).getLogInfo(), 'TIMEOUT');
  });

  it('retries 5xx and 429 a bounded number of times, honouring a capped Retry-After', async () => {
    handler = (_req, res) => send(res, 500, { code: 500, message: 'database is down' });
    await expectCode(client({ maxRetries: 2 }).getLogInfo(), 'REKOR_UNREACHABLE', /HTTP 500 .*database is down.*after 3 attempts/);
    expect(seen.length).toBe(3);
    seen.length = 0;
    await expectCode(client({ maxRetries: 0 }).getLogInfo(), 'REKOR_UNREACHABLE');
    expect(seen.length).toBe(1);

    let calls = 0;
    handler = (req, res, body) => (++calls < 3 ? send(res, calls === 1 ? 429 : 503, {}, { 'Retry-After': '3600' }) : fixturePeer(req, res, body));
    const t0 = Date.now();
    expect((await client({ maxRetries: 3 }).getEntryByIndex(1688)).logIndex).toBe(1688);
    expect(calls).toBe(3);
    expect(Date.now() - t0).toBeLessThan(2000); // Retry-After capped at maxRetryDelayMs
    // Search is a read: its POST is retried too.
    calls = 0;
    handler = (req, res, body) => (++calls < 2 ? send(res, 502, 'bad gateway') : fixturePeer(req, res, body));
    expect(await client().searchIndex({ email: 'test@test.com' })).toEqual([ENTRY_UUID]);
  });

  it('reports redirects and other client errors instead of following them', async () => {
    handler = (_req, res) => send(res, 302, '', { Location: 'https://elsewhere.example/api/v1/log' });
    await expectCode(client().getLogInfo(), 'REKOR_BAD_RESPONSE', /redirect to https:\/\/elsewhere.example.*does not follow redirects/);
    handler = (_req, res) => send(res, 400, { code: 400, message: 'invalid \u001b[31mquery' });
    const e = await expectCode(client().searchIndex({ email: 'a@b.c' }), 'REKOR_BAD_RESPONSE', /HTTP 400: invalid \\u001b\[31mquery/);
    expect(e.message).not.toContain('\u001b');
  });

  it('reports a log that is not running, and refuses plain HTTP to a non-loopback host unless allowed', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expectCode(new RekorV1Client({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 1000, maxRetries: 1, retryBaseDelayMs: 1 }).getLogInfo(), 'REKOR_UNREACHABLE', /connection refused/);

    expect(() => new RekorV1Client({ baseUrl: 'http://rekor.example.com', timeoutMs: 1000, maxRetries: 0 })).toThrow(/plain HTTP/);
    expect(() => new RekorV1Client({ baseUrl: 'http://rekor.internal:3000', timeoutMs: 1000, maxRetries: 0, allowHttp: ['rekor.internal:3000'] })).not.toThrow();
    expect(() => new RekorV1Client({ baseUrl: 'ftp://rekor.example.com', timeoutMs: 1000, maxRetries: 0 })).toThrow(/https/);
    expect(() => new RekorV1Client({ baseUrl: 'https://u:p@rekor.example.com', timeoutMs: 1000, maxRetries: 0 })).toThrow(/credentials/);
    expect(() => new RekorV1Client({ baseUrl: 'https://rekor.sigstore.dev', timeoutMs: 0, maxRetries: 0 })).toThrow(/timeoutMs/);
    expect(() => new RekorV1Client({ baseUrl: 'https://rekor.sigstore.dev', timeoutMs: 1000, maxRetries: 99 })).toThrow(/maxRetries/);
  });
});
