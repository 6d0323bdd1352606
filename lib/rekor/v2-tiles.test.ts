/**
 * The Rekor v2 (tlog-tiles) reader against a tiled log served on 127.0.0.1. No
 * fixture holds real tiles, so the log is built here: 70,000 entries (the tile
 * layout example of c2sp.org/tlog-tiles: full and partial tiles on three levels),
 * the real hashedrekord 0.0.2 body of sigstore-java's entry-v2.json among them,
 * checkpoints in the real Rekor v2 format signed with an Ed25519 key of our own
 * (key ID per c2sp.org/signed-note, log ID per rekor-tiles' trusted-root rule).
 * Then the log lies: a flipped tile hash, a rewritten entry, a short tile, a
 * checkpoint from another key or origin.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SigscopeError } from '../errors';
import { MemoryMerkleTree } from './merkle';
import { parseCheckpoint } from './proofs';
import { RekorV2TileClient, encodeTileIndex, entryBundlePath, parseEntryBundle, tilePath, tileWidth, type RekorV2TilesOptions } from './v2-tiles';
import { JAVA, fixtureJson, makeTestLog, type TestLog } from './test-fixtures';

const SIZE = 70_000;
const realBody = Buffer.from(fixtureJson<{ canonicalizedBody: string }>(...JAVA, 'entry-v2.json').canonicalizedBody, 'base64');
const entries = Array.from({ length: SIZE }, (_, i) => (i === 743 || i === SIZE - 1 ? realBody : Buffer.from(`{"entry":${i}}`)));
const tree = new MemoryMerkleTree(entries);

interface PeerState {
  published: number;
  prefix: string;
  checkpoint?: string;
  /** Edits the bytes of a tile or bundle before sending. */
  tamper?: (kind: 'tile' | 'entries', level: number, index: number, body: Buffer) => Buffer;
  /** Partial tiles/bundles answer 404 (the log pruned them after the full one appeared). */
  noPartials?: boolean;
}

let server: Server;
let baseUrl: string;
let log: TestLog;
let state: PeerState;
const requested: string[] = [];

function decodeIndex(parts: string[]): number | undefined {
  if (parts.length === 0) return undefined;
  let n = 0;
  for (const [i, p] of parts.entries()) {
    const last = i === parts.length - 1;
    const m = (last ? /^(\d{3})$/ : /^x(\d{3})$/).exec(p);
    if (!m) return undefined;
    n = n * 1000 + Number(m[1]);
  }
  return n;
}

function notFound(res: ServerResponse): void {
  res.writeHead(404).end('not found');
}

async function handle(path: string, res: ServerResponse): Promise<void> {
  requested.push(path);
  const prefix = state.prefix ? `/${state.prefix}` : '';
  if (!path.startsWith(`${prefix}/`)) return notFound(res);
  const rest = path.slice(prefix.length + 1);
  if (rest === 'checkpoint') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(state.checkpoint ?? (await checkpointAt(state.published)));
    return;
  }
  const m = /^tile\/(entries|\d+)\/(.+?)(?:\.p\/(\d+))?$/.exec(rest);
  if (!m) return notFound(res);
  const index = decodeIndex(m[2]!.split('/'));
  if (index === undefined) return notFound(res);
  const level = m[1] === 'entries' ? 0 : Number(m[1]);
  const width = m[3] === undefined ? 256 : Number(m[3]);
  // Serve only what the log holds: the published tree, or (after pruning partials) the grown one.
  const available = tileWidth(level, BigInt(index), BigInt(state.noPartials ? tree.size : state.published));
  if (m[3] !== undefined ? state.noPartials || width > available : available !== 256) return notFound(res);
  let body: Buffer;
  if (m[1] === 'entries') {
    const parts: Buffer[] = [];
    for (let i = 0; i < width; i++) {
      const e = entries[index * 256 + i]!;
      const len = Buffer.alloc(2);
      len.writeUInt16BE(e.length);
      parts.push(len, e);
    }
    body = Buffer.concat(parts);
    if (state.tamper) body = state.tamper('entries', 0, index, body);
  } else {
    const hashes: Buffer[] = [];
    for (let i = 0; i < width; i++) hashes.push(await tree.source(8 * level, BigInt(index * 256 + i)));
    body = Buffer.concat(hashes);
    if (state.tamper) body = state.tamper('tile', level, index, body);
  }
  res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(body);
}

async function checkpointAt(size: number, signer: TestLog = log, origin = log.name): Promise<string> {
  return signer.signCheckpoint({ origin, treeSize: size, rootHash: await tree.root(size) });
}

function client(over: Partial<RekorV2TilesOptions> = {}): RekorV2TileClient {
  return new RekorV2TileClient({ baseUrl, timeoutMs: 5000, maxRetries: 0, ...over });
}

