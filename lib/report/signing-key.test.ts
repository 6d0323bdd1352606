import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../db/client';
import { getReportContent, generateReport } from './generate';
import { verifyReportEnvelope } from './sign';
import { removeReportSigningKey, reportSigningAvailable, storeReportSigningKey } from './signing-key';

let db: Db;
const saved = { key: process.env.SIGSCOPE_SECRET_KEY, file: process.env.SIGSCOPE_REPORT_SIGNING_KEY };

beforeAll(async () => {
  process.env.SIGSCOPE_SECRET_KEY = randomBytes(32).toString('base64');
  delete process.env.SIGSCOPE_REPORT_SIGNING_KEY;
  db = await openDb(`file:${path.join(mkdtempSync(path.join(os.tmpdir(), 'sigscope-report-key-')), 'k.db')}`);
});
afterAll(async () => {
  await db?.$disconnect();
  for (const [k, v] of [['SIGSCOPE_SECRET_KEY', saved.key], ['SIGSCOPE_REPORT_SIGNING_KEY', saved.file]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('report signing key at rest', () => {
  it('signs with the key stored encrypted, which never appears in clear in the database', async () => {
    expect(await reportSigningAvailable(db)).toBe(false);
    await expect(generateReport(db, { scope: { kind: 'window', from: new Date(0), to: new Date() } as never, format: 'csv', sign: true, actor: 'test' })).rejects.toThrow(/set-report-key/);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const publicPem = await storeReportSigningKey(db, pem);
    expect(await reportSigningAvailable(db)).toBe(true);
    const row = await db.secret.findFirstOrThrow({ where: { kind: 'report-signing-key' } });
    expect(row.ciphertext).not.toContain(pem.split('\n')[1]!);
    expect(JSON.stringify(row)).not.toContain('PRIVATE KEY');

    const meta = await generateReport(db, { scope: { kind: 'window', from: new Date(0), to: new Date() } as never, format: 'csv', sign: true, actor: 'test' });
    const stored = await db.report.findUniqueOrThrow({ where: { id: meta.id } });
    const bytes = (await getReportContent(db, meta.id))!.content;
    expect(verifyReportEnvelope(Buffer.from(bytes), stored.attestation!, publicPem).ok).toBe(true);
    const tampered = Buffer.from(bytes);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
    expect(verifyReportEnvelope(tampered, stored.attestation!, publicPem).ok).toBe(false);

    expect(await removeReportSigningKey(db)).toBe(true);
    expect(await reportSigningAvailable(db)).toBe(false);
  });

  it('refuses something that is not a private key', async () => {
    await expect(storeReportSigningKey(db, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).rejects.toThrow(/not a PEM private key/);
  });
});
