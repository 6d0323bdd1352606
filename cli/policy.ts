/**
 * `sigscope policy …`: policy files (ClusterImagePolicy-like YAML, see lib/policy/parse.ts).
 *
 *   sigscope policy check POLICY.yaml IMAGE… [--trusted-root F] [--allow-http-registry H] [--output json|text]
 *     Verifies each image under the file: the policies whose globs match it, each of their
 *     authorities. Nothing is recorded (the file is not stored; import it and use
 *     `verify --policy NAME` to record runs). Exit 0 when every image passes (a warn-mode policy
 *     that fails is reported, as policy-controller admits with a warning), 1 when an image fails
 *     an enforce policy, matches no policy, or cannot be verified, 2 on bad input (an unreadable
 *     or invalid policy, with line numbers; a bad reference or trusted root).
 *
 *   sigscope policy import NAME POLICY.yaml [--output json|text]
 *     Stores the file as policy NAME: version 1, or a new version when its content changed.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import type { PolicyIssue } from '../lib/policy/parse';
import type { ParsedPolicy } from '../lib/policy/types';
import type { RunOutcome } from '../lib/audit/run-verification';

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
const INPUT_ERRORS = new Set(['INVALID_REFERENCE', 'INVALID_INPUT', 'INVALID_TRUSTED_ROOT', 'REGISTRY_HTTP_NOT_ALLOWED']);
const MAX_POLICY_FILE = 256 * 1024;

/** Bad usage or input: main.ts reports it on stderr and exits 2 (it reads `usage`). */
class UsageError extends Error {
  readonly usage = true;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function safe(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function readPolicyFile(file: string): string {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new UsageError(`policy ${file} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read policy ${file}: ${(e as Error).message}`);
  }
  if (size > MAX_POLICY_FILE) throw new UsageError(`policy ${file} is ${size} bytes, above the 256 KiB limit`);
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read policy ${file}: ${(e as Error).message}`);
  }
}

/** Parses the file; on failure prints `FILE:LINE: field: message` lines and throws a usage error. */
async function parseFile(file: string): Promise<ParsedPolicy> {
  const { parsePolicyYaml, isPolicyParseError } = await import('../lib/policy/parse');
  const text = readPolicyFile(file);
  try {
    return parsePolicyYaml(text);
  } catch (e) {
    if (isPolicyParseError(e)) throw new UsageError(`invalid policy ${file}:\n${e.issues.map((i: PolicyIssue) => `  ${file}:${i.line ?? '?'}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n')}`);
    throw e;
  }
}

export interface PolicyCheckImage {
  image: string;
  reference?: string;
  digest?: string;
  verdict: string;
  status: string;
  summary: string;
  matchedPolicies: string[];
  policies: NonNullable<RunOutcome['policyEvaluation']>['outcomes'];
  errorCode?: string;
  errorMessage?: string;
}

function toImageResult(image: string, o: RunOutcome): PolicyCheckImage {
  const ev = o.policyEvaluation;
  return {
    image,
    ...(o.reference ? { reference: o.reference } : {}),
    ...(o.digest ? { digest: o.digest } : {}),
    verdict: ev?.verdict ?? 'error',
    status: o.status,
    summary: o.summary,
    matchedPolicies: (ev?.outcomes ?? []).map((p) => p.policy),
    policies: ev?.outcomes ?? [],
    ...(o.errorCode ? { errorCode: o.errorCode } : {}),
    ...(o.errorMessage ? { errorMessage: o.errorMessage } : {}),
  };
}

const LABEL: Record<string, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', 'no-match': 'NO POLICY', error: 'ERROR', unknown: 'UNKNOWN' };

function formatText(r: PolicyCheckImage): string {
  const lines = [`${LABEL[r.verdict] ?? r.verdict}  ${r.reference ?? r.image}${r.digest ? `  ${r.digest}` : ''}`];
  if (r.errorMessage) lines.push(`  ${r.errorCode ? `[${r.errorCode}] ` : ''}${r.errorMessage}`);
  for (const p of r.policies) {
    lines.push(`  policy ${p.policy} (${p.mode}, glob ${p.glob}): ${p.verdict}${p.satisfiedBy ? ` by authority ${p.satisfiedBy}` : ''}`);
    for (const a of p.authorities) {
      lines.push(`    ${a.satisfied ? '✔' : '✘'} authority ${a.name} (${a.kind}): ${a.status}`);
      for (const s of a.signers) lines.push(`        ${s.status.padEnd(16)} ${s.describe}${s.status === 'verified' ? '' : `\n        ${' '.repeat(17)}${s.summary}`}`);
    }
  }
  return `${safe(lines.join('\n'))}\n`;
}

export function registerPolicy(program: Command, setExit: (code: number) => void): void {
  const policy = program.command('policy').description('policy files (ClusterImagePolicy-like YAML): check images against one, import one');

  policy
    .command('check')
    .description('verify images under a policy file (nothing is recorded)')
    .argument('<policy>', 'policy YAML file')
    .argument('<images...>', 'image references')
    .option('--trusted-root <file>', 'trusted_root.json of the Sigstore instance (default: public-good)')
    .option('--allow-http-registry <host>', 'reach this registry host over plain HTTP (repeatable)', collect)
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (file: string, images: string[], o: Record<string, unknown>) => {
      const parsed = await parseFile(file);
      const { runVerification } = await import('../lib/audit/run-verification');
      const { policyHash } = await import('../lib/policy/types');
      const json = o.output === 'json';
      const results: PolicyCheckImage[] = [];
      let usage = false;
      for (const image of images) {
        const outcome = await runVerification({
          reference: image,
          policyDocument: { parsed, name: path.basename(file) },
          trustRoot: o.trustedRoot as string | undefined,
          allowHttpRegistries: (o.allowHttpRegistry as string[] | undefined) ?? [],
          source: 'cli',
          record: false,
          onProgress: json || !process.stderr.isTTY ? undefined : (m) => process.stderr.write(`\r\x1b[2K… ${m}`),
        });
        if (!json && process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
        const r = toImageResult(image, outcome);
        if (outcome.status === 'error' && outcome.errorCode && INPUT_ERRORS.has(outcome.errorCode)) usage = true;
        results.push(r);
        if (!json) process.stdout.write(formatText(r));
      }
      const passed = results.every((r) => r.verdict === 'pass' || r.verdict === 'warn');
      if (json) {
        const body = {
          policy: { file, hash: policyHash(parsed), policies: parsed.policies.map((p) => ({ name: p.name, mode: p.mode, images: p.images.map((i) => i.glob), authorities: p.authorities.map((a) => a.name) })) },
          passed,
          images: results,
        };
        process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      }
      setExit(usage ? EXIT.usage : passed ? EXIT.ok : EXIT.failed);
    });

  policy
    .command('import')
    .description('store a policy file under NAME (a new version when its content changed)')
    .argument('<name>', 'policy name (letters, digits, ".", "_", "-")')
    .argument('<policy>', 'policy YAML file')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (name: string, file: string, o: Record<string, unknown>) => {
      const { POLICY_NAME_RE, POLICY_NAME_RULE, savePolicy } = await import('../lib/db/policies');
      if (!POLICY_NAME_RE.test(name)) throw new UsageError(`invalid policy name ${JSON.stringify(name)}: ${POLICY_NAME_RULE}`);
      await parseFile(file);
      const { getDb } = await import('../lib/db');
      const saved = await savePolicy(await getDb(), name, readPolicyFile(file));
      if (saved.created) await (await import('./audit')).auditCli('policy-change', saved.policy.name, { version: saved.version.version, hash: saved.version.hash });
      const v = saved.version;
      if (o.output === 'json') {
        process.stdout.write(`${JSON.stringify({ policyId: saved.policy.id, name: saved.policy.name, versionId: v.id, version: v.version, hash: v.hash, created: saved.created, policies: v.parsed.policies.map((p) => ({ name: p.name, mode: p.mode, images: p.images.map((i) => i.glob) })) }, null, 2)}\n`);
      } else {
        process.stdout.write(
          saved.created
            ? `imported policy ${saved.policy.name} version ${v.version} (${v.parsed.policies.length} document${v.parsed.policies.length === 1 ? '' : 's'}, sha256:${v.hash.slice(0, 12)})\n`
            : `policy ${saved.policy.name} unchanged: version ${v.version} already has this content (sha256:${v.hash.slice(0, 12)})\n`,
        );
      }
      setExit(EXIT.ok);
    });
}
