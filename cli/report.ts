/**
 * `sigscope report`: audit reports from stored runs (nothing is verified again).
 *
 *   sigscope report --scope KIND=VALUE [--issuer URL] [--policy NAME [--policy-version N]]
 *                   --format csv|json|pdf|evidence --out FILE [--sign] [--signing-key FILE]
 *                   [--attestation-out FILE] [--trusted-root FILE] [--generated-at ISO]
 *   sigscope report list [--output json]
 *   sigscope report get ID FILE [ATTESTATION_FILE]
 *   sigscope report verify FILE --attestation ENVELOPE --key PUB.pem
 *   sigscope report verify-evidence DIR|ARCHIVE [--key PUB.pem…] [--output json]
 *
 * Exit codes: 0 done / verified, 1 verification failed, 2 bad usage or input.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { isSigscopeError } from '../lib/errors';

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
const INPUT = new Set(['INVALID_INPUT', 'INVALID_REFERENCE', 'INVALID_TRUSTED_ROOT', 'SIZE_LIMIT']);
const MAX_INPUT_FILE = 512 * 1024 * 1024;

function usage(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

function readInput(file: string, what: string, max = MAX_INPUT_FILE): Buffer {
  try {
    const size = statSync(file).size;
    if (size > max) throw new Error(`${size} bytes, above the ${max}-byte limit`);
    return readFileSync(file);
  } catch (e) {
    throw usage(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

function positiveInt(value: string): number {
  if (!/^\d{1,6}$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number from 1');
  return Number(value);
}

/** Files of an extracted evidence folder, by path relative to it (regular files only, bounded). */
function readFolder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(name);
      else if (entry.isFile()) out.set(name, readInput(path.join(dir, name), 'evidence file', 32 * 1024 * 1024));
      if (out.size > 500_000) throw usage(`${dir} holds more than 500000 files`);
    }
  };
  walk('');
  return out;
}

function wrap(setExit: (code: number) => void, fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (e) {
      if ((e as { usage?: boolean }).usage || (isSigscopeError(e) && INPUT.has(e.code))) {
        process.stderr.write(`sigscope report: ${(e as Error).message}\n`);
        setExit(EXIT.usage);
        return;
      }
      throw e;
    }
  };
}

