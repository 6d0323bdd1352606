/**
 * The explorer and checkpoint history on a Rekor v2 (tiles) log served here: a
 * tiled log of 600 entries (full and partial tiles) holding the real hashedrekord
 * 0.0.2 body of sigstore-java's entry-v2.json, checkpoints in the v2 format signed
 * with a key of our own (the only way to have a v2 log on loopback; no fixture holds
 * tiles). v2 has no search index: searches say so; indexes and bounded ranges are
 * read from the tiles and proven; a checkpoint for another tree is 'inconsistent'.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryCheckpointStore, observeCheckpoint } from './checkpoints';
import { explore, type ExploreContext } from './explore';
import { MemoryMerkleTree } from './merkle';
import { parseSearchText } from './search';
import { tileWidth } from './v2-tiles';
import { JAVA, fixtureJson, makeTestLog, type TestLog } from './test-fixtures';

const SIZE = 600;
const realBody = Buffer.from(fixtureJson<{ canonicalizedBody: string }>(...JAVA, 'entry-v2.json').canonicalizedBody, 'base64');
const entries = Array.from({ length: SIZE }, (_, i) => (i === 257 ? realBody : Buffer.from(`{"entry":${i}}`)));
const tree = new MemoryMerkleTree(entries);
const forkTree = new MemoryMerkleTree(entries.map((e, i) => (i === 3 ? Buffer.from('{"entry":"rewritten"}') : e)));

let server: Server;
let log: TestLog;
let ctx: ExploreContext;
const state = { published: SIZE, fork: false };

function decodeIndex(p: string): number {
  return p.split('/').reduce((n, part) => n * 1000 + Number(part.replace(/^x/, '')), 0);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
      const t = state.fork ? forkTree : tree;
      if (path === 'checkpoint') return res.writeHead(200).end(log.signCheckpoint({ treeSize: state.published, rootHash: await t.root(state.published) }));
      const m = /^tile\/(entries|\d+)\/(.+?)(?:\.p\/(\d+))?$/.exec(path);
      if (!m) return res.writeHead(404).end();
      const level = m[1] === 'entries' ? 0 : Number(m[1]);
      const index = decodeIndex(m[2]!);
      const width = m[3] ? Number(m[3]) : 256;
      if (width !== tileWidth(level, BigInt(index), BigInt(state.published))) return res.writeHead(404).end();
      const parts: Buffer[] = [];
      for (let i = 0; i < width; i++) {
        if (m[1] === 'entries') {
          const e = entries[index * 256 + i]!;
          parts.push(Buffer.from([e.length >> 8, e.length & 0xff]), e);
        } else parts.push(await t.source(8 * level, BigInt(index * 256 + i)));
      }
      res.writeHead(200).end(Buffer.concat(parts));
    })().catch((e: unknown) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  log = makeTestLog(`127.0.0.1:${port}`, 'ed25519', baseUrl);
  ctx = { trustRoot: { name: 'v2-test', hash: 'x' }, logs: [{ baseUrl, version: 'v2', logId: log.key.logId.toString('hex') }], keys: [log.key] };
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const http = { timeoutMs: 5000, maxRetries: 0 };

describe('explorer on a Rekor v2 log', () => {
  it('says there is no search index for hashes and identities, and offers index, bundle and range', async () => {
    for (const text of ['dev@example.com', `sha256:${'ab'.repeat(32)}`, 'https://github.com/acme/x']) {
      const input = parseSearchText(text);
      if (input.kind !== 'query') throw new Error('not a query');
      const r = await explore(ctx, input.query, http);
      expect(r.entries).toEqual([]);
      expect(r.messages[0]).toMatch(/Rekor v2 log: it has no search index .*by log index, paste a bundle .*scan a range of at most 256/);
    }
  });

  it('finds the real entry by log index, proven from the tiles', async () => {
    const r = await explore(ctx, { logIndex: 257 }, http);
    expect(r.entries.map((e) => [e.logIndex, e.status, e.logVersion])).toEqual([[257, 'proven', 'v2']]);
    expect(r.entries[0]!.decoded.kind).toBe('hashedrekord');
  });

  it('scans a bounded range across a tile boundary and into the partial tile, each proven; stops at the checkpoint', async () => {
    const input = parseSearchText('250-262');
    if (input.kind !== 'query') throw new Error('not a query');
    const r = await explore(ctx, input.query, http);
    expect(r.entries.map((e) => e.logIndex).sort((a, b) => a - b)).toEqual(Array.from({ length: 13 }, (_, i) => 250 + i));
    expect(r.entries.every((e) => e.status === 'proven')).toBe(true);
    const tail = await explore(ctx, { range: { start: 590, count: 20 } }, http);
    expect(tail.entries).toHaveLength(10);
    expect(tail.messages[0]).toMatch(/ends before index 609; 10 entries read/);
  });

  it('records checkpoints: consistent across growth (proof from tiles), inconsistent for a rewritten tree', async () => {
    const store = memoryCheckpointStore();
    state.published = 300;
    expect((await observeCheckpoint(ctx.logs[0]!, ctx.keys, store, http)).observation.consistency).toBe('first');
    state.published = SIZE;
    const grown = await observeCheckpoint(ctx.logs[0]!, ctx.keys, store, http);
    expect(grown.observation.consistency).toBe('consistent');
    state.fork = true;
    try {
      state.published = SIZE;
      const same = await observeCheckpoint(ctx.logs[0]!, ctx.keys, store, http);
      expect(same.observation.consistency).toBe('inconsistent');
      expect(same.flagged).toBe(true);
    } finally {
      state.fork = false;
    }
  });
});
