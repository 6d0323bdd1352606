/**
 * Required attestations: a policy can ask that an image carry an attestation of a given
 * predicate type, verified and signed by the policy's signer, optionally with SLSA
 * conditions (builder ID equals X; source repository equals X, or the image's own).
 */
import { summarizePredicate } from '../attest/predicates';
import type { InTotoStatement } from '../attest/statement';
import { printable } from '../errors';
import type { AttestationRequirement } from './policy';
import type { SignatureVerdict } from './result';

export interface RequirementResult {
  requirement: AttestationRequirement;
  met: boolean;
  /** What satisfied it, or why nothing did. */
  detail: string;
}

export interface AttestationCandidate {
  statement?: InTotoStatement;
  result: SignatureVerdict;
}

/** "https://github.com/acme/widget" / "git+https://github.com/acme/widget@refs/heads/main" → "github.com/acme/widget". */
function normaliseRepo(uri: string): string {
  return uri
    .replace(/^git\+/, '')
    .replace(/^https?:\/\//, '')
    .replace(/@.*$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

function sourceMatches(actual: string | undefined, wanted: string, imageRepository: string): boolean {
  if (!actual) return false;
  const a = normaliseRepo(actual);
  if (wanted === 'image') {
    // ghcr.io/acme/widget is built from github.com/acme/widget: compare the org/repo path.
    return a.split('/').slice(1).join('/') === imageRepository.toLowerCase();
  }
  return a === normaliseRepo(wanted);
}

export function evaluateRequirements(requirements: AttestationRequirement[], candidates: AttestationCandidate[], imageRepository: string): RequirementResult[] {
  return requirements.map((req) => {
    const ofType = candidates.filter((c) => c.statement?.predicateType === req.predicateType);
    if (ofType.length === 0) return { requirement: req, met: false, detail: `no ${printable(req.predicateType)} attestation is attached` };
    const verified = ofType.filter((c) => c.result.verdict === 'verified');
    if (verified.length === 0) {
      return { requirement: req, met: false, detail: `${ofType.length} ${printable(req.predicateType)} attestation(s) found, none verified: ${ofType[0]!.result.reason ?? 'not verified'}` };
    }
    const why: string[] = [];
    for (const c of verified) {
      const summary = summarizePredicate(req.predicateType, c.statement!.predicate);
      const builderId = summary.kind === 'slsa-provenance' ? summary.builderId : undefined;
      const source = summary.kind === 'slsa-provenance' ? summary.sourceRepository : undefined;
      if (req.builderId && builderId !== req.builderId) {
        why.push(`builder ID is ${builderId ? printable(builderId) : '(none)'}, policy expects ${req.builderId}`);
        continue;
      }
      if (req.sourceRepository && !sourceMatches(source, req.sourceRepository, imageRepository)) {
        why.push(`source repository is ${source ? printable(source) : '(none)'}, policy expects ${req.sourceRepository === 'image' ? `the image's repository (${imageRepository})` : req.sourceRepository}`);
        continue;
      }
      const signer = c.result.signer.identity ?? (c.result.signer.keyFingerprint ? `key sha256:${c.result.signer.keyFingerprint.slice(0, 16)}…` : 'the policy signer');
      return { requirement: req, met: true, detail: `verified ${req.predicateType} attestation signed by ${signer}${builderId ? `, builder ${builderId}` : ''}` };
    }
    return { requirement: req, met: false, detail: `verified ${printable(req.predicateType)} attestation(s) do not meet the conditions: ${why.join('; ')}` };
  });
}
