/** What a verification says about one signature, and the closed set of reasons it can fail. */

export type Verdict = 'verified' | 'signed-unchecked' | 'failed';

export const REASON_CODES = [
  'PAYLOAD_MALFORMED',
  'PAYLOAD_TYPE',
  'DIGEST_MISMATCH',
  'SIGNATURE_MISSING',
  'SIGNATURE_INVALID',
  'CERTIFICATE_MALFORMED',
  'CERTIFICATE_UNTRUSTED',
  'SCT_INVALID',
  'TLOG_MISSING',
  'TLOG_SET_INVALID',
  'TLOG_PROOF_INVALID',
  'TLOG_BODY_MISMATCH',
  'TIMESTAMP_MISSING',
  'IDENTITY_MISMATCH',
  'ISSUER_MISMATCH',
  'GITHUB_CLAIM_MISMATCH',
  'KEY_MISMATCH',
  'KEY_REQUIRED',
  'KEYLESS_NOT_ALLOWED',
  'KEY_NOT_ALLOWED',
  'UNSIGNED_BY_POLICY',
  'VERIFIER_ERROR',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export interface Check {
  /** Stable machine name, e.g. `certificate-chain`. */
  name: string;
  passed: boolean;
  detail: string;
}

export interface SignerSummary {
  kind: 'keyless' | 'key' | 'unknown';
  identity?: string;
  issuer?: string;
  certificateFingerprint?: string;
  keyFingerprint?: string;
  github?: Record<string, string>;
}

export interface RekorSummary {
  logIndex: number;
  logId: string;
  integratedTime: string;
}

export interface SignatureVerdict {
  verdict: Verdict;
  reasonCode?: ReasonCode;
  /** A sentence a person can act on; present unless verified. */
  reason?: string;
  checks: Check[];
  signer: SignerSummary;
  rekor?: RekorSummary;
}

export class Checks {
  readonly list: Check[] = [];
  pass(name: string, detail: string): void {
    this.list.push({ name, passed: true, detail });
  }
  fail(name: string, detail: string): void {
    this.list.push({ name, passed: false, detail });
  }
}
