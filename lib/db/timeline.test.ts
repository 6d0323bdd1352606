// Timeline queries on a temp database (SQLite or PostgreSQL) with a crafted history.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../tests/support/database';
import { openDb, type Db } from './client';
import { listTimelineRepositories, loadTimeline } from './timeline';
import { bucketEvents, deriveTagEvents, parseTimelineQuery, timelineQuery } from '../audit/timeline';
import { encodeIdentityKey } from './identity-key';
import { GH_ISSUER, HistoryWriter, workflow } from '../../tests/support/history';

const REG = 'registry.example';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigscope-timeline-'));
let db: Db;
let h: HistoryWriter;
const MAIN = workflow('acme/app', 'release.yml', 'refs/heads/main');
const KEY = 'cd'.repeat(32);
const ids: Record<string, string> = {};

beforeAll(async () => {
  db = await openDb(await testDatabaseUrl(path.join(tmp, 'timeline.db')));
  h = new HistoryWriter(db);
  // acme/app: v1 at 0, v2 at 10 (tag 1.0 then "latest" moving v1 -> v2), run on each.
  const v1 = await h.image(REG, 'acme/app', 'v1', 0);
  const v2 = await h.image(REG, 'acme/app', 'v2', 10);
  ids.v1 = v1.id;
  ids.v2 = v2.id;
  const s1 = await h.keyless(v1, 0, { identity: MAIN, ref: 'refs/heads/main' });
  const s2 = await h.keyless(v2, 10, { identity: MAIN, ref: 'refs/heads/main' });
  const k2 = await h.keySigned(v2, 11, KEY);
  ids.s1 = s1.signature.id;
  ids.c1 = s1.certificate.id;
  await h.tag(v1, '1.0', 2);
  await h.tag(v1, 'latest', 2);
  await h.tag(v1, 'latest', 5); // a repeat: no event
  await h.tag(v2, '2.0', 12);
  await h.tag(v2, 'latest', 12); // moved
  ids.r1 = (await h.run(v1, 2, 'verified', [s1.signature])).id;
  ids.r2 = (await h.run(v2, 12, 'failed', [s2.signature, k2], 'failed')).id;
  // Another repository of the org, and one of another org.
  const other = await h.image(REG, 'acme/other', 'o1', 20);
  await h.keyless(other, 20, { identity: workflow('acme/other', 'ci.yml', 'refs/heads/main'), ref: 'refs/heads/main' });
  await h.run(other, 21, 'unsigned');
  const foreign = await h.image(REG, 'globex/tool', 'g1', 30);
  await h.keyless(foreign, 30, { identity: MAIN, ref: 'refs/heads/main' });
  // A signature without a verified Rekor entry: placed at first-seen time.
  const v3 = await h.image(REG, 'acme/app', 'v3', 40);
  await h.keyless(v3, 40, { identity: MAIN, signedAt: null });
});

afterAll(async () => {
  await db.$disconnect();
  rmSync(tmp, { recursive: true, force: true });
});

const kinds = (events: Array<{ kind: string }>) => events.map((e) => e.kind);

