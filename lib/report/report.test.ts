// Reports over a generated history on a temp SQLite database: scopes, policy selection,
// JSON Schema validity, determinism, CSV neutralisation end to end, storage byte for byte.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db/client';
import { GEN_ISSUER, GEN_REGISTRY, seedGeneratedHistory, type GeneratedHistory } from '../../tests/support/report-data';
import { parseCsv } from '../../tests/support/csv-parse';
import { generateReport, getReportContent, listReports, reportStream } from './generate';
import { loadRows, selectRuns } from './select';
import { parseScopeArg } from './scope';
import { readTar } from './tar';
import type { ReportRow } from './types';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sigscope-report-'));
let db: Db;
let gen: GeneratedHistory;
const schema = JSON.parse(readFileSync(path.join(__dirname, '../../schemas/report.schema.json'), 'utf8')) as object;
const T = new Date('2026-02-01T00:00:00.000Z');

async function bytes(scope: string, format: 'csv' | 'json' | 'evidence', generatedAt = T, policy?: string): Promise<Buffer> {
  const selection = await selectRuns(db, parseScopeArg(scope), policy);
  const { stream } = await reportStream(db, selection, format, { generatedAt, pageSize: 7 });
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  db = await openDb(`file:${path.join(tmp, 'report.db')}`);
  gen = await seedGeneratedHistory(db, 40, { hostileIdentityEvery: 10 });
  // An older run of image 0 (must not win over the newer one) and a second repository outside the org.
  await db.verificationRun.create({
    data: { id: 'old0', createdAt: new Date('2025-01-01T00:00:00Z'), finishedAt: new Date('2025-01-01T00:00:00Z'), input: 'x', imageId: gen.images[0]!.id, status: 'failed', policy: '{}', policyHash: 'other', trustRootName: 'public-good', trustRootHash: 'gen-root-hash', source: 'cli', summary: '{}' },
  });
  const other = await db.image.create({ data: { registry: GEN_REGISTRY, repository: 'acmeco/tool', digest: `sha256:${'e'.repeat(64)}`, mediaType: 'x', platforms: '[]' } });
  await db.verificationRun.create({ data: { input: 'y', imageId: other.id, status: 'verified', policy: '{}', policyHash: 'h', trustRootName: 'public-good', trustRootHash: 'h', source: 'cli', summary: '{}', finishedAt: new Date() } });
  // A named policy whose version matches the runs of images 1 and 2 only (by version id and by hash).
  const policy = await db.policy.create({ data: { name: 'release', versions: { create: { version: 1, yaml: 'x', parsed: '{}', hash: 'release-v1-hash' } } }, include: { versions: true } });
  await db.verificationRun.update({ where: { id: gen.images[1]!.runId }, data: { policyVersionId: policy.versions[0]!.id } });
  await db.verificationRun.update({ where: { id: gen.images[2]!.runId }, data: { policyHash: 'release-v1-hash' } });
});

afterAll(async () => {
  await db.$disconnect();
});

