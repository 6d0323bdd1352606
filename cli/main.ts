/**
 * `sigscope` — the command line over lib/. Flags follow cosign's where cosign has one.
 * Exit codes: 0 verified, 1 not verified (or the registry/verification failed), 2 bad usage or input.
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { isSigscopeError } from '../lib/errors';
import type { RunOutcome } from '../lib/audit/run-verification';
import { formatOutcomeText } from './format';
import { registerIdentities } from './identities';
import { registerVerifyBundle } from './verify-bundle';
import { registerPolicy } from './policy';
import { registerRekor } from './rekor';
import { registerSecrets } from './secrets';
import { auditCli } from './audit';

export const EXIT = { verified: 0, notVerified: 1, usage: 2 } as const;

const INPUT_ERRORS = new Set(['INVALID_REFERENCE', 'INVALID_INPUT', 'INVALID_POLICY', 'INVALID_TRUSTED_ROOT', 'REGISTRY_HTTP_NOT_ALLOWED']);

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('sigscope')
    .description('Audit container images signed with Sigstore')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  let exitCode: number = EXIT.usage;
  program
    .command('verify')
    .description('verify the cosign signatures of an image and record the run')
    .argument('<image>', 'image reference: registry/repo:tag or registry/repo@sha256:…')
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
    .option('--allow-http-registry <host>', 'reach this registry host over plain HTTP (repeatable)', collect)
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--no-record', 'do not store the run in the database')
    .action(async (image: string, o: Record<string, unknown>) => {
      const keys = ((o.key as string[] | undefined) ?? []).map((file) => {
        try {
          return readFileSync(file, 'utf8');
        } catch (e) {
          throw Object.assign(new Error(`cannot read key file ${file}: ${(e as Error).message}`), { usage: true });
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
      const json = o.output === 'json';
      if (typeof o.policy === 'string' && Object.keys(policy).length > 0) {
        throw Object.assign(new Error('--policy replaces the signer flags (identity, issuer, key, attestations): give one or the other'), { usage: true });
      }
      // Loaded on use: the database and registry client are not needed by other commands.
      const { runVerification } = await import('../lib/audit/run-verification');
      const outcome: RunOutcome = await runVerification({
        reference: image,
        ...(typeof o.policy === 'string' ? { policyName: o.policy } : { policy }),
        trustRoot: o.trustedRoot as string | undefined,
        allowHttpRegistries: (o.allowHttpRegistry as string[] | undefined) ?? [],
        source: 'cli',
        record: o.record !== false,
        onProgress: json || !process.stderr.isTTY ? undefined : (m) => process.stderr.write(`\r\x1b[2K… ${m}`),
      });
      if (o.record !== false && outcome.runId) await auditCli('run', outcome.runId, { reference: image, status: outcome.status });
      if (!json && process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
      process.stdout.write(json ? `${JSON.stringify(outcome, null, 2)}\n` : formatOutcomeText(outcome));
      if (outcome.status === 'verified') exitCode = EXIT.verified;
      else if (outcome.status === 'error' && outcome.errorCode && INPUT_ERRORS.has(outcome.errorCode)) exitCode = EXIT.usage;
      else exitCode = EXIT.notVerified;
    });

  registerVerifyBundle(program, (code) => {
    exitCode = code;
  });
  registerPolicy(program, (code) => {
    exitCode = code;
  });
  registerIdentities(program, (code) => {
    exitCode = code;
  });
  registerRekor(program, (code) => {
    exitCode = code;
  });
  registerSecrets(program, (code) => {
    exitCode = code;
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT.usage;
    if ((e as { usage?: boolean }).usage || (isSigscopeError(e) && INPUT_ERRORS.has(e.code))) {
      process.stderr.write(`sigscope: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`sigscope: ${(e as Error).message}\n`);
    return EXIT.notVerified;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`sigscope: ${(e as Error).message}\n`);
    process.exit(EXIT.notVerified);
  },
);
