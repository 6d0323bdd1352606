// Findings from stored history and their acknowledgements, on a temp database (SQLite, or PostgreSQL in the PostgreSQL pass).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../tests/support/database';
import { openDb, type Db } from './client';
import { forgetDerivedFindings, getFinding, listFindings, loadDriftHistory, parseRepositoryName, recordFindingAck } from './findings';
import { HistoryWriter, workflow } from '../../tests/support/history';

const REG = '127.0.0.1:5000';
const REPO = 'demo/drifting';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigscope-findings-'));
let db: Db;
const MAIN = workflow('acme/widget', 'release.yml', 'refs/heads/main');
const KEY = 'ef'.repeat(32);
const ids: Record<string, string> = {};

beforeAll(async () => {
  db = await openDb(await testDatabaseUrl(path.join(tmp, 'findings.db')));
  const h = new HistoryWriter(db);
  const imgs = [];
  for (let i = 1; i <= 7; i++) imgs.push(await h.image(REG, REPO, `d${i}`, i * 10));
  const [d1, d2, d3, d4, d5, d6, d7] = imgs as [typeof imgs[0], typeof imgs[0], typeof imgs[0], typeof imgs[0], typeof imgs[0], typeof imgs[0], typeof imgs[0]];
  ids.d7 = d7.id;
  const main = { identity: MAIN, ref: 'refs/heads/main' };
  const s1 = await h.keyless(d1, 10, main);
  await h.keySigned(d1, 11, KEY);
  await h.keyless(d2, 20, main);
  await h.keySigned(d2, 21, KEY);
  await h.keyless(d3, 30, main);
  await h.keyless(d4, 40, { identity: workflow('acme/widget', 'publish.yml', 'refs/heads/main'), ref: 'refs/heads/main' });
  const s5 = await h.keyless(d5, 50, { ...main, runner: 'self-hosted' });
  ids.s5 = s5.signature.id;
  ids.c5 = s5.certificate.id;
  await h.keyless(d6, 60, { identity: workflow('acme/widget', 'release.yml', 'refs/heads/feature-x'), ref: 'refs/heads/feature-x' });
  await h.tag(d1, '1.0', 11);
  await h.tag(d1, 'stable', 11);
  await h.tag(d2, 'stable', 21);
  for (const [d, t, m] of [[d3, '1.2', 31], [d4, '1.3', 41], [d5, '1.4', 51], [d6, '1.5', 61]] as const) await h.tag(d, t, m);
  await h.tag(d7, 'stable', 71);
  ids.r5 = (await h.run(d5, 51, 'verified', [s5.signature])).id;
  ids.r7 = (await h.run(d7, 71, 'unsigned')).id;
  // A forged signature (never verified) claiming another identity: no finding from it.
  await h.keyless(d7, 70, { identity: workflow('evil/org', 'x.yml', 'refs/heads/main'), signedAt: null });
  // Another repository with a usual history only, and s1's run.
  const o1 = await h.image(REG, 'demo/steady', 'o1', 0);
  const o2 = await h.image(REG, 'demo/steady', 'o2', 5);
  await h.keyless(o1, 0, main);
  await h.keyless(o2, 5, main);
  await h.run(d1, 11, 'verified', [s1.signature]);
});

afterAll(async () => {
  await db.$disconnect();
  rmSync(tmp, { recursive: true, force: true });
});

describe('loadDriftHistory', () => {
  it('reads signatures with their certificate claims and authenticity', async () => {
    const h = await loadDriftHistory(db, { registry: REG, repository: REPO });
    expect(h.signatures).toHaveLength(9);
    const s5 = h.signatures.find((s) => s.id === ids.s5)!;
    expect(s5).toMatchObject({ runnerEnvironment: 'self-hosted', sourceRef: 'refs/heads/main', authentic: true, repository: REPO, registry: REG });
    expect(h.signatures.filter((s) => !s.authentic).map((s) => s.identity)).toEqual([workflow('evil/org', 'x.yml', 'refs/heads/main')]);
    expect(h.tags).toHaveLength(8);
    expect(h.runs).toEqual([]);
    const withRuns = await loadDriftHistory(db, { registry: REG, repository: REPO }, { runs: true });
    expect(withRuns.runs?.map((r) => r.id).sort()).toHaveLength(3);
  });
  it('counts a signature verified without a Rekor time as authentic', async () => {
    const h = new HistoryWriter(db);
    const img = await h.image(REG, 'demo/notlog', 'n1', 0);
    const s = await h.keyless(img, 0, { identity: MAIN, signedAt: null });
    expect((await loadDriftHistory(db, { registry: REG, repository: 'demo/notlog' })).signatures[0]!.authentic).toBe(false);
    await h.run(img, 1, 'verified', [s.signature], 'verified');
    expect((await loadDriftHistory(db, { registry: REG, repository: 'demo/notlog' })).signatures[0]!.authentic).toBe(true);
  });
});

