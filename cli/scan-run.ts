/** The work behind `sigscope scan` and `sigscope worker` (loaded only when they run). */
import { readFileSync } from 'node:fs';
import { SigscopeError } from '../lib/errors';
import { closeDb, getDb, type Db } from '../lib/db';
import { databaseUrlFromEnv, parseDatabaseUrl } from '../lib/db/paths';
import { getScanJob, listScanItems, repositorySummaries, requeueCancelledItems, scanProgress, transitionScan, type ScanProgress } from '../lib/db/scans';
import { createScanJob } from '../lib/audit/scan/create';
import { runScan } from '../lib/audit/scan/runner';
import { printable } from '../lib/errors';

const EXIT = { verified: 0, notVerified: 1, usage: 2 } as const;

function usage(message: string): Error {
  return Object.assign(new Error(message), { usage: true });
}

function isPostgres(): boolean {
  return parseDatabaseUrl(databaseUrlFromEnv()).kind === 'postgresql';
}

function readTargetsFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw usage(`cannot read targets from ${file}: ${(e as Error).message}`);
  }
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

interface Printer {
  update(p: ScanProgress): void;
  done(): void;
}

export async function runScanCommand(targets: string[], o: Record<string, unknown>, policy: Record<string, unknown>, printer: Printer): Promise<number> {
  const json = o.output === 'json';
  try {
    const db = await getDb();
    if (typeof o.cancel === 'string') {
      const ok = await transitionScan(db, o.cancel, ['queued', 'running'], 'cancelling');
      if (!ok) throw usage(`scan ${o.cancel} is not running (see the Scans page for its state)`);
      process.stderr.write(`scan ${o.cancel}: cancelling; running items finish, the rest is cancelled (resume with --resume ${o.cancel})\n`);
      return EXIT.verified;
    }
    let scanId: string;
    if (typeof o.resume === 'string') {
      const job = await getScanJob(db, o.resume);
      if (!job) throw usage(`no scan ${JSON.stringify(o.resume)}`);
      if (job.status === 'finished') throw usage(`scan ${o.resume} already finished; start a new scan to check again (unchanged digests are reused)`);
      await requeueCancelledItems(db, o.resume);
      await transitionScan(db, o.resume, ['cancelled', 'failed', 'cancelling'], 'running');
      scanId = o.resume;
    } else {
      const all = [...targets, ...(typeof o.targetsFrom === 'string' ? readTargetsFile(o.targetsFrom) : [])];
      if (all.length === 0) throw usage('give at least one target: HOST/REPO, HOST/PREFIX/* or HOST/REPO:TAG (or --resume SCAN_ID)');
      const created = await createScanJob(db, {
        targets: all,
        ...(typeof o.policy === 'string' ? { policyName: o.policy } : { policy }),
        ...(typeof o.trustedRoot === 'string' ? { trustRoot: o.trustedRoot } : {}),
        allowHttpRegistries: (o.allowHttpRegistry as string[] | undefined) ?? [],
        tags: {
          ...(typeof o.tags === 'string' ? { glob: o.tags } : {}),
          ...(typeof o.semver === 'string' ? { semver: o.semver } : {}),
          ...(typeof o.latest === 'number' ? { latest: o.latest } : {}),
        },
        ...(typeof o.concurrency === 'number' ? { concurrency: o.concurrency } : {}),
        full: o.full === true,
        source: 'cli',
        actor: process.env.USER ? `cli:${process.env.USER}` : 'cli',
        runner: isPostgres() ? 'queue' : 'in-process',
      });
      scanId = created.id;
    }
    if (!json) process.stderr.write(`scan ${scanId}${isPostgres() ? ' (queued for workers)' : ''}\n`);

    let final: ScanProgress;
    if (isPostgres()) {
      const { openQueue, enqueueScan, startWorker } = await import('../lib/audit/scan/queue');
      const boss = await openQueue(databaseUrlFromEnv());
      try {
        await enqueueScan(db, boss, scanId);
        if (o.detach) {
          process.stdout.write(json ? `${JSON.stringify({ scanId, status: 'queued' })}\n` : `queued; follow it on the Scans page or with: sigscope scan --resume ${scanId}\n`);
          return EXIT.verified;
        }
        const worker = await startWorker(db, boss, { verifyOffThread: verifyOffThread(), ...(typeof o.concurrency === 'number' ? { concurrency: o.concurrency } : {}) });
        final = await follow(db, scanId, printer);
        await worker.stop();
      } finally {
        await boss.stop({ graceful: true, wait: true, timeout: 10_000 }).catch(() => undefined);
      }
    } else {
      final = await runScan(db, scanId, { verifyOffThread: verifyOffThread(), onProgress: (p) => printer.update(p) });
    }
    printer.done();
    await printResult(db, scanId, final, json);
    const allVerified = final.status === 'finished' && final.images.total > 0 && final.outcomes.verified === final.images.total && final.expansions.errors === 0;
    return allVerified ? EXIT.verified : EXIT.notVerified;
  } catch (e) {
    printer.done();
    const input = (e as { usage?: boolean }).usage || (e instanceof SigscopeError && ['INVALID_REFERENCE', 'INVALID_INPUT', 'INVALID_POLICY', 'INVALID_TRUSTED_ROOT'].includes(e.code));
    process.stderr.write(`sigscope: ${(e as Error).message}\n`);
    return input ? EXIT.usage : EXIT.notVerified;
  } finally {
    await closeDb();
  }
}