describe('selection', () => {
  it('takes the latest run per image digest in the organization, sorted, with counts', async () => {
    const sel = await selectRuns(db, parseScopeArg(`organization=${GEN_REGISTRY}/acme`));
    expect(sel.runs).toHaveLength(40);
    expect(sel.runs.find((r) => r.imageId === gen.images[0]!.id)?.runId).toBe(gen.images[0]!.runId);
    const want = { verified: 0, failed: 0, unsigned: 0, errors: 0, signedUnchecked: 0 };
    for (const i of gen.images) {
      if (i.status === 'verified') want.verified++;
      else if (i.status === 'failed') want.failed++;
      else if (i.status === 'unsigned') want.unsigned++;
      else if (i.status === 'error') want.errors++;
      else want.signedUnchecked++;
    }
    expect(sel.summary).toMatchObject({ total: 40, ...want, coveragePercent: Math.round((want.verified / 40) * 1000) / 10 });
    const keys = sel.runs.map((r) => `${r.repository} ${r.digest}`);
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b, 'en')));
  });

  it('narrows to a repository, an image by tag or digest, an identity and a window', async () => {
    expect((await selectRuns(db, parseScopeArg(`repository=${GEN_REGISTRY}/acme/svc-3`))).runs.every((r) => r.repository === 'acme/svc-3')).toBe(true);
    const img = gen.images[5]!;
    const byTag = await selectRuns(db, parseScopeArg(`image=${GEN_REGISTRY}/${img.repository}:1.5.0`));
    expect(byTag.runs.map((r) => r.runId)).toEqual([img.runId]);
    expect((await selectRuns(db, parseScopeArg(`image=${GEN_REGISTRY}/${img.repository}@${img.digest}`))).runs.map((r) => r.runId)).toEqual([img.runId]);
    const subject = 'https://github.com/acme/svc-1/.github/workflows/release.yml@refs/tags/v1.1.0';
    expect((await selectRuns(db, parseScopeArg(`identity=${subject}`, { issuer: GEN_ISSUER }))).runs.map((r) => r.runId)).toEqual([gen.images[1]!.runId]);
    const win = await selectRuns(db, parseScopeArg('window=2026-01-05T10:00:03Z..2026-01-05T10:00:06Z'));
    expect(win.runs.map((r) => r.runId).sort()).toEqual([3, 4, 5].map((i) => gen.images[i]!.runId).sort());
    expect((await selectRuns(db, parseScopeArg(`organization=${GEN_REGISTRY}/acmeco`))).runs).toHaveLength(1);
  });

  it('covers the runs of one scan, including the inputs it could not resolve', async () => {
    const scan = await db.scanJob.create({ data: { spec: '{}', status: 'finished', policy: '{}', policyHash: 'h', trustRootName: 'public-good', trustRootHash: 'h', source: 'cli' } });
    await db.verificationRun.update({ where: { id: gen.images[8]!.runId }, data: { scanId: scan.id } });
    await db.verificationRun.update({ where: { id: gen.images[9]!.runId }, data: { scanId: scan.id } });
    await db.verificationRun.create({ data: { input: `${GEN_REGISTRY}/elsewhere/gone:1.0`, status: 'error', errorCode: 'REGISTRY_NOT_FOUND', errorMessage: 'manifest unknown', policy: '{}', policyHash: 'h', trustRootName: 'public-good', trustRootHash: 'h', source: 'cli', summary: '{}', finishedAt: new Date(), scanId: scan.id } });
    const sel = await selectRuns(db, parseScopeArg(`scan=${scan.id}`));
    expect(sel.runs.map((r) => r.runId).slice(0, 2).sort()).toEqual([gen.images[8]!.runId, gen.images[9]!.runId].sort());
    expect(sel.runs[2]).toMatchObject({ digest: null, status: 'error', registry: GEN_REGISTRY, repository: 'elsewhere/gone' });
    const rows: ReportRow[] = [];
    for await (const r of loadRows(db, sel)) rows.push(r.row);
    expect(rows[2]).toMatchObject({ digest: null, verdict: 'error', reasonCode: 'REGISTRY_NOT_FOUND', reason: 'manifest unknown', tags: [] });
  });

  it('under a named policy keeps only runs made with that version (by id or hash)', async () => {
    const sel = await selectRuns(db, parseScopeArg(`organization=${GEN_REGISTRY}/acme`), 'release');
    expect(sel.policy).toMatchObject({ name: 'release', version: 1, hash: 'release-v1-hash' });
    expect(sel.runs.map((r) => r.runId).sort()).toEqual([gen.images[1]!.runId, gen.images[2]!.runId].sort());
    await expect(selectRuns(db, parseScopeArg('scan=none'), 'no-such-policy')).rejects.toThrow(/no stored policy/);
  });
});

describe('rows', () => {
  it('carry tags, platforms, signer, claims, certificate, Rekor and attestations from storage', async () => {
    const sel = await selectRuns(db, parseScopeArg(`image=${GEN_REGISTRY}/${gen.images[3]!.repository}:1.3.0`));
    const rows: ReportRow[] = [];
    for await (const r of loadRows(db, sel)) rows.push(r.row);
    const row = rows[0]!;
    expect(row).toMatchObject({
      digest: gen.images[3]!.digest,
      tags: ['1.3.0'],
      platforms: ['linux/amd64', 'linux/arm64/v8'],
      verdict: 'failed',
      reasonCode: 'identity-mismatch',
      signer: { identity: 'https://github.com/acme/svc-3/.github/workflows/release.yml@refs/tags/v1.3.0', issuer: GEN_ISSUER, keyFingerprint: null },
      github: { repository: 'https://github.com/acme/svc-3', ref: 'refs/tags/v1.3.0', trigger: 'push', runnerEnvironment: 'github-hosted' },
      rekor: { logIndex: '100003' },
      attestations: ['https://slsa.dev/provenance/v1'],
      signatureCount: 1,
    });
    expect(row.certificateFingerprint).toMatch(/^[a-f0-9]{64}$/);
  });
});