describe('listFindings / getFinding / recordFindingAck', () => {
  it('finds the planted cases in their repository only', async () => {
    const all = await listFindings(db);
    expect(all.repositories).toEqual([`${REG}/${REPO}`]);
    expect(all.findings.map((f) => f.kind)).toEqual(['tag-moved', 'unusual-ref', 'self-hosted-runner', 'new-identity', 'stopped-signing']);
    expect(all.open).toBe(5);
    expect((await listFindings(db, { repository: `${REG}/demo/steady` })).findings).toEqual([]);
    expect((await listFindings(db, { kind: 'tag-moved' })).findings).toHaveLength(1);
    expect((await listFindings(db, { repository: 'nonsense' })).findings).toEqual([]);
  });

  it('gives one finding with runs as evidence', async () => {
    const { findings } = await listFindings(db, { kind: 'self-hosted-runner' });
    const key = findings[0]!.key;
    const detail = await getFinding(db, key);
    expect(detail?.status).toBe('open');
    expect(detail?.finding.evidence.signatures.map((s) => s.id)).toEqual([ids.s5]);
    expect(detail?.finding.evidence.certificates.map((c) => c.id)).toEqual([ids.c5]);
    expect(detail?.finding.evidence.runs.map((r) => r.id)).toEqual([ids.r5]);
    expect(await getFinding(db, 'self-hosted-runner:127.0.0.1:5000/demo/drifting:sha256:nothing')).toBeNull();
    expect(await getFinding(db, 'garbage')).toBeNull();
    const moved = (await listFindings(db, { kind: 'tag-moved' })).findings[0]!;
    expect((await getFinding(db, moved.key))?.finding.evidence.runs.map((r) => r.id)).toContain(ids.r7);
  });

  it('acknowledges and reopens, append-only, refusing no-ops and unknown keys', async () => {
    const { findings } = await listFindings(db, { kind: 'new-identity' });
    const key = findings[0]!.key;
    await expect(recordFindingAck(db, { key, action: 'reopened', note: 'x' })).rejects.toThrow('already open');
    await expect(recordFindingAck(db, { key, action: 'acknowledged', note: '   ' })).rejects.toThrow('note is required');
    await expect(recordFindingAck(db, { key: `${key}x`, action: 'acknowledged', note: 'x' })).rejects.toThrow('no finding');
    const first = await recordFindingAck(db, { key, action: 'acknowledged', note: 'publish.yml is the new release workflow' });
    expect(first).toMatchObject({ status: 'acknowledged', ack: { actor: 'local', action: 'acknowledged' } });
    await expect(recordFindingAck(db, { key, action: 'acknowledged', note: 'again' })).rejects.toThrow('already acknowledged');
    const list = await listFindings(db);
    expect(list.findings.at(-1)).toMatchObject({ key, status: 'acknowledged', lastAck: { note: 'publish.yml is the new release workflow' } });
    expect(list.open).toBe(4);
    expect(list.acknowledged).toBe(1);
    await recordFindingAck(db, { key, action: 'reopened', note: 'it signed a hotfix too' });
    const detail = await getFinding(db, key);
    expect(detail?.status).toBe('open');
    expect(detail?.acks.map((a) => a.action)).toEqual(['reopened', 'acknowledged']);
    expect(await db.findingAck.count({ where: { findingKey: key } })).toBe(2);
  });

  it('follows new history: a cached pass is extended with the repositories that changed', async () => {
    const before = await listFindings(db, { repository: `${REG}/demo/steady` });
    expect(before.findings).toEqual([]);
    const h = new HistoryWriter(db, Date.now() - 60_000);
    const img = await h.image(REG, 'demo/steady', 'o3', 0);
    // Stored now (default first-seen time), as a verification run would.
    await db.signature.create({
      data: { imageId: img.id, kind: 'cosign-sig', source: 's', layerDigest: 'l', payloadDigest: 'p', materialDigest: 'm', signatureB64: 'x', identity: workflow('acme/widget', 'other.yml', 'refs/heads/main'), oidcIssuer: 'https://token.actions.githubusercontent.com', rekorIntegratedTime: new Date() },
    });
    const after = await listFindings(db, { repository: `${REG}/demo/steady` });
    expect(after.findings.map((f) => f.kind)).toEqual(['new-identity']);
    // The other repository's findings are still there (and still acknowledged where they were).
    expect((await listFindings(db, { repository: `${REG}/${REPO}` })).findings).toHaveLength(5);
    forgetDerivedFindings(db);
    expect((await listFindings(db)).findings).toHaveLength(6);
  });

  it('parses repository names with a registry port', () => {
    expect(parseRepositoryName('127.0.0.1:5000/demo/x')).toEqual({ registry: '127.0.0.1:5000', repository: 'demo/x' });
    expect(parseRepositoryName('nope')).toBeNull();
  });
});
