/**
 * From a parsed policy to verdicts.
 *
 * 1. Signer policies: each authority becomes the input(s) of lib/verify/policy.ts's
 *    compilePolicy, the per-image signer policy the verifier already enforces:
 *    - keyless: one signer policy per identity (subject → identity / identityRegExp, issuer →
 *      issuer / issuerRegExp, github claims → exact claims, a ref with "*" → refGlob);
 *    - key: `keys: [data]`;
 *    - attestations (the authority's and spec-level ones) → requireAttestations, so they must be
 *      signed by the same signer; `insecureIgnoreTlog` is passed through.
 *    An authority is satisfied when one of its signer policies verifies the image.
 *
 * 2. Verdicts (policy-controller's rules): a policy is satisfied when ONE of its authorities is;
 *    an image must satisfy EVERY policy whose globs match it.
 *    - mode enforce: a policy no authority satisfies is a `fail`;
 *    - mode warn: it is a `warn`. The warning is recorded (run summary, CLI output, exit code 0)
 *      but does not decide: the run status stays what the signatures say under the authorities
 *      (the best of them), exactly as if the policy were not there. The image's verdict is
 *      `pass` when every policy passes, `fail` when an enforce policy fails, `warn` when only
 *      warn policies fail, `no-match` when no policy covers the image (fail closed: nothing
 *      says who may sign it), `unknown` when stored evidence cannot decide (re-evaluation).
 */
import type { PolicyInput } from '../verify/policy';
import type { ImagePolicy, PolicyAttestation, PolicyAuthority } from './types';

/** policy-controller's short predicate type names. */
export const PREDICATE_TYPE_SHORT_NAMES: Record<string, string> = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  link: 'https://in-toto.io/Link/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
};

export function predicateTypeUri(t: string): string {
  return PREDICATE_TYPE_SHORT_NAMES[t] ?? t;
}

export interface SignerPolicyInput {
  authority: string;
  /** Index of the keyless identity, or null for a key authority. */
  identity: number | null;
  /** compilePolicy's input. */
  policy: PolicyInput;
}

function requirement(a: PolicyAttestation): NonNullable<PolicyInput['requireAttestations']>[number] {
  return {
    predicateType: predicateTypeUri(a.predicateType),
    ...(a.builderId ? { builderId: a.builderId } : {}),
    ...(a.sourceRepository ? { sourceRepository: a.sourceRepository } : {}),
  };
}

/** The verifier's signer policies for one authority of `policy`. */
export function signerPoliciesFor(policy: Pick<ImagePolicy, 'attestations'>, authority: PolicyAuthority): SignerPolicyInput[] {
  const attestations = [...authority.attestations, ...policy.attestations].map(requirement);
  const common: PolicyInput = {
    ...(attestations.length ? { requireAttestations: attestations } : {}),
    ...(authority.insecureIgnoreTlog ? { insecureIgnoreTlog: true } : {}),
  };
  if (authority.key) return [{ authority: authority.name, identity: null, policy: { ...common, keys: [authority.key.data] } }];
  return (authority.keyless?.identities ?? []).map((id, i) => {
    const gh = id.github;
    const github = gh
      ? {
          ...(gh.repository ? { repository: gh.repository } : {}),
          ...(gh.ref ? (gh.ref.includes('*') ? { refGlob: gh.ref } : { ref: gh.ref }) : {}),
          ...(gh.trigger ? { trigger: gh.trigger } : {}),
          ...(gh.workflow ? { name: gh.workflow } : {}),
          ...(gh.sha ? { sha: gh.sha } : {}),
        }
      : undefined;
    return {
      authority: authority.name,
      identity: i,
      policy: {
        ...common,
        ...(id.subject !== undefined ? { identity: id.subject } : {}),
        ...(id.subjectRegExp !== undefined ? { identityRegExp: id.subjectRegExp } : {}),
        ...(id.issuer !== undefined ? { issuer: id.issuer } : {}),
        ...(id.issuerRegExp !== undefined ? { issuerRegExp: id.issuerRegExp } : {}),
        ...(github && Object.keys(github).length ? { github } : {}),
      },
    };
  });
}

// ---------------------------------------------------------------------------
// Verdicts

