import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RekorV1Client } from '../rekor/v1-client';
import { JsonLimitError, MAX_JSON_DEPTH, jsonDepth, parseBoundedJson } from './json';

describe('jsonDepth', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['[[],[[]]]', 3],
    ['{"a":{"b":[1,{"c":2}]}}', 4],
    ['"[[[[[[["', 0], // brackets inside strings do not count
    ['{"a":"\\"[[[["}', 1], // nor after an escaped quote
    ['["\\\\",[1]]', 2], // an escaped backslash ends before the closing quote
  ])('%s → %d', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });
});

describe('parseBoundedJson', () => {
  it('parses what is within the bound and refuses what is deeper, before parsing', () => {
    const ok = `${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`;
    expect(parseBoundedJson(ok)).toBeInstanceOf(Array);
    const deep = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
    expect(() => parseBoundedJson(Buffer.from(deep))).toThrow(JsonLimitError);
    expect(() => parseBoundedJson(deep)).toThrow(/JSON nested deeper than 64 levels/);
    expect(() => parseBoundedJson('{"a":')).toThrow(SyntaxError);
  });
});

describe('a Rekor log answering deeply nested JSON', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      const body = `{"treeSize":1,"rootHash":"00","signedTreeHead":"x","treeID":"1","inactiveShards":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('is a bad answer that says why', async () => {
    const client = new RekorV1Client({ baseUrl: url, timeoutMs: 5000, maxRetries: 0 });
    await expect(client.getLogInfo()).rejects.toMatchObject({ code: 'REKOR_BAD_RESPONSE', message: expect.stringMatching(/the answer is JSON nested deeper than 64 levels/) });
  });
});
