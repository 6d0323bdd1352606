/**
 * `sigscope` — the command line over lib/. Flags follow cosign's where cosign has one.
 * Exit codes: 0 verified, 1 not verified (or the registry/verification failed), 2 bad usage or input.
 */
import { Command, CommanderError, Option } from 'commander';
import { isSigscopeError } from '../lib/errors';
import type { RunOutcome } from '../lib/audit/run-verification';
import { formatOutcomeText } from './format';
import { registerIdentities } from './identities';
import { registerVerifyBundle } from './verify-bundle';
import { registerPolicy } from './policy';
import { registerRekor } from './rekor';
import { addPolicyFlags, policyFromFlags } from './policy-flags';
import { registerScan } from './scan';
import { registerReport } from './report';
import { registerSecrets } from './secrets';
import { auditCli } from './audit';
import { exitWhenFlushed } from './exit';

export const EXIT = { verified: 0, notVerified: 1, usage: 2 } as const;

const INPUT_ERRORS = new Set(['INVALID_REFERENCE', 'INVALID_INPUT', 'INVALID_POLICY', 'INVALID_TRUSTED_ROOT', 'REGISTRY_HTTP_NOT_ALLOWED']);

async function main(argv: string[]): Promise<number> {
  const program = new Command('sigscope')
    .description('Audit container images signed with Sigstore')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  let exitCode: number = EXIT.usage;
  const verify = program
    .command('verify')
    .description('verify the cosign signatures of an image and record the run')
    .argument('<image>', 'image reference: registry/repo:tag or registry/repo@sha256:…');
  addPolicyFlags(verify)
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--no-record', 'do not store the run in the database')
    .action(async (image: string, o: Record<string, unknown>) => {
      const policy = policyFromFlags(o);
      const json = o.output === 'json';
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
  registerScan(program, (code) => {
    exitCode = code;
  });
  registerReport(program, (code) => {
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
  (code) => exitWhenFlushed(code),
  (e: unknown) => {
    process.stderr.write(`sigscope: ${(e as Error).message}\n`);
    return exitWhenFlushed(EXIT.notVerified);
  },
);
