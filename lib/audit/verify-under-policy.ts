/**
 * Verifies one image under a parsed policy file: the policies whose globs match the image,
 * then, for each of their authorities, each signer policy (lib/policy/evaluate.ts) through the
 * ordinary verifyImage pipeline. The tag is resolved once: later verifications use the digest
 * the first one found, so every authority judges the same image. Identical signer policies
 * (the same authority in two documents) are verified once.
 *
 * Pure orchestration, no storage: run-verification.ts stores the result.
 */
import type { RegistryClient } from '../oci/client';
import { formatReference, withDigest, type ImageReference } from '../oci/reference';
import { compilePolicy, describePolicy, type CompiledPolicy } from '../verify/policy';
import type { LoadedTrustRoot } from '../verify/trust-root';
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
} from '../policy/evaluate';
import { policiesFor } from '../policy/match';
import type { ParsedPolicy } from '../policy/types';
import { verifyImage, type ImageVerification, type RunStatus } from './verify-image';

export interface PolicyVerification {
  /** Matching policies with each authority's outcome. */
  outcomes: PolicyOutcome[];
  verdict: ImageVerdict;
  /** The run status (see runStatusUnderPolicy). */
  status: Exclude<RunStatus, 'error'>;
  summary: string;
  /** The verification whose per-signature results are stored: the first satisfied signer policy's, else the best one. */
  best: ImageVerification;
  bestPolicy: CompiledPolicy;
  /** Canonical signer policies verified, in order (what the run's policy JSON lists). */
  signers: Array<{ policy: string; authority: string; identity: number | null; canonical: Record<string, unknown> }>;
}

export interface VerifyUnderPolicyOptions {
  client: RegistryClient;
  trustRoot: LoadedTrustRoot;
  onProgress?: (message: string) => void;
}

const ORDER: Record<string, number> = { verified: 0, 'signed-unchecked': 1, failed: 2, unsigned: 3 };

/** Returns null when no policy of the file matches the image. */
export async function verifyUnderPolicy(reference: ImageReference, parsed: ParsedPolicy, opts: VerifyUnderPolicyOptions): Promise<PolicyVerification | null> {
  const matches = policiesFor(`${reference.registry}/${reference.repository}`, parsed.policies);
  if (matches.length === 0) return null;
  const done = new Map<string, { v: ImageVerification; compiled: CompiledPolicy }>();
  const signers: PolicyVerification['signers'] = [];
  let pinned: ImageReference | undefined;
  let first: ImageVerification | undefined;
  const outcomes: PolicyOutcome[] = [];
  for (const { policy, glob } of matches) {
    const authorities = [];
    for (const authority of policy.authorities) {
      const results: SignerOutcome[] = [];
      for (const sp of signerPoliciesFor(policy, authority)) {
        const compiled = compilePolicy(sp.policy);
        signers.push({ policy: policy.name, authority: authority.name, identity: sp.identity, canonical: JSON.parse(compiled.canonical) as Record<string, unknown> });
        let entry = done.get(compiled.hash);
        if (!entry) {
          opts.onProgress?.(`policy ${policy.name}, authority ${authority.name}: verifying ${formatReference(pinned ?? reference)}`);
          const v = await verifyImage(pinned ?? reference, { client: opts.client, policy: compiled, trustRoot: opts.trustRoot, onProgress: opts.onProgress });
          if (!pinned) {
            pinned = withDigest(reference, v.digest);
            first = v;
          }
          entry = { v, compiled };
          done.set(compiled.hash, entry);
        }
        results.push({ identity: sp.identity, describe: describePolicy(compiled), status: entry.v.status, summary: entry.v.summary });
      }
      authorities.push(authorityOutcome(authority, results));
    }
    outcomes.push(decidePolicy(policy, glob, authorities));
  }
  const all = [...done.values()];
  const chosen = all.find((e) => e.v.status === 'verified') ?? [...all].sort((a, b) => (ORDER[a.v.status] ?? 9) - (ORDER[b.v.status] ?? 9))[0]!;
  const signatureStatus = bestStatus(all.map((e) => e.v.status));
  const status = runStatusUnderPolicy(outcomes, signatureStatus) as Exclude<RunStatus, 'error'>;
  const verdict = decideImage(outcomes);
  // The stored result keeps the reference as asked (tag included), whichever verification is kept.
  const best: ImageVerification = { ...chosen.v, reference: first?.reference ?? reference };
  const lead = verdict === 'pass' ? 'Policy passed' : verdict === 'warn' ? 'Policy warning (warn mode)' : 'Policy failed';
  // "Verified: signed by X" after "Policy passed" says the same twice: keep the signer part.
  const detail = verdict === 'pass' ? chosen.v.summary.replace(/^Verified: signed/, 'Signed') : chosen.v.summary;
  return { outcomes, verdict, status, summary: `${lead}: ${verdictLine(outcomes)}. ${detail}`, best, bestPolicy: chosen.compiled, signers };
}