async function rejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(SigscopeError);
  expect((e as SigscopeError).code, (e as Error).message).toBe(code);
  if (message) expect((e as Error).message).toMatch(message);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    handle(new URL(req.url ?? '/', 'http://peer').pathname, res).catch((e: unknown) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;
  log = makeTestLog(`127.0.0.1:${port}`, 'ed25519', baseUrl);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  state = { published: SIZE, prefix: '' };
  requested.length = 0;
});

describe('tile paths and bundles (c2sp.org/tlog-tiles)', () => {
  it('encodes tile indexes in x-prefixed 3-digit groups', () => {
    expect(encodeTileIndex(1234067)).toBe('x001/x234/067');
    expect(encodeTileIndex(0)).toBe('000');
    expect(encodeTileIndex(999)).toBe('999');
    expect(encodeTileIndex(1000)).toBe('x001/000');
    expect(encodeTileIndex(1_000_000_000n)).toBe('x001/x000/x000/000');
    expect(tilePath(0, 1234067)).toBe('tile/0/x001/x234/067');
    expect(tilePath(1, 273, 112)).toBe('tile/1/273.p/112');
    expect(entryBundlePath(5, 256)).toBe('tile/entries/005');
    expect(entryBundlePath(273, 112)).toBe('tile/entries/273.p/112');
    expect(() => tilePath(64, 0)).toThrow();
    expect(() => entryBundlePath(1, 0)).toThrow();
  });

  it('sizes the tiles of a 70,000-entry tree as the spec example does', () => {
    const s = 70_000n;
    expect(tileWidth(0, 272n, s)).toBe(256);
    expect(tileWidth(0, 273n, s)).toBe(112);
    expect(tileWidth(0, 274n, s)).toBe(0);
    expect(tileWidth(1, 0n, s)).toBe(256);
    expect(tileWidth(1, 1n, s)).toBe(17);
    expect(tileWidth(2, 0n, s)).toBe(1);
    expect(tileWidth(1, 0n, 256n)).toBe(1);
  });

  it('splits entry bundles and rejects malformed ones', () => {
    const bundle = Buffer.from([0, 2, 0x61, 0x62, 0, 0, 0, 1, 0x63]);
    const p = parseEntryBundle(bundle, 3);
    expect(p.ok && p.value.map((b) => b.toString())).toEqual(['ab', '', 'c']);
    expect(parseEntryBundle(bundle, 2)).toMatchObject({ ok: false, reason: expect.stringMatching(/holds 3 entries, expected 2/) });
    expect(parseEntryBundle(bundle.subarray(0, 8)).ok).toBe(false);
    expect(parseEntryBundle(Buffer.from([0])).ok).toBe(false);
  });
});

describe('RekorV2TileClient on a log built here', () => {
  it('reads and verifies the checkpoint (signature and origin), and the tiles give its root', async () => {
    const c = client();
    expect(c.origin).toBe(log.name);
    const v = await c.getVerifiedCheckpoint([log.key]);
    expect(v.ok, v.reason).toBe(true);
    expect(v.checkpoint).toMatchObject({ origin: log.name, treeSize: SIZE, rootHash: (await tree.root()).toString('hex') });
    expect((await c.rootFromTiles(SIZE)).equals(await tree.root())).toBe(true);
    // The real Rekor v2 checkpoint format: the same three lines, an Ed25519 signature line.
    const real = parseCheckpoint(fixtureJson<{ inclusionProof: { checkpoint: { envelope: string } } }>(...JAVA, 'entry-v2.json').inclusionProof.checkpoint.envelope);
    const ours = parseCheckpoint(v.text);
    expect(real.ok && ours.ok && [real.value.checkpoint.extensions, ours.value.checkpoint.extensions]).toEqual([[], []]);
    expect(real.ok && ours.ok && [real.value.signatures[0]!.signature.length, ours.value.signatures[0]!.signature.length]).toEqual([64, 64]);
  });

  it('finds and proves entries by index across full and partial tiles on three levels', async () => {
    const c = client();
    for (const i of [0, 255, 256, 743, 65535, 65536, 69887, 69888, SIZE - 1]) {
      const r = await c.proveEntry(i, [log.key]);
      expect(r.ok, `${i}: ${r.reason}`).toBe(true);
      expect(r.verification.inclusionVerified).toBe(true);
      expect(r.entry.inclusionProof?.treeSize).toBe(SIZE);
      expect(Buffer.from(r.entry.canonicalizedBody, 'base64').equals(entries[i]!)).toBe(true);
    }
    const real = await c.proveEntry(743, [log.key]);
    expect(real.body).toMatchObject({ supported: true, kind: 'hashedrekord', apiVersion: '0.0.2' });
    expect(real.entry).toMatchObject({ kind: 'hashedrekord', version: '0.0.2', logId: log.key.logId.toString('hex') });
    expect(real.verification.steps.map((s) => `${s.id}:${s.status}`)).toEqual(['log:passed', 'inclusion:passed', 'checkpoint:passed', 'set:absent']);
    expect(requested).toContain('/tile/entries/002');
    expect(requested).toContain('/tile/0/273.p/112');
    expect(requested).toContain('/tile/2/000.p/1');
  });

  it('scans a bounded range, stopping at the checkpoint', async () => {
    const r = await client().scanEntries(SIZE - 10, 50, [log.key]);
    expect(r.map((e) => e.logIndex)).toEqual(Array.from({ length: 10 }, (_, i) => SIZE - 10 + i));
    expect(r.every((e) => e.ok)).toBe(true);
    await rejects(client().scanEntries(0, 5000, [log.key]), 'INVALID_INPUT');
  });

  it('proves consistency between an older and the current checkpoint, and detects a rewritten log', async () => {
    const c = client();
    const cur = await c.getVerifiedCheckpoint([log.key]);
    const older = { treeSize: 1000, rootHash: (await tree.root(1000)).toString('hex') };
    expect(await c.proveConsistency(older, cur.checkpoint!)).toEqual({ ok: true });
    const forked = new MemoryMerkleTree(entries.slice(0, 1000).map((e, i) => (i === 5 ? Buffer.from('rewritten') : e)));
    const r = await c.proveConsistency({ treeSize: 1000, rootHash: (await forked.root()).toString('hex') }, cur.checkpoint!);
    expect(r.ok).toBe(false);
    expect((await c.proveConsistency({ treeSize: SIZE + 1, rootHash: older.rootHash }, cur.checkpoint!)).reason).toMatch(/never shrinks/);
  });

  it('works under the /api/v2 prefix of a Rekor v2 server', async () => {
    state.prefix = 'api/v2';
    const r = await client({ pathPrefix: '/api/v2/' }).proveEntry(12345, [log.key]);
    expect(r.ok, r.reason).toBe(true);
    expect(requested[0]).toBe('/api/v2/checkpoint');
  });

  it('falls back to the full tile when a partial one is gone', async () => {
    state.published = 300; // checkpoint at 300; the server has pruned partials and serves full tiles of the grown log
    state.noPartials = true;
    const small = new MemoryMerkleTree(entries.slice(0, 300));
    state.checkpoint = log.signCheckpoint({ treeSize: 300, rootHash: await small.root() });
    const r = await client().proveEntry(299, [log.key]);
    expect(r.ok, r.reason).toBe(true);
    expect(requested).toContain('/tile/0/001.p/44');
    expect(requested).toContain('/tile/0/001');
  });
});