describe('formats', () => {
  it('JSON validates against schemas/report.schema.json and matches the stored verdicts', async () => {
    const doc = JSON.parse((await bytes(`organization=${GEN_REGISTRY}/acme`, 'json')).toString()) as { rows: ReportRow[]; summary: { total: number } };
    const ajv = new Ajv({ allErrors: true });
    const valid = ajv.validate(schema, doc);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(doc.rows).toHaveLength(40);
    for (const img of gen.images) expect(doc.rows.find((r) => r.digest === img.digest)?.verdict).toBe(img.status);
    // The schema has teeth: a wrong verdict or a missing field is refused.
    expect(ajv.validate(schema, { ...doc, rows: [{ ...doc.rows[0], verdict: 'maybe' }] })).toBe(false);
    const { summary: _s, ...noSummary } = doc;
    expect(ajv.validate(schema, noSummary)).toBe(false);
  });

  it('an empty scope is still a valid report', async () => {
    const doc = JSON.parse((await bytes('scan=nothing', 'json')).toString()) as unknown;
    expect(new Ajv().validate(schema, doc)).toBe(true);
    expect((doc as { summary: { total: number; coveragePercent: number } }).summary).toMatchObject({ total: 0, coveragePercent: 0 });
  });

  it('is deterministic: same data and time give the same bytes; only generatedAt differs with another time', async () => {
    for (const f of ['csv', 'json', 'evidence'] as const) {
      expect((await bytes(`organization=${GEN_REGISTRY}/acme`, f)).equals(await bytes(`organization=${GEN_REGISTRY}/acme`, f))).toBe(true);
    }
    const a = JSON.parse((await bytes(`organization=${GEN_REGISTRY}/acme`, 'json')).toString()) as Record<string, unknown>;
    const b = JSON.parse((await bytes(`organization=${GEN_REGISTRY}/acme`, 'json', new Date('2026-03-01T00:00:00Z'))).toString()) as Record<string, unknown>;
    expect(b.generatedAt).toBe('2026-03-01T00:00:00.000Z');
    expect({ ...a, generatedAt: null }).toEqual({ ...b, generatedAt: null });
  });

  it('CSV neutralises hostile identities and reasons and parses back row for row', async () => {
    const text = (await bytes(`organization=${GEN_REGISTRY}/acme`, 'csv')).toString();
    const table = parseCsv(text);
    const [head, ...rows] = table;
    expect(rows).toHaveLength(40);
    const col = (name: string) => head!.indexOf(name);
    const hostile = rows.filter((r) => r[col('signer_identity')]!.includes('HYPERLINK'));
    expect(hostile.length).toBeGreaterThan(0);
    for (const r of hostile) expect(r[col('signer_identity')]!.startsWith("'=")).toBe(true);
    for (const r of rows) for (const cell of r) expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
    const failed = rows.find((r) => r[col('verdict')] === 'failed')!;
    expect(failed[col('reason')]!.startsWith("'-certificate identity")).toBe(true);
  });

  it('the evidence archive holds report.json, per-image evidence and SHA256SUMS', async () => {
    const files = new Map(readTar(gunzipSync(await bytes(`repository=${GEN_REGISTRY}/acme/svc-0`, 'evidence')), { maxFileBytes: 1e8, maxEntries: 1e5 }).map((e) => [e.name, e.data]));
    expect(files.has('report.json')).toBe(true);
    expect(files.has('SHA256SUMS')).toBe(true);
    const evidence = [...files.keys()].filter((n) => n.endsWith('/evidence.json'));
    expect(evidence.length).toBe(gen.images.filter((i) => i.repository === 'acme/svc-0').length);
    expect([...files.keys()].some((n) => n.endsWith('.cert.pem'))).toBe(true);
  });
});

describe('history', () => {
  it('stores each report and serves the same bytes; a second report is a new row', async () => {
    const scope = parseScopeArg(`repository=${GEN_REGISTRY}/acme/svc-1`);
    const first = await generateReport(db, { scope, format: 'csv', generatedAt: T, actor: 'auditor' });
    const again = await generateReport(db, { scope, format: 'csv', generatedAt: new Date(T.getTime() + 1000) });
    expect(again.id).not.toBe(first.id);
    const stored = await getReportContent(db, first.id);
    expect(stored?.content.equals(await bytes(`repository=${GEN_REGISTRY}/acme/svc-1`, 'csv'))).toBe(true);
    expect(stored?.meta).toMatchObject({ actor: 'auditor', format: 'csv', scopeLabel: `${GEN_REGISTRY}/acme/svc-1`, signed: false, sha256: first.sha256 });
    const logged = await db.auditEvent.findFirst({ where: { action: 'report', target: first.id } });
    expect(logged).toMatchObject({ actor: 'auditor' });
    expect(JSON.parse(logged!.detail)).toMatchObject({ format: 'csv', sha256: first.sha256, signed: false });
    const list = await listReports(db);
    expect(list.map((r) => r.id)).toEqual(expect.arrayContaining([first.id, again.id]));
    // An altered stored row is refused, never served.
    await db.report.update({ where: { id: first.id }, data: { content: new Uint8Array(Buffer.from('tampered')) } });
    await expect(getReportContent(db, first.id)).rejects.toThrow(/does not match its recorded sha256/);
  });
});
