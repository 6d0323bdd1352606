/**
 * The signed summary of a report: an in-toto Statement v1 whose subject is the report file
 * (by sha256) and whose predicate is a verification summary in the spirit of SLSA's
 * Verification Summary Attestation, in a DSSE envelope.
 *
 * PAE comes from @sigstore/core (`dsse.preAuthEncoding`); signing and verifying use
 * node:crypto directly, because @sigstore/core exports verification only and @sigstore/sign
 * signs with Fulcio/keyless or KMS flows, not a local key an administrator configures.
 * ECDSA signatures are DER (what cosign and the DSSE reference implementations accept),
 * RSA is PKCS#1 v1.5 with SHA-256, Ed25519 is pure.
 *
 * Any DSSE verifier can check the envelope: `payloadType` application/vnd.in-toto+json,
 * keyid = sha256 of the public key's SubjectPublicKeyInfo (hex).
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dsse } from '@sigstore/core';
import { z } from 'zod';
import { SigscopeError } from '../errors';
import type { ReportHeader } from './types';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const SUMMARY_PREDICATE_TYPE = 'https://sigscope.dev/verification-summary/v1';
export const SIGSCOPE_VERIFIER_ID = 'https://sigscope.dev/sigscope';
export const SIGNING_KEY_ENV = 'SIGSCOPE_REPORT_SIGNING_KEY';
const MAX_KEY_BYTES = 64 * 1024;

export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: Array<{ keyid: string; sig: string }>;
}

const EnvelopeSchema = z.object({
  payloadType: z.string(),
  payload: z.string().max(8 * 1024 * 1024),
  signatures: z.array(z.object({ keyid: z.string().optional().default(''), sig: z.string().min(1) })).min(1),
});

const StatementSchema = z.looseObject({
  _type: z.literal(STATEMENT_TYPE),
  subject: z.array(z.looseObject({ name: z.string(), digest: z.record(z.string(), z.string()) })).min(1),
  predicateType: z.string(),
  predicate: z.record(z.string(), z.unknown()),
});
export type SummaryStatement = z.infer<typeof StatementSchema>;

/**
 * The administrator's report signing key: a PEM private key file named by
 * SIGSCOPE_REPORT_SIGNING_KEY (or given explicitly). The one place keys are loaded, so the
 * encrypted secrets store can replace it. Null when none is configured.
 */
export function loadReportSigningKey(file: string | undefined = process.env[SIGNING_KEY_ENV]): KeyObject | null {
  if (!file) return null;
  let pem: Buffer;
  try {
    const size = statSync(file).size;
    if (size > MAX_KEY_BYTES) throw new Error(`${size} bytes, above ${MAX_KEY_BYTES}`);
    pem = readFileSync(file);
  } catch (e) {
    throw new SigscopeError('INVALID_INPUT', `The report signing key ${file} cannot be read: ${(e as Error).message}.`);
  }
  try {
    return createPrivateKey(pem);
  } catch (e) {
    throw new SigscopeError('INVALID_INPUT', `The report signing key ${file} is not a PEM private key (unencrypted PKCS#8, SEC1 or PKCS#1): ${(e as Error).message}.`);
  }
}

export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ format: 'der', type: 'spki' })).digest('hex');
}

function hashFor(key: KeyObject): string | null {
  return key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448' ? null : 'sha256';
}

export function summaryStatement(file: { name: string; sha256: string; format: string }, header: ReportHeader): SummaryStatement {
  const s = header.summary;
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: file.name, digest: { sha256: file.sha256 } }],
    predicateType: SUMMARY_PREDICATE_TYPE,
    predicate: {
      verifier: { id: SIGSCOPE_VERIFIER_ID, version: { sigscope: header.sigscopeVersion } },
      timeVerified: header.generatedAt,
      reportFormat: file.format,
      scope: header.scope,
      policy: header.policy,
      trustRoots: header.trustRoots,
      // PASSED only when every image in scope verified (an empty scope proves nothing).
      verificationResult: s.total > 0 && s.verified === s.total ? 'PASSED' : 'FAILED',
      summary: s,
    },
  };
}

export function signStatement(statement: SummaryStatement, key: KeyObject): DsseEnvelope {
  if (key.type !== 'private') throw new SigscopeError('INVALID_INPUT', 'Signing a report needs a private key.');
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  const pae = dsse.preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload);
  const sig = sign(hashFor(key), pae, key);
  return { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: payload.toString('base64'), signatures: [{ keyid: keyId(key), sig: sig.toString('base64') }] };
}

export interface ReportVerification {
  ok: boolean;
  /** What was checked, in order; the first failing one says why. */
  checks: Array<{ name: string; passed: boolean; detail: string }>;
  statement: SummaryStatement | null;
}

/** Checks an envelope against a public key and a report file's bytes. Never throws on bad input: it fails the check. */
export function verifyReportEnvelope(reportBytes: Buffer, envelopeText: string, publicKeyPem: string | Buffer): ReportVerification {
  const checks: ReportVerification['checks'] = [];
  const fail = (name: string, detail: string): ReportVerification => {
    checks.push({ name, passed: false, detail });
    return { ok: false, checks, statement: null };
  };
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch (e) {
    return fail('public key', `not a PEM public key: ${(e as Error).message}`);
  }
  let envelope: z.infer<typeof EnvelopeSchema>;
  try {
    const parsed = EnvelopeSchema.safeParse(JSON.parse(envelopeText));
    if (!parsed.success) return fail('envelope', `not a DSSE envelope: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    envelope = parsed.data;
  } catch (e) {
    return fail('envelope', `not JSON: ${(e as Error).message}`);
  }
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return fail('envelope', `payloadType is ${JSON.stringify(envelope.payloadType)}, expected ${IN_TOTO_PAYLOAD_TYPE}`);
  const payload = Buffer.from(envelope.payload, 'base64');
  const pae = dsse.preAuthEncoding(envelope.payloadType, payload);
  const good = envelope.signatures.some((s) => {
    try {
      return verify(hashFor(key), pae, key, Buffer.from(s.sig, 'base64'));
    } catch {
      return false;
    }
  });
  if (!good) return fail('signature', `no signature in the envelope verifies with the key ${keyId(key).slice(0, 16)}…`);
  checks.push({ name: 'signature', passed: true, detail: `signed by key ${keyId(key)}` });
  let statement: SummaryStatement;
  try {
    const parsed = StatementSchema.safeParse(JSON.parse(payload.toString('utf8')));
    if (!parsed.success) return fail('statement', `not an in-toto v1 statement: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    statement = parsed.data;
  } catch (e) {
    return fail('statement', `payload is not JSON: ${(e as Error).message}`);
  }
  if (statement.predicateType !== SUMMARY_PREDICATE_TYPE) return fail('statement', `predicateType is ${JSON.stringify(statement.predicateType)}, expected ${SUMMARY_PREDICATE_TYPE}`);
  checks.push({ name: 'statement', passed: true, detail: `${SUMMARY_PREDICATE_TYPE}, ${String((statement.predicate as { verificationResult?: unknown }).verificationResult)}` });
  const actual = createHash('sha256').update(reportBytes).digest('hex');
  const subject = statement.subject.find((s) => s.digest.sha256 === actual);
  if (!subject) return fail('subject', `the report's sha256 ${actual} is not the statement's subject (${statement.subject.map((s) => s.digest.sha256 ?? '?').join(', ')}): the file changed or is another report`);
  checks.push({ name: 'subject', passed: true, detail: `sha256:${actual} (${subject.name})` });
  return { ok: true, checks, statement };
}