describe('a lying tiled log', () => {
  it('a flipped hash in an upper tile makes the proof fail (not throw)', async () => {
    state.tamper = (kind, level, _index, body) => {
      if (kind !== 'tile' || level !== 1) return body;
      const b = Buffer.from(body);
      for (let i = 0; i < b.length; i += 32) b[i] = b[i]! ^ 1;
      return b;
    };
    const r = await client().proveEntry(300, [log.key]);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/^inclusion: the audit path leads to root/);
  });

  it('a rewritten entry in its bundle makes the proof fail', async () => {
    state.tamper = (kind, _level, index, body) => {
      if (kind !== 'entries' || index !== 2) return body;
      return Buffer.from(body.toString('latin1').replace('"entry":600', '"entry":601'), 'latin1');
    };
    const r = await client().proveEntry(600, [log.key]);
    expect(r.ok).toBe(false);
    expect(Buffer.from(r.entry.canonicalizedBody, 'base64').toString()).toBe('{"entry":601}');
    expect(r.verification.steps.find((s) => s.id === 'inclusion')?.status).toBe('failed');
  });

  it('a short tile or a malformed bundle is a bad answer', async () => {
    state.tamper = (kind, level, index, body) => (kind === 'tile' && level === 0 && index === 273 ? body.subarray(0, 100) : body);
    const r = await client().proveEntry(SIZE - 1, [log.key]);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/100 bytes, expected 3584/);
    state.tamper = (kind, _l, _i, body) => (kind === 'entries' ? body.subarray(0, body.length - 1) : body);
    await rejects(client().proveEntry(5, [log.key]), 'REKOR_BAD_RESPONSE', /cut short/);
  });

  it('a checkpoint from another key or for another origin is refused before anything is read', async () => {
    state.checkpoint = await checkpointAt(SIZE, makeTestLog(log.name, 'ed25519'));
    await rejects(client().proveEntry(5, [log.key]), 'REKOR_BAD_RESPONSE', /checkpoint .* does not verify: no signature/);
    state.checkpoint = await checkpointAt(SIZE, log, 'other.example/log');
    await rejects(client().proveEntry(5, [log.key]), 'REKOR_BAD_RESPONSE', /origin other.example\/log/);
    expect(requested.filter((p) => p.includes('tile'))).toEqual([]);
  });

  it('an index past the verified checkpoint is not found', async () => {
    state.published = 1000;
    await rejects(client().proveEntry(1000, [log.key]), 'REKOR_NOT_FOUND', /has 1000 entries/);
    await rejects(client().proveEntry(-1, [log.key]), 'INVALID_INPUT');
  });
});