export function registerReport(program: Command, setExit: (code: number) => void): Command {
  const report = program
    .command('report')
    .description('write an audit report (CSV, JSON, PDF or evidence archive) from stored runs, and check reports')
    .option('--scope <kind=value>', 'image=REF | repository=REG/REPO | organization=REG/PREFIX | scan=ID | identity=SUBJECT|KEY | window=FROM..TO')
    .option('--issuer <url>', 'OIDC issuer of an identity scope given by subject')
    .option('--policy <name>', 'only runs made under this stored policy (default: the latest run of each image, whatever its policy)')
    .option('--policy-version <n>', 'that version of the policy (default: its latest)', positiveInt)
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json', 'pdf', 'evidence']).default('csv'))
    .option('--out <file>', 'where to write the report')
    .option('--sign', 'also write a DSSE-signed verification summary (key: SIGSCOPE_REPORT_SIGNING_KEY or --signing-key)')
    .option('--signing-key <file>', 'PEM private key to sign with (instead of SIGSCOPE_REPORT_SIGNING_KEY)')
    .option('--attestation-out <file>', 'where to write the signed summary (default: OUT.dsse.json)')
    .option('--trusted-root <file>', 'trusted_root.json to include in an evidence archive when the runs used it (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--generated-at <iso>', 'the generation time written in the report (default: now)')
    .option('--actor <name>', 'who generates it, recorded with the report', 'cli')
    .action(
      async (o: { scope?: string; issuer?: string; policy?: string; policyVersion?: number; format: 'csv' | 'json' | 'pdf' | 'evidence'; out?: string; sign?: boolean; signingKey?: string; attestationOut?: string; trustedRoot?: string[]; generatedAt?: string; actor: string }) =>
        wrap(setExit, async () => {
          if (!o.scope) throw usage('--scope KIND=VALUE is required (e.g. --scope organization=ghcr.io/acme)');
          if (!o.out) throw usage('--out FILE is required');
          const generatedAt = o.generatedAt ? new Date(o.generatedAt) : undefined;
          if (generatedAt && Number.isNaN(generatedAt.getTime())) throw usage('--generated-at: expected an ISO date-time');
          const { parseScopeArg } = await import('../lib/report/scope');
          const scope = parseScopeArg(o.scope, { issuer: o.issuer });
          const { loadReportSigningKey } = await import('../lib/report/sign');
          const key = o.signingKey ? loadReportSigningKey(o.signingKey) : o.sign ? true : undefined;
          const { getDb, closeDb } = await import('../lib/db');
          const { generateReport, getReportContent } = await import('../lib/report/generate');
          try {
            const db = await getDb();
            const meta = await generateReport(db, { scope, policyName: o.policy, policyVersion: o.policyVersion, format: o.format, actor: o.actor, generatedAt, sign: key ?? false, trustRootFiles: o.trustedRoot });
            const stored = await getReportContent(db, meta.id);
            if (!stored) throw new Error(`report ${meta.id} was not stored`);
            writeFileSync(o.out!, stored.content);
            const s = meta.summary;
            process.stdout.write(
              `${o.out}: ${meta.format}, ${meta.size} bytes, sha256 ${meta.sha256}\n` +
                `  ${meta.scopeLabel}${meta.policyName ? ` under ${meta.policyName} v${s.policyVersion}` : ''}: ${s.total} images, ${s.verified} verified, ${s.failed + s.signedUnchecked} failed, ${s.unsigned} unsigned, ${s.errors} errors (${s.coveragePercent}% coverage)\n` +
                `  stored as report ${meta.id}\n`,
            );
            if (stored.attestation) {
              const att = o.attestationOut ?? `${o.out}.dsse.json`;
              writeFileSync(att, `${stored.attestation}\n`);
              process.stdout.write(`  signed summary: ${att} (key ${meta.signingKeyId})\n`);
            }
            setExit(EXIT.ok);
          } finally {
            await closeDb();
          }
        })(),
    );

  report
    .command('list')
    .description('list stored reports, newest first')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((o: { output: string }) =>
      wrap(setExit, async () => {
        const { getDb, closeDb } = await import('../lib/db');
        const { listReports } = await import('../lib/report/generate');
        try {
          const list = await listReports(await getDb());
          if (o.output === 'json') process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          else if (list.length === 0) process.stdout.write('No reports yet.\n');
          else for (const r of list) process.stdout.write(`${r.id}  ${r.createdAt.toISOString()}  ${r.format.padEnd(8)} ${r.sha256.slice(0, 16)}…  ${r.scopeLabel}${r.policyName ? ` [${r.policyName}]` : ''}${r.signed ? ' (signed)' : ''}\n`);
          setExit(EXIT.ok);
        } finally {
          await closeDb();
        }
      })(),
    );

  report
    .command('get')
    .description('write a stored report again, byte for byte')
    .argument('<id>', 'report id (see `report list`)')
    .argument('<file>', 'where to write it')
    .argument('[attestation-file]', 'where to write its signed summary (signed reports)')
    .action((id: string, out: string, attestationOut: string | undefined) =>
      wrap(setExit, async () => {
        const { getDb, closeDb } = await import('../lib/db');
        const { getReportContent } = await import('../lib/report/generate');
        try {
          const stored = await getReportContent(await getDb(), id);
          if (!stored) throw usage(`there is no stored report ${JSON.stringify(id.slice(0, 64))}`);
          writeFileSync(out, stored.content);
          if (attestationOut) {
            if (!stored.attestation) throw usage(`report ${id} was not signed`);
            writeFileSync(attestationOut, `${stored.attestation}\n`);
          }
          process.stdout.write(`${out}: ${stored.meta.size} bytes, sha256 ${stored.meta.sha256}\n`);
          setExit(EXIT.ok);
        } finally {
          await closeDb();
        }
      })(),
    );

  report
    .command('verify')
    .description('check a report file against its signed summary (DSSE envelope) and a public key')
    .argument('<file>', 'the report file')
    .requiredOption('--attestation <file>', 'the DSSE envelope (.dsse.json)')
    .requiredOption('--key <file>', 'PEM public key of the signer')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((file: string, o: { attestation: string; key: string; output: string }) =>
      wrap(setExit, async () => {
        const { verifyReportEnvelope } = await import('../lib/report/sign');
        const result = verifyReportEnvelope(readInput(file, 'report'), readInput(o.attestation, 'attestation', 16 * 1024 * 1024).toString('utf8'), readInput(o.key, 'key', 64 * 1024));
        if (o.output === 'json') process.stdout.write(`${JSON.stringify({ ok: result.ok, checks: result.checks, predicate: result.statement?.predicate ?? null }, null, 2)}\n`);
        else {
          for (const c of result.checks) process.stdout.write(`${c.passed ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
          process.stdout.write(result.ok ? `Verified: ${file} is the report the summary was signed for.\n` : `NOT VERIFIED: ${file}\n`);
        }
        setExit(result.ok ? EXIT.ok : EXIT.failed);
      })(),
    );

  report
    .command('verify-evidence')
    .description('re-check an evidence archive (tar.gz) or its extracted folder offline')
    .argument('<path>', 'the archive or folder')
    .option('--key <file>', 'PEM public key of a key signer whose key the runs did not store (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((target: string, o: { output: string; key?: string[] }) =>
      wrap(setExit, async () => {
        if (!existsSync(target)) throw usage(`${target} does not exist`);
        const { readEvidenceArchive, verifyEvidence } = await import('../lib/report/evidence');
        const files = statSync(target).isDirectory() ? readFolder(target) : readEvidenceArchive(readInput(target, 'archive'));
        const keys = (o.key ?? []).map((k) => readInput(k, 'key', 64 * 1024));
        const { createPublicKey } = await import('node:crypto');
        for (const [i, k] of keys.entries()) {
          try {
            createPublicKey(k);
          } catch (e) {
            throw usage(`--key ${o.key![i]} is not a PEM public key: ${(e as Error).message}`);
          }
        }
        const result = verifyEvidence(files, { keys });
        if (o.output === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          for (const img of result.images) {
            process.stdout.write(`${img.outcome === 'ok' ? 'ok  ' : img.outcome === 'failed' ? 'FAIL' : '    '} ${img.image} (${img.verdict})\n`);
            for (const d of img.details) process.stdout.write(`       ${d}\n`);
          }
          for (const p of result.problems) process.stdout.write(`PROBLEM ${p}\n`);
          const c = result.counts;
          process.stdout.write(
            `${result.ok ? 'Evidence verified' : 'EVIDENCE NOT VERIFIED'}: ${c.images} images, ${c.rechecked}/${c.verifiedRows} verified rows re-checked, ${c.signaturesRechecked}/${c.signatures} signatures re-checked offline.\n`,
          );
        }
        setExit(result.ok ? EXIT.ok : EXIT.failed);
      })(),
    );
  return report;
}
