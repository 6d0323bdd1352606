/**
 * Re-evaluation of stored evidence under another policy version, without any network: no
 * registry, no transparency log, no trusted-root refresh. Stored runs are only read.
 *
 * For each signature of an image's latest run:
 * - if the stored checks show its cryptography passed (`signature` passed, with
 *   `certificate-chain` for a certificate or `public-key` for a key, and the only failed check,
 *   if any, is a signer-policy one: identity, issuer, GitHub claim, key/keyless not allowed),
 *   the signer is re-matched against the new signer policy: a certificate through
 *   lib/verify/signer-policy.ts on the stored Certificate PEM (decodeCertificate), a key by
 *   the fingerprint of the key that verified it;
 * - if a cryptographic check failed, it fails under any policy (the stored reason is kept);
 * - if the stored run never checked it (a key signature seen without its key, or a key that
 *   did not match the old policy's keys), the answer is `unknown`: only a new run can tell.
 * A signature accepted without a transparency-log entry stays accepted only if the new signer
 * policy also waives the log. Required attestations are re-checked the same way, on the stored
 * in-toto statements.
 *
 * What this cannot see: signatures pushed since the stored run, a trusted root that changed,
 * platform manifests' signatures (left out, as live runs leave them out of the verdict).
 */
import type { InTotoStatement } from '../attest/statement';
import { printable } from '../errors';
import { compilePolicy, describePolicy, type CompiledPolicy } from '../verify/policy';
import { evaluateRequirements, type AttestationCandidate } from '../verify/attestation-requirements';
import { Checks, type SignatureVerdict } from '../verify/result';
import { matchSignerPolicy, PolicyMismatch } from '../verify/signer-policy';
import { decodeCertificate } from '../x509';
import {
  authorityOutcome,
  bestStatus,
  decideImage,
  decidePolicy,
  runStatusUnderPolicy,
  signerPoliciesFor,
  verdictLine,
  type ImageVerdict,
  type PolicyOutcome,
  type SignerOutcome,
  type SignerStatus,
} from './evaluate';
import { policiesFor } from './match';
import type { ParsedPolicy } from './types';

export interface StoredCheck {
  name: string;
  passed: boolean;
  detail: string;
}

export interface StoredSignatureEvidence {
  resultId: string;
  kind: 'cosign-sig' | 'bundle' | 'attestation';
  platform: string | null;
  verdict: 'verified' | 'signed-unchecked' | 'failed';
  reasonCode: string | null;
  reason: string | null;
  checks: StoredCheck[];
  certificatePem: string | null;
  publicKeyFingerprint: string | null;
  predicateType: string | null;
  /** JSON text of the in-toto statement (attestations). */
  statement: string | null;
  identity: string | null;
}

export interface StoredEvidence {
  image: { id: string; registry: string; repository: string; digest: string; tag: string | null };
  run: {
    id: string;
    createdAt: Date;
    status: string;
    /** The run's policy JSON as stored (ad hoc canonical policy, or a named policy's record). */
    policy: Record<string, unknown>;
    summary: Record<string, unknown>;
    usedPolicy: { versionId: string; name: string; version: number } | null;
  };
  signatures: StoredSignatureEvidence[];
}

export interface Reverdict {
  verdict: 'verified' | 'signed-unchecked' | 'failed' | 'unknown';
  reasonCode?: string;
  reason: string;
}

/** Failures that happen after every cryptographic check passed: only the signer was wrong. */
const SIGNER_FAILURES = new Set(['identity-mismatch', 'issuer-mismatch', 'github-claim-mismatch', 'keyless-not-allowed', 'key-not-allowed']);
/** Key signatures the stored run could not check: a new run (with the new keys) must. */
const NEVER_CHECKED = new Set(['KEY_REQUIRED', 'KEY_NOT_ALLOWED', 'KEY_MISMATCH']);

function cryptographyPassed(s: StoredSignatureEvidence): boolean {
  const passed = new Set(s.checks.filter((c) => c.passed).map((c) => c.name));
  const failed = s.checks.filter((c) => !c.passed).map((c) => c.name);
  return passed.has('signature') && (passed.has('certificate-chain') || passed.has('public-key')) && failed.every((n) => SIGNER_FAILURES.has(n));
}

/**
 * Full fingerprints of the key that verified a key signature: the Signature row's, else the
 * run policy's keys whose prefix the `public-key` check names.
 */
