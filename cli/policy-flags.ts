/** The signer-policy flags `verify` and `scan` share (cosign's names), and the policy they build. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function addPolicyFlags(cmd: Command): Command {
  return cmd
    .option('--key <file>', 'path to a PEM public key (repeatable)', collect)
    .option('--certificate-identity <id>', 'exact certificate identity (SAN) expected')
    .option('--certificate-identity-regexp <re>', 'regexp the whole certificate identity must match')
    .option('--certificate-oidc-issuer <url>', 'exact OIDC issuer expected')
    .option('--certificate-oidc-issuer-regexp <re>', 'regexp the whole OIDC issuer must match')
    .option('--certificate-github-workflow-repository <repo>', 'expected GitHub repository claim (org/repo)')
    .option('--certificate-github-workflow-ref <ref>', 'expected GitHub ref claim (refs/heads/main)')
    .option('--certificate-github-workflow-sha <sha>', 'expected GitHub commit claim')
    .option('--certificate-github-workflow-trigger <event>', 'expected GitHub trigger claim (push, …)')
    .option('--certificate-github-workflow-name <name>', 'expected GitHub workflow name claim')
    .option('--require-attestation <predicate-type>', 'require a verified attestation of this predicate type from the same signer (repeatable)', collect)
    .option('--require-builder-id <id>', 'with --require-attestation: the SLSA builder ID it must name')
    .option('--require-source-repository <url|image>', "with --require-attestation: the SLSA source repository it must name ('image' = the image's own)")
    .option('--insecure-ignore-tlog', 'accept key signatures that have no transparency-log entry')
    .option('--policy <name>', 'verify under a stored policy (see `policy import`) instead of the signer flags')
    .option('--trusted-root <file>', 'trusted_root.json of the Sigstore instance (default: public-good)')
    .option('--allow-http-registry <host>', 'reach this registry host over plain HTTP (repeatable)', collect);
}

function usage(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

/** The ad hoc policy the flags describe ({} when none); refuses --policy together with signer flags. */
export function policyFromFlags(o: Record<string, unknown>): Record<string, unknown> {
  const keys = ((o.key as string[] | undefined) ?? []).map((file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      throw usage(`cannot read key file ${file}: ${(e as Error).message}`);
    }
  });
  const github = Object.fromEntries(
    (['repository', 'ref', 'sha', 'trigger', 'name'] as const).flatMap((k) => {
      const v = o[`certificateGithubWorkflow${k[0]!.toUpperCase()}${k.slice(1)}`];
      return typeof v === 'string' ? [[k, v]] : [];
    }),
  );
  const policy = {
    ...(o.certificateIdentity ? { identity: o.certificateIdentity } : {}),
    ...(o.certificateIdentityRegexp ? { identityRegExp: o.certificateIdentityRegexp } : {}),
    ...(o.certificateOidcIssuer ? { issuer: o.certificateOidcIssuer } : {}),
    ...(o.certificateOidcIssuerRegexp ? { issuerRegExp: o.certificateOidcIssuerRegexp } : {}),
    ...(Object.keys(github).length ? { github } : {}),
    ...(keys.length ? { keys } : {}),
    ...(o.insecureIgnoreTlog ? { insecureIgnoreTlog: true } : {}),
    ...((o.requireAttestation as string[] | undefined)?.length
      ? {
          requireAttestations: (o.requireAttestation as string[]).map((predicateType) => ({
            predicateType,
            ...(o.requireBuilderId ? { builderId: o.requireBuilderId as string } : {}),
            ...(o.requireSourceRepository ? { sourceRepository: o.requireSourceRepository as string } : {}),
          })),
        }
      : {}),
  };
  if (typeof o.policy === 'string' && Object.keys(policy).length > 0) {
    throw usage('--policy replaces the signer flags (identity, issuer, key, attestations): give one or the other');
  }
  return policy;
}
