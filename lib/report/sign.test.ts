import { generateKeyPairSync } from 'node:crypto';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dsse } from '@sigstore/core';
import { verify } from 'node:crypto';
import { loadReportSigningKey, signStatement, summaryStatement, verifyReportEnvelope, SUMMARY_PREDICATE_TYPE } from './sign';
import type { ReportHeader } from './types';

const header: ReportHeader = {
  reportFormat: 'https://sigscope.dev/schemas/report/v1',
  generatedAt: '2026-01-01T00:00:00.000Z',
  sigscopeVersion: '0.1.0',
  scope: { kind: 'repository', registry: 'ghcr.io', repository: 'acme/app', label: 'ghcr.io/acme/app' },
  policy: null,
  trustRoots: [{ name: 'public-good', hash: 'h' }],
  summary: { total: 2, verified: 2, signedUnchecked: 0, failed: 0, unsigned: 0, errors: 0, coveragePercent: 100 },
};

describe('signed summary (DSSE)', () => {
  for (const type of ['ec', 'ed25519', 'rsa'] as const) {
    it(`signs and verifies with ${type}; one changed byte fails`, () => {
      const { privateKey, publicKey } =
        type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
      const report = Buffer.from('registry,repository\r\nghcr.io,acme/app\r\n');
      const sha = createHash('sha256').update(report).digest('hex');
      const env = signStatement(summaryStatement({ name: 'r.csv', sha256: sha, format: 'csv' }, header), privateKey);
      const pub = publicKey.export({ format: 'pem', type: 'spki' });
      const ok = verifyReportEnvelope(report, JSON.stringify(env), pub);
      expect(ok.ok).toBe(true);
      expect(ok.statement?.predicateType).toBe(SUMMARY_PREDICATE_TYPE);
      expect((ok.statement?.predicate as { verificationResult: string }).verificationResult).toBe('PASSED');

      const changed = Buffer.from(report);
      changed[5] = changed[5]! ^ 1;
      const bad = verifyReportEnvelope(changed, JSON.stringify(env), pub);
      expect(bad.ok).toBe(false);
      expect(bad.checks.at(-1)?.name).toBe('subject');

      // Another key does not verify.
      const other = (type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519')).publicKey;
      expect(verifyReportEnvelope(report, JSON.stringify(env), other.export({ format: 'pem', type: 'spki' })).checks.at(-1)?.name).toBe('signature');

      // A tampered payload (same signature) fails too.
      const forged = { ...env, payload: Buffer.from(Buffer.from(env.payload, 'base64').toString().replace('PASSED', 'FAILED')).toString('base64') };
      expect(verifyReportEnvelope(report, JSON.stringify(forged), pub).ok).toBe(false);
    });
  }

  it('is a standard DSSE envelope: PAE over the payload verifies with plain node:crypto', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const env = signStatement(summaryStatement({ name: 'r.json', sha256: 'a'.repeat(64), format: 'json' }, { ...header, summary: { ...header.summary, verified: 1, failed: 1 } }), privateKey);
    expect(env.payloadType).toBe('application/vnd.in-toto+json');
    const pae = Buffer.concat([Buffer.from(`DSSEv1 ${env.payloadType.length} ${env.payloadType} ${Buffer.from(env.payload, 'base64').length} `), Buffer.from(env.payload, 'base64')]);
    expect(pae.equals(dsse.preAuthEncoding(env.payloadType, Buffer.from(env.payload, 'base64')))).toBe(true);
    expect(verify('sha256', pae, publicKey, Buffer.from(env.signatures[0]!.sig, 'base64'))).toBe(true);
    const statement = JSON.parse(Buffer.from(env.payload, 'base64').toString()) as { _type: string; subject: Array<{ digest: { sha256: string } }>; predicate: { verificationResult: string } };
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.subject[0]!.digest.sha256).toBe('a'.repeat(64));
    expect(statement.predicate.verificationResult).toBe('FAILED');
  });

  it('loads the configured key and explains a bad one', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-sign-'));
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const file = path.join(dir, 'k.pem');
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    expect(loadReportSigningKey(file)?.type).toBe('private');
    expect(loadReportSigningKey('')).toBeNull();
    writeFileSync(path.join(dir, 'bad.pem'), 'nope');
    expect(() => loadReportSigningKey(path.join(dir, 'bad.pem'))).toThrow(/not a PEM private key/);
    expect(() => loadReportSigningKey(path.join(dir, 'missing.pem'))).toThrow(/cannot be read/);
  });
});