/** What one signer policy says about the image: a run status, or `unknown` (stored evidence cannot tell). */
export type SignerStatus = 'verified' | 'signed-unchecked' | 'failed' | 'unsigned' | 'error' | 'unknown';

export interface SignerOutcome {
  identity: number | null;
  /** describePolicy() of the compiled signer policy. */
  describe: string;
  status: SignerStatus;
  summary: string;
}

export interface AuthorityOutcome {
  name: string;
  kind: 'keyless' | 'key';
  satisfied: boolean;
  /** The best of its signers' statuses. */
  status: SignerStatus;
  signers: SignerOutcome[];
}

export type DocumentVerdict = 'pass' | 'fail' | 'warn' | 'unknown';
export type ImageVerdict = DocumentVerdict | 'no-match' | 'error';

export interface PolicyOutcome {
  policy: string;
  mode: ImagePolicy['mode'];
  glob: string;
  verdict: DocumentVerdict;
  /** The first authority satisfied, if any. */
  satisfiedBy: string | null;
  authorities: AuthorityOutcome[];
}

const RANK: Record<SignerStatus, number> = { verified: 0, unknown: 1, 'signed-unchecked': 2, failed: 3, unsigned: 4, error: 5 };

export function bestStatus(statuses: readonly SignerStatus[]): SignerStatus {
  return statuses.reduce<SignerStatus>((best, s) => (RANK[s] < RANK[best] ? s : best), 'error');
}

export function authorityOutcome(authority: PolicyAuthority, signers: SignerOutcome[]): AuthorityOutcome {
  const status = signers.length ? bestStatus(signers.map((s) => s.status)) : 'error';
  return { name: authority.name, kind: authority.key ? 'key' : 'keyless', satisfied: status === 'verified', status, signers };
}

/** One policy's verdict from its authorities' outcomes. */
export function decidePolicy(policy: Pick<ImagePolicy, 'name' | 'mode'>, glob: string, authorities: AuthorityOutcome[]): PolicyOutcome {
  const satisfied = authorities.find((a) => a.satisfied);
  let verdict: DocumentVerdict;
  if (satisfied) verdict = 'pass';
  else if (authorities.some((a) => a.status === 'unknown')) verdict = 'unknown';
  else verdict = policy.mode === 'warn' ? 'warn' : 'fail';
  return { policy: policy.name, mode: policy.mode, glob, verdict, satisfiedBy: satisfied?.name ?? null, authorities };
}

/** The image's verdict over every policy that matched it. */
export function decideImage(outcomes: readonly PolicyOutcome[]): ImageVerdict {
  if (outcomes.length === 0) return 'no-match';
  if (outcomes.some((o) => o.verdict === 'fail')) return 'fail';
  if (outcomes.some((o) => o.verdict === 'unknown')) return 'unknown';
  if (outcomes.some((o) => o.verdict === 'warn')) return 'warn';
  return 'pass';
}

/**
 * The run status under a policy: `verified` when every enforce policy passes; otherwise, for a
 * failing enforce policy, `failed` (`unsigned` kept when the image has no signature at all).
 * With only warn policies, the status is what the signatures say (`signatureStatus`, the best
 * authority's), as documented above.
 */
export function runStatusUnderPolicy(outcomes: readonly PolicyOutcome[], signatureStatus: SignerStatus): SignerStatus {
  const enforce = outcomes.filter((o) => o.mode === 'enforce');
  if (enforce.length === 0) return signatureStatus;
  if (enforce.every((o) => o.verdict === 'pass')) return 'verified';
  if (enforce.some((o) => o.verdict === 'unknown') && !enforce.some((o) => o.verdict === 'fail')) return 'unknown';
  return signatureStatus === 'unsigned' || signatureStatus === 'error' ? signatureStatus : 'failed';
}

export function verdictLine(outcomes: readonly PolicyOutcome[]): string {
  return outcomes
    .map((o) => {
      if (o.verdict === 'pass') return `${o.policy}: pass (authority ${o.satisfiedBy})`;
      const why = o.authorities.map((a) => `${a.name} ${a.status}`).join(', ');
      return `${o.policy}: ${o.verdict}${o.mode === 'warn' ? ' (warn mode)' : ''} — no authority satisfied (${why})`;
    })
    .join('; ');
}
