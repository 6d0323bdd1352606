/**
 * `sigscope rekor`: read entries of a trusted root's Rekor log(s), each proven
 * (inclusion proof against the signed checkpoint, SET, log ID) before it is shown.
 *
 *   sigscope rekor get (--uuid U | --log-index N) [--trusted-root NAME|FILE] [--url LOG] [--output json|text]
 *   sigscope rekor search (--sha sha256:… | --email E) [--trusted-root NAME|FILE] [--url LOG] [--output json|text]
 *
 * Exit 0 when at least one entry is found and every entry found is proven (or
 * SET-vouched), 1 when nothing is found or an entry is not proven, 2 on bad input.
 */
import { Option, type Command } from 'commander';
import type { ExploreQuery, ExploreResult } from '../lib/rekor/explore';

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
const STATUS_TEXT = { proven: 'PROVEN in log (inclusion proof + signed checkpoint)', 'set-only': 'SET only (no inclusion proof anchored in a checkpoint)', 'not-proven': 'NOT PROVEN' } as const;

function usage(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

function formatText(r: ExploreResult, explore: typeof import('../lib/rekor/explore')): string {
  const out: string[] = [`trusted root ${r.trustRoot.name}: ${r.logs.map((l) => `${l.baseUrl} (${l.version})`).join(', ') || 'no log'}`];
  for (const m of r.messages) out.push(`note: ${m}`);
  for (const e of r.entries) {
    out.push('', `entry ${e.logIndex}${e.uuid ? ` ${e.uuid}` : ''}: ${STATUS_TEXT[e.status]}`);
    out.push(`  kind       ${e.decoded.kind ?? 'unknown'} ${e.decoded.apiVersion ?? ''}`);
    const hash = explore.artifactHashOf(e);
    if (hash) out.push(`  artifact   ${hash}`);
    const signer = explore.signerOf(e);
    if (signer) out.push(`  signer     ${signer}`);
    if (e.decoded.integratedTime) out.push(`  integrated ${new Date(e.decoded.integratedTime * 1000).toISOString()}`);
    out.push(`  log id     ${e.decoded.logId}`);
    for (const s of e.verification.steps) out.push(`  [${s.status === 'passed' ? ' ok ' : s.status === 'failed' ? 'FAIL' : ' -- '}] ${s.id}: ${s.detail}`);
    if (e.verification.reason) out.push(`  reason: ${e.verification.reason}`);
    for (const s of e.signatures) out.push(`  stored signature on ${s.image.registry}/${s.image.repository}@${s.image.digest}`);
  }
  if (r.truncated > 0) out.push('', `${r.truncated} more index hits were not fetched`);
  return `${out.join('\n')}\n`;
}

export function registerRekor(program: Command, setExit: (code: number) => void): void {
  const rekor = program.command('rekor').description('look up and prove entries of a Rekor transparency log');

  const run = async (query: Record<string, string | undefined>, o: Record<string, unknown>) => {
    const explore = await import('../lib/rekor/explore');
    let q: ExploreQuery;
    try {
      q = explore.parseExploreQuery(query);
    } catch (e) {
      throw usage((e as Error).message);
    }
    const { exploreRekor } = await import('../lib/rekor/explore-db');
    const result = await exploreRekor(o.trustedRoot as string | undefined, q, { allowFile: true, logUrl: o.url as string | undefined, link: o.link !== false });
    process.stdout.write(o.output === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatText(result, explore));
    const good = result.entries.length > 0 && result.entries.every((e) => e.status !== 'not-proven');
    setExit(good ? EXIT.ok : EXIT.failed);
  };
  const common = (c: Command) =>
    c
      .option('--trusted-root <name|file>', 'trusted root naming the log(s): public-good, staging, a name from settings, or a trusted_root.json file', 'public-good')
      .option('--url <log>', 'only this log of the trusted root (its base URL)')
      .option('--no-link', 'do not look up stored signatures naming the entries')
      .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'));

  common(
    rekor
      .command('get')
      .description('an entry by UUID or log index, proven')
      .option('--uuid <uuid>', 'entry UUID (64 or 80 hex)')
      .option('--log-index <n>', 'log index'),
  ).action(async (o: Record<string, unknown>) => {
    if ((o.uuid === undefined) === (o.logIndex === undefined)) throw usage('give exactly one of --uuid or --log-index');
    await run({ uuid: o.uuid as string | undefined, logIndex: o.logIndex as string | undefined }, o);
  });

  common(
    rekor
      .command('search')
      .description("entries from the log's index by artifact hash or email, each proven (at most 50)")
      .option('--sha <sha256:hex>', 'artifact hash')
      .option('--email <email>', 'signer email'),
  ).action(async (o: Record<string, unknown>) => {
    if ((o.sha === undefined) === (o.email === undefined)) throw usage('give exactly one of --sha or --email');
    await run({ sha256: o.sha as string | undefined, email: o.email as string | undefined }, o);
  });
}