function keyFingerprints(s: StoredSignatureEvidence, runPolicy: Record<string, unknown>): string[] {
  if (s.publicKeyFingerprint) return [s.publicKeyFingerprint];
  const detail = s.checks.find((c) => c.name === 'public-key' && c.passed)?.detail ?? '';
  const prefix = /sha256:([0-9a-f]{8,64})/.exec(detail)?.[1];
  if (!prefix) return [];
  const all = new Set<string>();
  const collect = (o: unknown) => {
    if (!o || typeof o !== 'object') return;
    const keys = (o as { keys?: unknown }).keys;
    if (Array.isArray(keys)) for (const k of keys) if (typeof k === 'string' && /^[0-9a-f]{64}$/.test(k)) all.add(k);
    const signers = (o as { signers?: unknown }).signers;
    if (Array.isArray(signers)) signers.forEach(collect);
  };
  collect(runPolicy);
  return [...all].filter((k) => k.startsWith(prefix));
}

/** One stored signature under a new signer policy. */
export function reverdictSignature(s: StoredSignatureEvidence, policy: CompiledPolicy, runPolicy: Record<string, unknown> = {}): Reverdict {
  if (!cryptographyPassed(s)) {
    if (s.reasonCode && NEVER_CHECKED.has(s.reasonCode)) {
      // Without a key in the new policy, a key signature cannot pass whatever its cryptography.
      if (!s.certificatePem && policy.keys.length === 0) {
        return policy.identity
          ? { verdict: 'failed', reasonCode: 'KEY_NOT_ALLOWED', reason: 'signed with a key, but this authority expects a keyless signature' }
          : { verdict: 'failed', reasonCode: 'KEY_REQUIRED', reason: 'signed with a key; this signer policy gives no key to check it' };
      }
      return { verdict: 'unknown', reason: `the stored run did not verify this key signature (${s.reasonCode}); only a new run with the policy's keys can tell` };
    }
    return { verdict: 'failed', reasonCode: s.reasonCode ?? 'VERIFIER_ERROR', reason: `a cryptographic check failed in the stored run: ${s.reason ?? 'not verified'}` };
  }
  const waived = s.checks.some((c) => c.name === 'transparency-log-waived' && c.passed);
  if (waived && !policy.ignoreTlog) return { verdict: 'failed', reasonCode: 'TLOG_MISSING', reason: 'accepted without a transparency-log entry in the stored run; this policy requires one' };

  if (s.certificatePem) {
    if (policy.empty) return { verdict: 'signed-unchecked', reason: 'signed, signer not checked (no identity in this signer policy)' };
    if (!policy.identity) return { verdict: 'failed', reasonCode: 'KEYLESS_NOT_ALLOWED', reason: `signed keylessly by ${s.identity ? printable(s.identity) : 'an unnamed identity'}, but this authority only accepts its public key` };
    let cert;
    try {
      cert = decodeCertificate(s.certificatePem);
    } catch (e) {
      return { verdict: 'failed', reasonCode: 'CERTIFICATE_MALFORMED', reason: (e as Error).message };
    }
    try {
      matchSignerPolicy(cert, policy, new Checks());
      return { verdict: 'verified', reason: `signer ${printable(cert.identity ?? '(no identity)')} matches (re-matched from the stored certificate)` };
    } catch (e) {
      if (e instanceof PolicyMismatch) return { verdict: 'failed', reasonCode: e.code, reason: e.message };
      throw e;
    }
  }
  if (s.checks.some((c) => c.name === 'certificate-chain' && c.passed)) {
    return { verdict: 'unknown', reason: 'the certificate of this signature was not stored; only a new run can re-match it' };
  }
  // A key signature that verified with a known key.
  if (policy.keys.length === 0) {
    return policy.identity
      ? { verdict: 'failed', reasonCode: 'KEY_NOT_ALLOWED', reason: 'signed with a key, but this authority expects a keyless signature' }
      : { verdict: 'failed', reasonCode: 'KEY_REQUIRED', reason: 'signed with a key; this signer policy gives no key to check it' };
  }
  const fps = keyFingerprints(s, runPolicy);
  if (fps.length === 0) return { verdict: 'unknown', reason: 'which key verified this signature was not stored; only a new run can tell' };
  const hit = policy.keys.find((k) => fps.includes(k.fingerprint));
  return hit
    ? { verdict: 'verified', reason: `signed by the policy's key sha256:${hit.fingerprint.slice(0, 16)}… (verified in the stored run)` }
    : { verdict: 'failed', reasonCode: 'KEY_MISMATCH', reason: `signed by key sha256:${fps[0]!.slice(0, 16)}…, not one of this authority's keys` };
}

function parseStatement(text: string | null): InTotoStatement | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as InTotoStatement;
  } catch {
    return undefined;
  }
}

