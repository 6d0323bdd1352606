/**
 * Reports over the sandbox organization, end to end through bin/sigscope: real registry, real
 * local Sigstore, runs recorded by the verification pipeline (sandbox/seed-runs.ts). The report
 * must match the stored verdicts row for row, its evidence archive must re-verify offline (and
 * fail once a signature is altered), and a signed report must verify (and fail once one byte
 * changes).
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../lib/db/client';
import type { RunOutcome } from '../../lib/audit/run-verification';
import { seedRuns } from '../../sandbox/seed-runs';
import { PROJECT_ROOT } from '../support/fixtures';
import { startTestWorld, type TestWorld } from '../support/world';
import type { ReportRow } from '../../lib/report/types';

const run = promisify(execFile);
let t: TestWorld;
let db: Db;
let dbUrl: string;
let outcomes: RunOutcome[];
let org: string;

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(path.join(PROJECT_ROOT, 'bin/sigscope'), args, { env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: dbUrl, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

beforeAll(async () => {
  t = await startTestWorld();
  dbUrl = `file:${path.join(t.dir, 'report.db')}`;
  db = await openDb(dbUrl);
  outcomes = await seedRuns(t.world, t.scenarios, { trustRoot: t.world.trustedRootPath, db, source: 'cli' });
  org = `${t.world.registry.host}/demo`;
}, 600_000);

afterAll(async () => {
  await db?.$disconnect();
  await t?.world.stop();
});

describe('report over the sandbox organization', () => {
  it('matches the stored verdicts row for row', async () => {
    const out = path.join(t.dir, 'org.json');
    const res = await cli(['report', '--scope', `organization=${org}`, '--format', 'json', '--out', out]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { rows: ReportRow[]; summary: Record<string, number> };
    // The latest outcome per image, as the pipeline returned it while recording.
    const latest = new Map<string, RunOutcome>();
    for (const o of outcomes) if (o.imageId && o.runId) latest.set(o.imageId, o);
    const images = await db.image.findMany({ where: { id: { in: [...latest.keys()] } } });
    const inOrg = images.filter((i) => `${i.registry}/${i.repository}`.startsWith(`${org}/`));
    expect(doc.rows.filter((r) => r.digest !== null)).toHaveLength(inOrg.length);
    for (const img of inOrg) {
      const row = doc.rows.find((r) => r.digest === img.digest && r.repository === img.repository);
      expect(row, `${img.repository}@${img.digest}`).toBeDefined();
      expect(row!.verdict).toBe(latest.get(img.id)!.status);
      expect(row!.runId).toBe(latest.get(img.id)!.runId);
    }
    const ok = doc.rows.find((r) => r.input === t.ref('keyless-ok'))!;
    expect(ok.verdict).toBe('verified');
    expect(ok.signer?.identity).toBeTruthy();
    expect(ok.rekor?.logIndex).toMatch(/^\d+$/);
    expect(ok.certificateFingerprint).toMatch(/^[a-f0-9]{64}$/);
    expect(doc.rows.find((r) => r.input === t.ref('attested'))?.attestations.length).toBeGreaterThan(0);
    expect(doc.summary.total).toBe(doc.rows.length);
  });

  it('writes an evidence archive that re-verifies offline, and fails once a signature is altered', async () => {
    const archive = path.join(t.dir, 'org.evidence.tar.gz');
    const made = await cli(['report', '--scope', `organization=${org}`, '--format', 'evidence', '--trusted-root', t.world.trustedRootPath, '--out', archive]);
    expect(made.code).toBe(0);
    const checked = await cli(['report', 'verify-evidence', archive, '--key', t.world.key.publicKeyPath, '--output', 'json']);
    const result = JSON.parse(checked.stdout) as { ok: boolean; problems: string[]; images: Array<{ outcome: string; details: string[] }>; counts: { verifiedRows: number; rechecked: number; signaturesRechecked: number } };
    expect(result.problems, JSON.stringify(result.images.filter((i) => i.outcome === 'failed'))).toEqual([]);
    expect(checked.code).toBe(0);
    expect(result.counts.verifiedRows).toBeGreaterThan(0);
    expect(result.counts.rechecked).toBe(result.counts.verifiedRows);
    // The ad hoc run stored only the key's fingerprint: without the key the keyed image cannot be re-checked.
    const noKey = await cli(['report', 'verify-evidence', archive]);
    expect(noKey.code).toBe(1);
    expect(noKey.stdout).toMatch(/which the run did not store: give it with --key FILE/);

    // Extracted with the system's tar: the folder verifies too.
    const dir = path.join(t.dir, 'extracted');
    mkdirSync(dir);
    await run('tar', ['-xzf', archive, '-C', dir]);
    expect((await cli(['report', 'verify-evidence', dir, '--key', t.world.key.publicKeyPath])).code).toBe(0);
    await run('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: dir });

    // Alter the signature of a verified image and fix SHA256SUMS: the cryptographic check must catch it.
    const okDigest = t.digest('keyless-ok');
    const imageDir = readdirSync(path.join(dir, 'images')).find((d) => d.endsWith(okDigest.slice(7, 23)))!;
    const evFile = path.join(dir, 'images', imageDir, 'evidence.json');
    const ev = JSON.parse(readFileSync(evFile, 'utf8')) as { signatures: Array<{ signatureB64: string; kind: string }> };
    for (const s of ev.signatures) {
      const b = Buffer.from(s.signatureB64, 'base64');
      b[b.length - 3] = b[b.length - 3]! ^ 0xff;
      s.signatureB64 = b.toString('base64');
    }
    const text = `${JSON.stringify(ev, null, 2)}\n`;
    writeFileSync(evFile, text);
    const rel = `images/${imageDir}/evidence.json`;
    const sums = readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8').replace(new RegExp(`^[a-f0-9]{64}  ${rel}$`, 'm'), `${createHash('sha256').update(text).digest('hex')}  ${rel}`);
    writeFileSync(path.join(dir, 'SHA256SUMS'), sums);
    const tampered = await cli(['report', 'verify-evidence', dir, '--key', t.world.key.publicKeyPath]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/reported verified but none of its signatures re-checks/);

    // Without fixing the digests, SHA256SUMS names the changed file.
    writeFileSync(path.join(dir, 'report.json'), readFileSync(path.join(dir, 'report.json'), 'utf8').replace('"verified"', '"failed"'));
    expect((await cli(['report', 'verify-evidence', dir])).stdout).toMatch(/report\.json does not match its SHA256SUMS digest/);
  });

  it('signs a report; it verifies, and one changed byte fails', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keyFile = path.join(t.dir, 'report-signing.pem');
    const pubFile = path.join(t.dir, 'report-signing.pub');
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(pubFile, publicKey.export({ format: 'pem', type: 'spki' }));
    const out = path.join(t.dir, 'signed.csv');
    const made = await cli(['report', '--scope', `organization=${org}`, '--format', 'csv', '--out', out, '--sign'], { SIGSCOPE_REPORT_SIGNING_KEY: keyFile });
    expect(made.code).toBe(0);
    expect(made.stdout).toMatch(/signed summary: .*signed\.csv\.dsse\.json/);
    const ok = await cli(['report', 'verify', out, '--attestation', `${out}.dsse.json`, '--key', pubFile]);
    expect(ok.stdout).toMatch(/Verified/);
    expect(ok.code).toBe(0);

    const bytes = readFileSync(out);
    bytes[bytes.length - 5] = bytes[bytes.length - 5]! ^ 1;
    const changed = path.join(t.dir, 'signed-changed.csv');
    writeFileSync(changed, bytes);
    const bad = await cli(['report', 'verify', changed, '--attestation', `${out}.dsse.json`, '--key', pubFile]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/FAIL subject/);

    // --sign with no key configured is a usage error, and nothing is written.
    const none = await cli(['report', '--scope', `organization=${org}`, '--out', path.join(t.dir, 'nokey.csv'), '--sign'], { SIGSCOPE_REPORT_SIGNING_KEY: '' });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no report signing key is configured/);
  });

  it('downloads a stored report again byte for byte', async () => {
    const list = await cli(['report', 'list', '--output', 'json']);
    const reports = JSON.parse(list.stdout) as Array<{ id: string; sha256: string; format: string }>;
    const evidence = reports.find((r) => r.format === 'evidence')!;
    const again = path.join(t.dir, 'again.tar.gz');
    expect((await cli(['report', 'get', evidence.id, again])).code).toBe(0);
    expect(createHash('sha256').update(readFileSync(again)).digest('hex')).toBe(evidence.sha256);
    expect(readFileSync(again).equals(readFileSync(path.join(t.dir, 'org.evidence.tar.gz')))).toBe(true);
  });
});
