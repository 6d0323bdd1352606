/** Matches a verified certificate against the policy's identity, issuer and GitHub claims. */
import type { DecodedCertificate } from '../x509';
import { printable } from '../errors';
import type { CompiledPolicy } from './policy';
import { Checks, type ReasonCode } from './result';

export class PolicyMismatch extends Error {
  constructor(
    readonly code: ReasonCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * GitHub workflow claims as cosign's --certificate-github-workflow-* flags read them:
 * the legacy extensions (.1.2–.1.6) first, then their v2 equivalents.
 */
export function githubClaims(cert: DecodedCertificate): Record<string, string> {
  const f = cert.fulcio as Record<string, string | undefined>;
  const repoFromUri = f.sourceRepositoryUri?.replace(/^https:\/\/github\.com\//, '');
  const out: Record<string, string | undefined> = {
    repository: f.githubWorkflowRepository ?? repoFromUri,
    ref: f.githubWorkflowRef ?? f.sourceRepositoryRef,
    sha: f.githubWorkflowSha ?? f.sourceRepositoryDigest,
    trigger: f.githubWorkflowTrigger ?? f.buildTrigger,
    name: f.githubWorkflowName,
  };
  return Object.fromEntries(Object.entries(out).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

// Legacy Fulcio extensions and the ones that superseded them. A certificate where a pair
// disagrees is refused: which value a policy is checked against must not be a choice.
const SUPERSEDED: Array<[legacy: string, current: string, normalise?: (v: string) => string | undefined]> = [
  ['issuer', 'issuerV2'],
  ['githubWorkflowRepository', 'sourceRepositoryUri', (v) => (v.startsWith('https://github.com/') ? v.slice('https://github.com/'.length) : undefined)],
  ['githubWorkflowRef', 'sourceRepositoryRef'],
  ['githubWorkflowSha', 'sourceRepositoryDigest'],
  ['githubWorkflowTrigger', 'buildTrigger'],
];

export function extensionConflicts(cert: DecodedCertificate): string[] {
  const f = cert.fulcio as Record<string, string | undefined>;
  const out: string[] = [];
  for (const [legacy, current, normalise] of SUPERSEDED) {
    const a = f[legacy];
    const raw = f[current];
    const b = raw !== undefined && normalise ? normalise(raw) : raw;
    if (a !== undefined && b !== undefined && a !== b) out.push(`${legacy} is ${printable(JSON.stringify(a))} but ${current} is ${printable(JSON.stringify(raw))}`);
  }
  return out;
}

export function matchSignerPolicy(cert: DecodedCertificate, policy: CompiledPolicy, checks: Checks): void {
  const fail = (code: ReasonCode, msg: string): never => {
    throw new PolicyMismatch(code, msg);
  };
  const conflicts = extensionConflicts(cert);
  if (conflicts.length) fail('CERTIFICATE_MALFORMED', `the certificate's legacy and current Fulcio extensions disagree: ${conflicts.join('; ')}`);
  if (policy.identity) {
    if (!policy.identity.test(cert.identity)) {
      fail('IDENTITY_MISMATCH', `certificate identity is ${cert.identity === undefined ? '(none)' : printable(cert.identity, 400)}, policy expects ${policy.identity.describe}`);
    }
    checks.pass('identity', `certificate identity ${cert.identity} matches ${policy.identity.describe}`);
  }
  if (policy.issuer) {
    if (!policy.issuer.test(cert.oidcIssuer)) {
      fail('ISSUER_MISMATCH', `certificate OIDC issuer is ${cert.oidcIssuer === undefined ? '(none)' : printable(cert.oidcIssuer, 400)}, policy expects ${policy.issuer.describe}`);
    }
    checks.pass('issuer', `OIDC issuer ${cert.oidcIssuer} matches ${policy.issuer.describe}`);
  }
  const claims = githubClaims(cert);
  for (const { claim, expected, test } of policy.github) {
    const actual = claims[claim];
    if (!test(actual)) fail('GITHUB_CLAIM_MISMATCH', `GitHub workflow ${claim} is ${actual === undefined ? '(absent)' : printable(actual)}, policy expects ${expected}`);
    checks.pass(`github-${claim}`, expected.startsWith('glob ') ? `GitHub workflow ${claim} ${actual} matches ${expected}` : `GitHub workflow ${claim} is ${expected}`);
  }
}