/** What one signer policy says about the stored evidence of one image. */
export function statusUnder(e: StoredEvidence, policy: CompiledPolicy): { status: SignerStatus; summary: string } {
  const own = e.signatures.filter((s) => s.kind !== 'attestation' && !s.platform);
  if (own.length === 0) return { status: 'unsigned', summary: 'no signature at this digest in the stored run' };
  const verdicts = own.map((s) => reverdictSignature(s, policy, e.run.policy));
  const ok = verdicts.find((v) => v.verdict === 'verified');
  if (ok) {
    if (policy.requireAttestations.length) {
      const atts = e.signatures.filter((s) => s.kind === 'attestation' && !s.platform);
      const rv = atts.map((a) => ({ a, v: reverdictSignature(a, policy, e.run.policy), statement: parseStatement(a.statement) }));
      const candidates: AttestationCandidate[] = rv.map(({ a, v, statement }) => ({
        statement,
        result: { verdict: v.verdict === 'verified' ? 'verified' : 'failed', reason: v.reason, checks: [], signer: { kind: a.certificatePem ? 'keyless' : 'key', ...(a.identity ? { identity: a.identity } : {}) } } satisfies SignatureVerdict,
      }));
      const unmet = evaluateRequirements(policy.requireAttestations, candidates, e.image.repository).filter((r) => !r.met);
      if (unmet.length) {
        const unsure = rv.some(({ v, statement }) => v.verdict === 'unknown' || !statement);
        return { status: unsure ? 'unknown' : 'failed', summary: `the signature matches, but required attestations are not met: ${unmet.map((r) => r.detail).join('; ')}` };
      }
    }
    return { status: 'verified', summary: ok.reason };
  }
  if (verdicts.some((v) => v.verdict === 'unknown')) return { status: 'unknown', summary: verdicts.find((v) => v.verdict === 'unknown')!.reason };
  if (verdicts.some((v) => v.verdict === 'signed-unchecked')) return { status: 'signed-unchecked', summary: 'signed, signer not checked' };
  return { status: 'failed', summary: verdicts[0]!.reason };
}

export interface ReevaluatedImage {
  image: StoredEvidence['image'];
  run: Omit<StoredEvidence['run'], 'policy' | 'summary'> & { verdict: string | null; summary: string };
  /** Under the selected version. */
  status: SignerStatus;
  verdict: ImageVerdict;
  outcomes: PolicyOutcome[];
  summary: string;
  /** The stored run status differs from the re-evaluated status. */
  changed: boolean;
}

/** The stored evidence of one image under `parsed`, decided as a live run would be. */
export function reevaluate(e: StoredEvidence, parsed: ParsedPolicy): ReevaluatedImage {
  const storedVerdict = e.run.summary.policy && typeof e.run.summary.policy === 'object' ? (e.run.summary.policy as { verdict?: unknown }).verdict : null;
  const run = {
    id: e.run.id,
    createdAt: e.run.createdAt,
    status: e.run.status,
    usedPolicy: e.run.usedPolicy,
    verdict: typeof storedVerdict === 'string' ? storedVerdict : null,
    summary: typeof e.run.summary.text === 'string' ? e.run.summary.text : '',
  };
  const matches = policiesFor(`${e.image.registry}/${e.image.repository}`, parsed.policies);
  const cache = new Map<string, { status: SignerStatus; summary: string; describe: string }>();
  const outcomes = matches.map(({ policy, glob }) =>
    decidePolicy(
      policy,
      glob,
      policy.authorities.map((a) =>
        authorityOutcome(
          a,
          signerPoliciesFor(policy, a).map((sp): SignerOutcome => {
            const compiled = compilePolicy(sp.policy);
            let r = cache.get(compiled.hash);
            if (!r) {
              r = { ...statusUnder(e, compiled), describe: describePolicy(compiled) };
              cache.set(compiled.hash, r);
            }
            return { identity: sp.identity, describe: r.describe, status: r.status, summary: r.summary };
          }),
        ),
      ),
    ),
  );
  const verdict = decideImage(outcomes);
  const signatureStatus = outcomes.length ? bestStatus(outcomes.flatMap((o) => o.authorities.map((a) => a.status))) : 'unknown';
  const status = outcomes.length ? runStatusUnderPolicy(outcomes, signatureStatus) : 'unknown';
  const summary = outcomes.length ? verdictLine(outcomes) : 'no policy of this version matches the image';
  return { image: e.image, run, status, verdict, outcomes, summary, changed: outcomes.length > 0 && status !== e.run.status };
}