describe('loadTimeline', () => {
  it('gives a repository its signing, certificate, tag and run events, newest first', async () => {
    const t = await loadTimeline(db, { kind: 'repository', registry: REG, repository: 'acme/app' });
    expect(t.truncated).toBe(false);
    const times = t.events.map((e) => e.at.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(t.counts).toEqual({ signed: 4, 'certificate-issued': 3, 'tag-observed': 3, 'tag-moved': 1, verified: 1, failed: 1 });
    const moved = t.events.find((e) => e.kind === 'tag-moved')!;
    expect(moved).toMatchObject({ tag: 'latest', imageId: ids.v2, previousImageId: ids.v1, at: h.at(12) });
    const signed = t.events.find((e) => e.signatureId === ids.s1)!;
    expect(signed).toMatchObject({ kind: 'signed', at: h.at(0), imageId: ids.v1, certificateId: ids.c1, identity: MAIN, issuer: GH_ISSUER });
    const approximate = t.events.find((e) => e.kind === 'signed' && e.approximate);
    expect(approximate?.at).toEqual(h.at(41));
    expect(t.events.find((e) => e.runId === ids.r1)).toMatchObject({ kind: 'verified', detail: 'run verified' });
    expect(t.events.every((e) => e.repository === 'acme/app')).toBe(true);
  });

  it('bounds by window and by take', async () => {
    const t = await loadTimeline(db, { kind: 'repository', registry: REG, repository: 'acme/app' }, { from: h.at(9), to: h.at(12) });
    expect(kinds(t.events).sort()).toEqual(['certificate-issued', 'failed', 'signed', 'signed', 'tag-moved', 'tag-observed'].sort());
    const few = await loadTimeline(db, { kind: 'repository', registry: REG, repository: 'acme/app' }, { take: 3 });
    expect(few.events).toHaveLength(3);
    expect(few.truncated).toBe(true);
    expect(few.events[0]!.at).toEqual(h.at(41));
  });

  it('scopes to one image, including a tag moved onto it', async () => {
    const t = await loadTimeline(db, { kind: 'image', imageId: ids.v2! });
    expect(t.image?.id).toBe(ids.v2);
    expect(t.events.every((e) => e.imageId === ids.v2)).toBe(true);
    expect(kinds(t.events).sort()).toEqual(['certificate-issued', 'failed', 'signed', 'signed', 'tag-moved', 'tag-observed'].sort());
    const none = await loadTimeline(db, { kind: 'image', imageId: 'nosuchimage' });
    expect(none).toMatchObject({ image: null, events: [] });
  });

  it('scopes to an identity across repositories, and to a key', async () => {
    const t = await loadTimeline(db, { kind: 'identity', issuer: GH_ISSUER, subject: MAIN });
    const repos = new Set(t.events.map((e) => e.repository));
    expect(repos).toEqual(new Set(['acme/app', 'globex/tool']));
    expect(t.counts.signed).toBe(4);
    expect(t.counts['certificate-issued']).toBe(4);
    // Runs that judged one of its signatures; no tag events for identities.
    expect(t.counts.verified).toBe(1);
    expect(t.counts.failed).toBe(1);
    expect(t.counts['tag-moved']).toBeUndefined();
    const k = await loadTimeline(db, { kind: 'key', fingerprint: KEY });
    expect(kinds(k.events)).toEqual(['failed', 'signed']);
  });

  it('scopes to an organization by its first path segment', async () => {
    const t = await loadTimeline(db, { kind: 'org', registry: REG, org: 'acme' });
    expect(new Set(t.events.map((e) => e.repository))).toEqual(new Set(['acme/app', 'acme/other']));
    expect(t.counts.unsigned).toBe(1);
  });

  it('lists repositories to choose from', async () => {
    expect(await listTimelineRepositories(db)).toEqual([
      { registry: REG, repository: 'acme/app', images: 3 },
      { registry: REG, repository: 'acme/other', images: 1 },
      { registry: REG, repository: 'globex/tool', images: 1 },
    ]);
  });
});

describe('timeline model', () => {
  it('parses and writes back scopes and windows', () => {
    const repo = parseTimelineQuery({ repository: 'acme/app', registry: REG, from: '2025-03-01T12:00:00Z', to: '2025-03-02' });
    expect(repo.scope).toEqual({ kind: 'repository', registry: REG, repository: 'acme/app' });
    expect(repo.window.from?.toISOString()).toBe('2025-03-01T12:00:00.000Z');
    expect(parseTimelineQuery({ repository: '127.0.0.1:5000/demo/drifting' }).scope).toEqual({ kind: 'repository', registry: '127.0.0.1:5000', repository: 'demo/drifting' });
    expect(parseTimelineQuery({ org: 'ghcr.io/acme' }).scope).toEqual({ kind: 'org', registry: 'ghcr.io', org: 'acme' });
    expect(parseTimelineQuery({ image: 'abc123' }).scope).toEqual({ kind: 'image', imageId: 'abc123' });
    const key = encodeIdentityKey({ kind: 'keyless', issuer: GH_ISSUER, subject: MAIN });
    expect(parseTimelineQuery({ identity: key }).scope).toEqual({ kind: 'identity', issuer: GH_ISSUER, subject: MAIN });
    expect(parseTimelineQuery({ identity: `key.${KEY}` }).scope).toEqual({ kind: 'key', fingerprint: KEY });
    expect(parseTimelineQuery({ identity: 'dev@example.com', issuer: 'https://accounts.google.com' }).scope).toEqual({ kind: 'identity', issuer: 'https://accounts.google.com', subject: 'dev@example.com' });
    for (const scope of [repo.scope!, { kind: 'org' as const, registry: 'ghcr.io', org: 'acme' }, { kind: 'identity' as const, issuer: GH_ISSUER, subject: MAIN }, { kind: 'key' as const, fingerprint: KEY }]) {
      const back = parseTimelineQuery(Object.fromEntries(new URLSearchParams(timelineQuery(scope, repo.window))));
      expect(back.scope).toEqual(scope);
      expect(back.window).toEqual(repo.window);
    }
  });
  it('refuses bad parameters with a reason', () => {
    expect(parseTimelineQuery({}).scope).toBeNull();
    expect(parseTimelineQuery({}).error).toBeUndefined();
    expect(parseTimelineQuery({ image: 'x', from: 'yesterday-ish' }).error).toContain('"from"');
    expect(parseTimelineQuery({ image: 'x', from: '2025-03-02', to: '2025-03-01' }).error).toContain('after');
    expect(parseTimelineQuery({ repository: 'noslash' }).error).toBeDefined();
    expect(parseTimelineQuery({ repository: 'Bad Name', registry: REG }).error).toBeDefined();
    expect(parseTimelineQuery({ org: 'ghcr.io/acme/app' }).error).toBeDefined();
    expect(parseTimelineQuery({ image: '../etc' }).error).toBeDefined();
  });
  it('derives moves per repository and tag, whatever the input order', () => {
    const o = (id: string, repo: string, tag: string, digest: string, minute: number) => ({ id, imageId: `i-${digest}`, registry: REG, repository: repo, tag, digest, observedAt: new Date(minute * 60_000) });
    const events = deriveTagEvents([o('4', 'a', 'latest', 'd1', 30), o('1', 'a', 'latest', 'd1', 0), o('2', 'a', 'latest', 'd2', 10), o('3', 'b', 'latest', 'd2', 20), o('5', 'a', 'latest', 'd2', 40)]);
    expect(events.map((e) => [e.kind, e.repository, e.digest, e.previousDigest]).sort()).toEqual(
      [
        ['tag-observed', 'a', 'd1', null],
        ['tag-moved', 'a', 'd2', 'd1'],
        ['tag-observed', 'b', 'd2', null],
        ['tag-moved', 'a', 'd1', 'd2'],
        ['tag-moved', 'a', 'd2', 'd1'],
      ].sort(),
    );
  });
  it('buckets events on a linear axis', () => {
    const at = (s: number) => new Date(Date.parse('2025-01-01T00:00:00Z') + s * 1000);
    const { sizeMs, buckets } = bucketEvents([
      { kind: 'signed', at: at(0) },
      { kind: 'signed', at: at(1) },
      { kind: 'verified', at: at(600) },
    ]);
    expect(sizeMs).toBe(5000);
    expect(buckets).toHaveLength(121);
    expect(buckets[0]).toMatchObject({ signed: 2, total: 2 });
    expect(buckets[120]).toMatchObject({ verified: 1, total: 1 });
    expect(buckets.reduce((n, b) => n + b.total, 0)).toBe(3);
    expect(bucketEvents([])).toEqual({ sizeMs: 0, buckets: [] });
  });
});