/** Polls the stored progress until the scan ends (workers elsewhere may do the work). */
async function follow(db: Db, scanId: string, printer: Printer): Promise<ScanProgress> {
  for (;;) {
    const p = await scanProgress(db, scanId);
    if (!p) throw new Error(`scan ${scanId} disappeared`);
    printer.update(p);
    if (['finished', 'cancelled', 'failed'].includes(p.status)) return p;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function printResult(db: Db, scanId: string, p: ScanProgress, json: boolean): Promise<void> {
  const repositories = await repositorySummaries(db, scanId);
  const notVerified: Awaited<ReturnType<typeof listScanItems>>['items'] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await listScanItems(db, scanId, { offset, limit: 500 });
    notVerified.push(...page.items.filter((i) => i.outcome !== 'verified'));
    if (offset + 500 >= page.total) break;
  }
  const expansionErrors = (await listScanItems(db, scanId, { kind: 'repository', state: 'error' })).items.concat((await listScanItems(db, scanId, { kind: 'catalog', state: 'error' })).items);
  if (json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          scanId,
          status: p.status,
          images: p.images,
          outcomes: p.outcomes,
          reused: p.reused,
          movedTags: p.movedTags,
          imagesPerSecond: p.rate,
          repositories,
          notVerified: notVerified.map((i) => ({ image: `${i.registry}/${i.repository}${i.tag ? `:${i.tag}` : ''}`, digest: i.digest, outcome: i.outcome, error: i.errorMessage, runId: i.runId })),
          expansionErrors: expansionErrors.map((i) => ({ target: `${i.registry}/${i.repository}`, error: i.errorMessage })),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  const lines: string[] = [];
  const o = p.outcomes;
  const head = p.status === 'finished' && o.verified === p.images.total && p.images.total > 0 ? 'ALL VERIFIED' : p.status === 'finished' ? 'NOT ALL VERIFIED' : p.status.toUpperCase();
  lines.push(`${head}  scan ${scanId}: ${p.images.total} images in ${repositories.length} repositories`);
  lines.push(`  verified ${o.verified} · failed ${o.failed} · unsigned ${o.unsigned} · signed, signer not checked ${o['signed-unchecked']} · errors ${o.error}${p.images.cancelled ? ` · cancelled ${p.images.cancelled}` : ''}`);
  lines.push(`  reused ${p.reused} earlier verdicts · ${p.movedTags} moved tags${p.rate ? ` · ${p.rate.toFixed(1)} images/s` : ''}`);
  for (const e of expansionErrors) lines.push(`  ✘ ${printable(`${e.registry}/${e.repository}`)}: ${printable(e.errorMessage ?? '')}`);
  for (const i of notVerified.slice(0, 50)) {
    lines.push(`  ${i.outcome === 'unsigned' ? '·' : '✘'} ${printable(`${i.registry}/${i.repository}:${i.tag}`)}  ${i.outcome}${i.errorMessage ? `: ${printable(i.errorMessage)}` : ''}`);
  }
  if (notVerified.length > 50) lines.push(`  … and ${notVerified.length - 50} more (--output json lists them all)`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function runWorkerCommand(o: Record<string, unknown>): Promise<number> {
  if (!isPostgres()) {
    process.stderr.write('sigscope: `worker` needs a PostgreSQL DATABASE_URL (postgresql://…); with SQLite, scans run in the process that starts them\n');
    return EXIT.usage;
  }
  const { openQueue, startWorker } = await import('../lib/audit/scan/queue');
  const db = await getDb();
  const boss = await openQueue(databaseUrlFromEnv(), {
    ...(typeof o.expireSeconds === 'number' ? { expireInSeconds: o.expireSeconds, maintenanceIntervalSeconds: Math.max(1, Math.min(30, Math.floor(o.expireSeconds / 2))) } : {}),
  });
  const worker = await startWorker(db, boss, {
    verifyOffThread: verifyOffThread(),
    ...(typeof o.concurrency === 'number' ? { concurrency: o.concurrency } : {}),
    ...(typeof o.leaseSeconds === 'number' ? { leaseMs: o.leaseSeconds * 1000 } : {}),
  });
  process.stderr.write(`sigscope worker ${worker.owner}: waiting for scan items\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write(`sigscope worker ${worker.owner}: stopping (held items return to the queue when their lease expires)\n`);
  await worker.stop();
  await boss.stop({ graceful: true, wait: true, timeout: 10_000 }).catch(() => undefined);
  await closeDb();
  return EXIT.verified;
}

/** Signatures are verified on a worker thread (lib/verify/verify-thread.ts); SIGSCOPE_VERIFY_THREAD=0 keeps them on the main thread. */
function verifyOffThread(): boolean {
  return process.env.SIGSCOPE_VERIFY_THREAD !== '0';
}
