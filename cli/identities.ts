/**
 * `sigscope identities`: every signing identity in the database, with counts and the
 * repositories it signed. Reads only; exit 0, or 2 on bad usage / input.
 *
 *   sigscope identities [--issuer URL] [--repository R] [--workflow W] [--ref REF] [--search TEXT]
 *                       [--limit N] [--output json|text]
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { IdentitySummary } from '../lib/db/identities';
import { isSigscopeError } from '../lib/errors';

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

function positiveInt(value: string): number {
  if (!/^\d{1,4}$/.test(value) || Number(value) < 1 || Number(value) > 1000) throw new InvalidArgumentError('expected a whole number from 1 to 1000');
  return Number(value);
}

/** The JSON shape of one identity (stable for scripts). */
export function identityJson(i: IdentitySummary) {
  return {
    key: i.key,
    kind: i.ref.kind,
    ...(i.ref.kind === 'keyless' ? { subject: i.ref.subject, issuer: i.ref.issuer || null } : { fingerprint: i.ref.fingerprint }),
    status: i.status,
    signatures: i.counts.signatures,
    attestations: i.counts.attestations,
    verified: i.counts.verified,
    signedUnchecked: i.counts.signedUnchecked,
    failed: i.counts.failed,
    unevaluated: i.counts.unevaluated,
    firstSeenAt: i.firstSeenAt.toISOString(),
    lastSeenAt: i.lastSeenAt.toISOString(),
    firstSignedAt: i.firstSignedAt?.toISOString() ?? null,
    lastSignedAt: i.lastSignedAt?.toISOString() ?? null,
    repositoryCount: i.repositoryCount,
    repositories: i.repositories.map((r) => ({ registry: r.registry, repository: r.repository, signatures: r.signatures, firstSeenAt: r.firstSeenAt.toISOString(), lastSeenAt: r.lastSeenAt.toISOString() })),
    claims: i.claims,
  };
}

const STATUS_TEXT: Record<IdentitySummary['status'], string> = {
  verified: 'verified',
  valid: 'valid, never matched to a policy',
  unverified: 'UNVERIFIED CLAIM',
};

export function formatIdentitiesText(list: IdentitySummary[], truncated: boolean): string {
  if (list.length === 0) return 'No identities found.\n';
  const lines: string[] = [];
  for (const i of list) {
    lines.push(i.ref.kind === 'keyless' ? `${i.ref.subject}` : `key sha256:${i.ref.fingerprint}`);
    if (i.ref.kind === 'keyless') lines.push(`  issuer       ${i.ref.issuer || '(none)'}`);
    lines.push(`  status       ${STATUS_TEXT[i.status]}`);
    lines.push(`  signatures   ${i.counts.signatures} (${i.counts.verified} verified, ${i.counts.failed} not verified${i.counts.attestations ? `, ${i.counts.attestations} attestations` : ''})`);
    lines.push(`  seen         ${i.firstSeenAt.toISOString()} → ${i.lastSeenAt.toISOString()}`);
    lines.push(`  repositories ${i.repositories.map((r) => `${r.registry}/${r.repository}`).join(', ')}${i.repositoryCount > i.repositories.length ? ` (+${i.repositoryCount - i.repositories.length})` : ''}`);
    if (i.claims?.ref || i.claims?.repository) lines.push(`  claims       ${[i.claims.repository, i.claims.ref, i.claims.trigger, i.claims.runnerEnvironment].filter(Boolean).join(' · ')}`);
    lines.push('');
  }
  lines.push(`${list.length} identit${list.length === 1 ? 'y' : 'ies'}${truncated ? ' (more exist; narrow the filter or raise --limit)' : ''}.`);
  return `${lines.join('\n')}\n`;
}

export function registerIdentities(program: Command, setExit: (code: number) => void): Command {
  return program
    .command('identities')
    .description('list the signing identities seen on signatures, with counts and repositories')
    .option('--issuer <url>', 'only this OIDC issuer (exact)')
    .option('--repository <repo>', 'only signatures on images of this repository (registry/repo, or a part; * wildcard)')
    .option('--workflow <text>', 'only certificates whose identity or workflow contains this (* wildcard)')
    .option('--ref <ref>', 'only certificates with this source ref (refs/tags/v* style)')
    .option('--search <text>', 'identity, issuer or key fingerprint contains this')
    .option('--limit <n>', 'at most this many identities (1–1000, default 200)', positiveInt)
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (o: { issuer?: string; repository?: string; workflow?: string; ref?: string; search?: string; limit?: number; output: string }) => {
      // Loaded on use, as `verify` does: other commands need no database.
      const { getDb, closeDb, listIdentities } = await import('../lib/db');
      try {
        const { identities, truncated } = await listIdentities(await getDb(), {
          issuer: o.issuer,
          repository: o.repository,
          workflow: o.workflow,
          ref: o.ref,
          q: o.search,
          limit: o.limit,
        });
        process.stdout.write(
          o.output === 'json' ? `${JSON.stringify({ identities: identities.map(identityJson), truncated }, null, 2)}\n` : formatIdentitiesText(identities, truncated),
        );
        setExit(EXIT.ok);
      } catch (e) {
        if (isSigscopeError(e) && e.code === 'INVALID_INPUT') {
          process.stderr.write(`sigscope identities: ${e.message}\n`);
          setExit(EXIT.usage);
          return;
        }
        throw e;
      } finally {
        await closeDb();
      }
    });
}
