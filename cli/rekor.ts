/**
 * `sigscope rekor`: read entries of a trusted root's Rekor log(s), each proven
 * (inclusion proof against the signed checkpoint, SET, log ID) before it is shown,
 * with the log's checkpoint recorded and checked against its history at each call.
 *
 *   sigscope rekor get (--uuid U | --log-index N) [--trusted-root NAME|FILE] [--url LOG] [--output json|text]
 *   sigscope rekor search (--sha sha256:… | --email E | --subject URI | --text ANY) [...]
 *   sigscope rekor checkpoint [--trusted-root …] [--url LOG]      record and judge the current checkpoint(s)
 *   sigscope rekor verify-entry (FILE | --bundle FILE | --uuid U | --log-index N) [--trusted-root … | --rekor-key PEM]
 *   sigscope rekor watch add IDENTITY --log URL [--regexp] [--oidc-issuer URL]
 *   sigscope rekor watch list [--all] | check [ID…] | stop ID
 *
 * Exit codes: 0 success (entries found and all proven; log history consistent);
 * 1 nothing found, an entry not proven, or a log that rewrote its history; 2 bad usage.
 * The trusted root defaults to the one chosen for the explorer in settings.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { CheckpointStatus } from '../lib/rekor/checkpoints';
import type { ExploreQuery, ExploreResult } from '../lib/rekor/explore';
import type { ProofReport } from '../lib/rekor/proof-report';

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
const STATUS_TEXT = { proven: 'PROVEN in log (inclusion proof + signed checkpoint)', 'set-only': 'SET only (no inclusion proof anchored in a checkpoint)', 'not-proven': 'NOT PROVEN' } as const;

function usage(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

function formatCheckpoints(statuses: CheckpointStatus[] | undefined): string[] {
  const out: string[] = [];
  for (const c of statuses ?? []) {
    const o = c.observation;
    out.push(`checkpoint ${c.logUrl}: size ${o.treeSize}, ${o.consistency.toUpperCase()} — ${o.detail ?? ''}`);
    if (c.flagged) {
      out.push(`WARNING: ${c.logUrl} HAS REWRITTEN ITS HISTORY (${c.rewrites.length || 1} inconsistent checkpoint${c.rewrites.length > 1 ? 's' : ''} on record):`);
      for (const r of c.rewrites) out.push(`  ${r.observedAt.toISOString()} size ${r.treeSize}: ${r.detail ?? ''}`);
    }
  }
  return out;
}

function anyFlagged(statuses: CheckpointStatus[] | undefined): boolean {
  return (statuses ?? []).some((c) => c.flagged);
}

function formatText(r: ExploreResult & { understood?: string }, explore: typeof import('../lib/rekor/explore')): string {
  const out: string[] = [`trusted root ${r.trustRoot.name}: ${r.logs.map((l) => `${l.baseUrl} (${l.version})`).join(', ') || 'no log'}`];
  if (r.understood) out.push(`searched for ${r.understood}`);
  out.push(...formatCheckpoints(r.checkpoints));
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

function formatReport(r: ProofReport & { logUrl?: string }): string {
  const mark = (ok: boolean | undefined) => (ok === undefined ? ' -- ' : ok ? ' ok ' : 'FAIL');
  const step = (id: string) => r.verification.steps.find((s) => s.id === id);
  const status = (id: string) => {
    const s = step(id);
    return s === undefined || s.status === 'absent' ? undefined : s.status === 'passed';
  };
  const out = [`entry ${r.logIndex}${r.uuid ? ` ${r.uuid}` : ''}${r.logUrl ? ` in ${r.logUrl}` : ''}`];
  out.push(`  [${mark(status('log'))}] log       ${step('log')?.detail ?? ''}`);
  out.push(`  [${mark(r.leafHash ? true : false)}] leaf hash SHA-256(0x00 || body) = ${r.leafHash || '(body is not base64)'}`);
  if (step('uuid')) out.push(`  [${mark(status('uuid'))}] uuid      ${step('uuid')!.detail}`);
  if (r.proof) {
    out.push(`  [ -- ] path      ${r.proof.path.length} hashes, leaf index ${r.proof.logIndex} of tree size ${r.proof.treeSize}`);
    r.proof.path.forEach((h, i) => out.push(`                  ${String(i + 1).padStart(2)}. ${h}`));
    const rootOk = r.proof.computedRoot !== undefined && r.proof.computedRoot === r.proof.rootHash.toLowerCase();
    out.push(`  [${mark(rootOk)}] root      computed ${r.proof.computedRoot ?? `none (${r.proof.pathProblem ?? 'path could not be walked'})`}; proof root ${r.proof.rootHash}`);
  } else {
    out.push('  [ -- ] path      no inclusion proof in the entry');
  }
  out.push(`  [${mark(status('inclusion'))}] inclusion ${step('inclusion')?.detail ?? ''}`);
  out.push(`  [${mark(status('checkpoint'))}] checkpoint ${step('checkpoint')?.detail ?? ''}`);
  out.push(`  [${mark(status('set'))}] SET       ${step('set')?.detail ?? ''}`);
  out.push(`  ${r.ok ? 'VERIFIED' : `NOT VERIFIED: ${r.verification.reason ?? 'a step failed'}`}`);
  return out.join('\n');
}

async function openRoot(o: Record<string, unknown>) {
  const { resolveContext } = await import('../lib/rekor/explore-db');
  return resolveContext(o.trustedRoot as string | undefined, { allowFile: true, logUrl: o.url as string | undefined, link: o.link !== false });
}

export function registerRekor(program: Command, setExit: (code: number) => void): void {
  const rekor = program.command('rekor').description('look up and prove entries of a Rekor transparency log; record and check its checkpoints; watch identities');

  const print = (o: Record<string, unknown>, json: unknown, text: string) => process.stdout.write(o.output === 'json' ? `${JSON.stringify(json, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n` : text);

  const finish = (result: ExploreResult, o: Record<string, unknown>, explore: typeof import('../lib/rekor/explore')) => {
    print(o, result, formatText(result, explore));
    if (anyFlagged(result.checkpoints)) process.stderr.write('sigscope: a log rewrote its history (see the checkpoint lines above)\n');
    const good = result.entries.length > 0 && result.entries.every((e) => e.status !== 'not-proven') && !anyFlagged(result.checkpoints);
    setExit(good ? EXIT.ok : EXIT.failed);
  };

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
    finish(result, o, explore);
  };
  const rootOptions = (c: Command) =>
    c
      .option('--trusted-root <name|file>', 'trusted root naming the log(s): public-good, staging, sandbox, a name from settings, or a trusted_root.json file (default: the explorer\'s, from settings)')
      .option('--url <log>', 'only this log of the trusted root (its base URL)');
  const common = (c: Command) =>
    rootOptions(c)
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
      .description("entries from the log's index by artifact hash, email or URI identity, each proven (at most 100); --text takes what the explorer's search box takes")
      .option('--sha <sha256:hex>', 'artifact hash')
      .option('--email <email>', 'signer email')
      .option('--subject <uri>', 'signer URI identity (certificate SAN)')
      .option('--text <query>', 'a log index, range N-M, UUID, hash, email, URI, or a bundle (JSON)'),
  ).action(async (o: Record<string, unknown>) => {
    const given = (['sha', 'email', 'subject', 'text'] as const).filter((k) => o[k] !== undefined);
    if (given.length !== 1) throw usage('give exactly one of --sha, --email, --subject or --text');
    if (o.subject !== undefined || o.text !== undefined) {
      const explore = await import('../lib/rekor/explore');
      const { searchRekor } = await import('../lib/rekor/explore-db');
      const text = (o.text as string | undefined) ?? (o.subject as string);
      if (o.subject !== undefined && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(text)) throw usage('--subject takes a URI identity such as https://github.com/org/repo/.github/workflows/x.yml@refs/heads/main');
      let result;
      try {
        result = await searchRekor(o.trustedRoot as string | undefined, text, { allowFile: true, logUrl: o.url as string | undefined, link: o.link !== false });
      } catch (e) {
        if ((e as { code?: string }).code === 'INVALID_INPUT') throw usage((e as Error).message);
        throw e;
      }
      finish(result, o, explore);
      return;
    }
    await run({ sha256: o.sha as string | undefined, email: o.email as string | undefined }, o);
  });

  rootOptions(rekor.command('checkpoint').description("fetch and verify each log's signed checkpoint, check it extends the last one recorded (consistency proof), and record it"))
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (o: Record<string, unknown>) => {
      const { observeLogs } = await import('../lib/rekor/explore-db');
      const { ctx, options } = await openRoot(o);
      const r = await observeLogs(ctx, options);
      print(o, r, `${[...formatCheckpoints(r.checkpoints), ...r.messages.map((m) => `note: ${m}`)].join('\n')}\n`);
      const bad = anyFlagged(r.checkpoints) || r.checkpoints.some((c) => c.observation.consistency === 'unverifiable') || r.checkpoints.length === 0;
      if (anyFlagged(r.checkpoints)) process.stderr.write('sigscope: a log rewrote its history\n');
      setExit(bad ? EXIT.failed : EXIT.ok);
    });

  rootOptions(
    rekor
      .command('verify-entry')
      .description('prove one entry step by step: leaf hash → audit path → root → checkpoint signature, and the SET; exit 0 only when every step holds')
      .argument('[file]', 'a v1 API entry response, a v2 TransparencyLogEntry, a cosign Rekor bundle or a Sigstore bundle (JSON)')
      .option('--bundle <file>', 'a Sigstore bundle (or any document FILE takes)')
      .option('--uuid <uuid>', 'read the entry with this UUID from the log')
      .option('--log-index <n>', 'read the entry at this index from the log')
      .option('--rekor-key <pem>', "the log's public key (PEM file) instead of a trusted root"),
  )
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (file: string | undefined, o: Record<string, unknown>) => {
      const sources = [file, o.bundle, o.uuid, o.logIndex].filter((v) => v !== undefined);
      if (sources.length !== 1) throw usage('give exactly one of FILE, --bundle FILE, --uuid U or --log-index N');
      if (o.rekorKey !== undefined && o.trustedRoot !== undefined) throw usage('give --rekor-key or --trusted-root, not both');
      const { proofReport, fetchRawEntries } = await import('../lib/rekor/proof-report');
      let keys: import('../lib/rekor').TransparencyLogKey[];
      let ctx: import('../lib/rekor/explore').ExploreContext | undefined;
      let options: { logUrl?: string; logUrls?: readonly string[] } = {};
      if (o.rekorKey !== undefined) {
        const { logKeyFromPem } = await import('../lib/rekor');
        let pem: string;
        try {
          pem = readFileSync(o.rekorKey as string, 'utf8');
          keys = [logKeyFromPem(pem)];
        } catch (e) {
          throw usage(`--rekor-key ${o.rekorKey as string}: ${(e as Error).message}`);
        }
      } else {
        ({ ctx, options } = await openRoot(o));
        keys = ctx.keys;
      }
      let entries: Array<import('../lib/rekor/explore').PastedEntry & { logUrl?: string }>;
      const messages: string[] = [];
      const docFile = (file ?? o.bundle) as string | undefined;
      if (docFile !== undefined) {
        const { entriesFromDocument } = await import('../lib/rekor/search');
        let json: unknown;
        try {
          json = JSON.parse(readFileSync(docFile, 'utf8'));
        } catch (e) {
          throw usage(`${docFile}: ${(e as Error).message}`);
        }
        try {
          entries = entriesFromDocument(json).entries;
        } catch (e) {
          throw usage(`${docFile}: ${(e as Error).message}`);
        }
      } else {
        if (!ctx) throw usage('--uuid and --log-index read from a log: give --trusted-root (or none, for the explorer\'s), not --rekor-key');
        let query: { uuid: string } | { logIndex: number };
        if (o.uuid !== undefined) {
          if (!/^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/.test(o.uuid as string)) throw usage('a UUID is 64 or 80 hex characters');
          query = { uuid: (o.uuid as string).toLowerCase() };
        } else {
          if (!/^[0-9]{1,15}$/.test(o.logIndex as string)) throw usage('--log-index takes a non-negative integer');
          query = { logIndex: Number(o.logIndex) };
        }
        const got = await fetchRawEntries(ctx, query, options);
        entries = got.entries;
        messages.push(...got.messages);
      }
      const reports = entries.map((e) => ({ ...proofReport(e, keys), ...(e.logUrl ? { logUrl: e.logUrl } : {}) }));
      const text = [...messages.map((m) => `note: ${m}`), ...(reports.length === 0 ? ['no entry found'] : reports.map(formatReport))].join('\n\n');
      print(o, { entries: reports, messages }, `${text}\n`);
      setExit(reports.length > 0 && reports.every((r) => r.ok) ? EXIT.ok : EXIT.failed);
    });

  registerWatch(rekor, setExit);
}

function registerWatch(rekor: Command, setExit: (code: number) => void): void {
  const watch = rekor.command('watch').description('watch identities in a log: list the entries they signed since the last check');
  const out = (o: Record<string, unknown>, json: unknown, text: string) => process.stdout.write(o.output === 'json' ? `${JSON.stringify(json, null, 2)}\n` : text);
  const fmt = new Option('--output <format>', 'output format').choices(['text', 'json']).default('text');

  watch
    .command('add')
    .description('start watching an identity (exact, or with --regexp a pattern matching the whole identity)')
    .argument('<identity>', 'certificate identity: email or URI (or a regexp with --regexp)')
    .option('--regexp', 'the identity is a regular expression matched against the whole identity')
    .option('--oidc-issuer <url>', 'only entries whose certificate names this OIDC issuer')
    .option('--log <url>', "the log's base URL (default: the explorer's first log)")
    .addOption(fmt)
    .action(async (identity: string, o: Record<string, unknown>) => {
      const { WatchInputSchema } = await import('../lib/rekor/watch');
      let logUrl = o.log as string | undefined;
      if (!logUrl) {
        const { resolveContext } = await import('../lib/rekor/explore-db');
        const { selectLogs } = await import('../lib/rekor/explore');
        const { ctx, options } = resolveContext(undefined);
        logUrl = selectLogs(ctx, options)[0]?.baseUrl;
        if (!logUrl) throw usage('the explorer\'s trusted root names no reachable log: give --log');
      }
      const parsed = WatchInputSchema.safeParse({ identity, isRegexp: o.regexp === true, oidcIssuer: o.oidcIssuer, logUrl });
      if (!parsed.success) throw usage(`${parsed.error.issues[0]?.path.join('.') || 'watch'}: ${parsed.error.issues[0]?.message}`);
      const { contextForLog } = await import('../lib/rekor/watch-db');
      try {
        contextForLog(parsed.data.logUrl);
      } catch (e) {
        throw usage((e as Error).message);
      }
      const { getDb } = await import('../lib/db');
      const { createWatch } = await import('../lib/db/watches');
      const w = await createWatch(await getDb(), parsed.data);
      out(o, w, `watching ${w.isRegexp ? `/${w.identity}/` : w.identity}${w.oidcIssuer ? ` (issuer ${w.oidcIssuer})` : ''} on ${w.logUrl}: watch ${w.id}\n`);
      setExit(EXIT.ok);
    });

  watch
    .command('list')
    .description('the watches and their last check')
    .option('--all', 'include stopped watches')
    .addOption(fmt)
    .action(async (o: Record<string, unknown>) => {
      const { getDb } = await import('../lib/db');
      const { listWatches } = await import('../lib/db/watches');
      const ws = await listWatches(await getDb(), { includeStopped: o.all === true });
      const lines = ws.map(
        (w) =>
          `${w.id}  ${w.isRegexp ? `/${w.identity}/` : w.identity}${w.oidcIssuer ? ` (issuer ${w.oidcIssuer})` : ''}  ${w.logUrl}  ${w.stoppedAt ? `stopped ${w.stoppedAt.toISOString()}` : 'active'}  ${w.checks} checks, ${w.entriesSeen} entries${w.lastCheck ? `, last ${w.lastCheck.checkedAt.toISOString()}${w.lastCheck.errorMessage ? ` (error: ${w.lastCheck.errorMessage})` : ''}` : ''}`,
      );
      out(o, ws, `${lines.length ? lines.join('\n') : 'no watches'}\n`);
      setExit(EXIT.ok);
    });

  watch
    .command('check')
    .description('check watches now (all active ones when no ID is given): new entries since the last check, each proven')
    .argument('[ids...]', 'watch IDs')
    .addOption(fmt)
    .action(async (ids: string[], o: Record<string, unknown>) => {
      const { getDb } = await import('../lib/db');
      const { listWatches } = await import('../lib/db/watches');
      const { checkWatchNow } = await import('../lib/rekor/watch-db');
      const targets = ids.length ? ids : (await listWatches(await getDb())).map((w) => w.id);
      if (targets.length === 0) throw usage('no active watch: add one with `sigscope rekor watch add`');
      const results = [];
      const lines: string[] = [];
      let failed = false;
      for (const id of targets) {
        const r = await checkWatchNow(id);
        results.push({ watchId: id, check: r.check, messages: r.messages, checkpoint: r.checkpoint });
        lines.push(`watch ${id}: ${r.check.errorMessage ? `ERROR ${r.check.errorMessage}` : `${r.check.newEntries.length} new entr${r.check.newEntries.length === 1 ? 'y' : 'ies'} (checked up to tree size ${r.check.treeSize})`}`);
        lines.push(...formatCheckpoints(r.checkpoint ? [r.checkpoint] : []).map((l) => `  ${l}`));
        for (const m of r.messages) lines.push(`  note: ${m}`);
        for (const e of r.check.newEntries) {
          lines.push(`  ${e.status === 'proven' ? 'PROVEN' : e.status === 'set-only' ? 'SET-ONLY' : 'NOT PROVEN'}  index ${e.logIndex}  ${e.integratedTime ? new Date(e.integratedTime * 1000).toISOString() : '-'}  ${e.identity ?? ''}  ${e.artifactHash ?? ''}`);
          if (e.status === 'not-proven') failed = true;
        }
        if (r.check.errorMessage || r.checkpoint?.flagged) failed = true;
      }
      out(o, results, `${lines.join('\n')}\n`);
      setExit(failed ? EXIT.failed : EXIT.ok);
    });

  watch
    .command('stop')
    .description('stop a watch (its checks are kept)')
    .argument('<id>', 'watch ID')
    .addOption(fmt)
    .action(async (id: string, o: Record<string, unknown>) => {
      const { getDb } = await import('../lib/db');
      const { stopWatch } = await import('../lib/db/watches');
      const w = await stopWatch(await getDb(), id);
      out(o, w, `stopped watch ${w.id} (${w.identity})\n`);
      setExit(EXIT.ok);
    });
}
