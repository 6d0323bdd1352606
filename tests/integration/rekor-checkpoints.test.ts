/**
 * Checkpoint history against the sandbox's real Rekor v1 log: each visit's
 * checkpoint is verified and related to the last trusted one with the log's
 * consistency proof; a log that serves a checkpoint signed by its own key for a
 * rewritten history (same size other root, a smaller tree, a larger tree that does
 * not extend the old one) is judged 'inconsistent', and stays flagged.
 */
import { createHash, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryCheckpointStore, observeCheckpoint } from '../../lib/rekor/checkpoints';
import type { ExploreLog } from '../../lib/rekor/explore';
import { checkpointStore, listCheckpointObservations } from '../../lib/db/checkpoints';
import { openDb, type Db } from '../../lib/db';
import { startRekorLogServer, type RekorLogServer } from '../../sandbox/rekor-log';

let server: RekorLogServer;
let log: ExploreLog;
let db: Db;
const http = { timeoutMs: 5000, maxRetries: 0 };

async function appendArtifact(url: string, text: string): Promise<number> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.from(text);
  const res = await fetch(`${url}/api/v1/log/entries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'hashedrekord',
      apiVersion: '0.0.1',
      spec: {
        data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(data).digest('hex') } },
        signature: { content: nodeSign('sha256', data, privateKey).toString('base64'), publicKey: { content: Buffer.from(publicKey.export({ format: 'pem', type: 'spki' }).toString()).toString('base64') } },
      },
    }),
  });
  if (res.status !== 201) throw new Error(`append: ${res.status} ${await res.text()}`);
  return (Object.values((await res.json()) as Record<string, { logIndex: number }>)[0]!).logIndex;
}

beforeAll(async () => {
  server = await startRekorLogServer();
  log = { baseUrl: server.url, version: 'v1', logId: server.log.logIdHex };
  for (let i = 0; i < 3; i++) await appendArtifact(server.url, `artifact ${i}`);
  db = await openDb(`file:${path.join(mkdtempSync(path.join(os.tmpdir(), 'sigscope-cp-')), 'cp.db')}`);
});

afterAll(async () => {
  server.log.serveForgedHead(undefined);
  await server?.stop();
  await db?.$disconnect();
});

describe('checkpoint history (memory store)', () => {
  it('first, same, then consistent across growth (proof verified)', async () => {
    const store = memoryCheckpointStore();
    const keys = [server.log.key];
    const a = await observeCheckpoint(log, keys, store, http);
    expect(a.observation.consistency).toBe('first');
    expect(a.observation.treeSize).toBe(3);
    expect(a.flagged).toBe(false);
    const b = await observeCheckpoint(log, keys, store, http);
    expect(b.observation.consistency).toBe('same');
    expect(b.observation.previousId).toBe(a.observation.id);
    await appendArtifact(server.url, 'grown 1');
    await appendArtifact(server.url, 'grown 2');
    const c = await observeCheckpoint(log, keys, store, http);
    expect(c.observation.consistency).toBe('consistent');
    expect(c.observation.detail).toMatch(/consistency proof verified/);
    expect(c.observation.treeSize).toBe(5);
  });

  it('a checkpoint signed by another key is unverifiable and never becomes the reference', async () => {
    const store = memoryCheckpointStore();
    const other = await startRekorLogServer();
    try {
      const s = await observeCheckpoint(log, [other.log.key], store, http);
      expect(s.observation.consistency).toBe('unverifiable');
      expect(s.observation.detail).toMatch(/signature does not verify/);
      const next = await observeCheckpoint(log, [server.log.key], store, http);
      expect(next.observation.consistency).toBe('first');
    } finally {
      await other.stop();
    }
  });
});

describe('checkpoint history (database) with a log that rewrites history', () => {
  it('flags the same size with another root, a shrunk tree, and growth that does not extend the old tree', async () => {
    const store = checkpointStore(db);
    const keys = [server.log.key];
    const first = await observeCheckpoint(log, keys, store, http);
    expect(first.observation.consistency).toBe('first');
    const size = first.observation.treeSize;

    // Same size, another root, signed by the log's own key.
    server.log.serveForgedHead({ treeSize: size, rootHash: 'ab'.repeat(32) });
    const forked = await observeCheckpoint(log, keys, store, http);
    expect(forked.observation.consistency).toBe('inconsistent');
    expect(forked.observation.detail).toMatch(/different root .* same size/);
    expect(forked.flagged).toBe(true);

    // Smaller tree.
    server.log.serveForgedHead({ treeSize: size - 1, rootHash: 'cd'.repeat(32) });
    const shrunk = await observeCheckpoint(log, keys, store, http);
    expect(shrunk.observation.consistency).toBe('inconsistent');
    expect(shrunk.observation.detail).toMatch(/shrank/);
    // Still compared with the last trusted observation, not with the fork.
    expect(shrunk.observation.previousId).toBe(first.observation.id);

    // Larger, but not an extension: the log's proof leads to its real root, not the forged one.
    await appendArtifact(server.url, 'after fork');
    server.log.serveForgedHead({ treeSize: size + 1, rootHash: 'ef'.repeat(32) });
    const grown = await observeCheckpoint(log, keys, store, http);
    expect(grown.observation.consistency).toBe('inconsistent');
    expect(grown.observation.detail).toMatch(/consistency proof .* does not hold/);

    // Back to the honest head: consistent with the trusted history, but the rewrites stay on record.
    server.log.serveForgedHead(undefined);
    const honest = await observeCheckpoint(log, keys, store, http);
    expect(honest.observation.consistency).toBe('consistent');
    expect(honest.flagged).toBe(true);
    expect(honest.rewrites.map((r) => r.id)).toEqual([grown.observation.id, shrunk.observation.id, forked.observation.id]);

    const history = await listCheckpointObservations(db, server.url);
    expect(history.map((h) => h.consistency)).toEqual(['consistent', 'inconsistent', 'inconsistent', 'inconsistent', 'first']);
    expect(history[1]!.checkpoint).toContain(`\n${size + 1}\n`);
  });
});
