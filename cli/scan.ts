/**
 * `sigscope scan TARGET…` — verify every tag of repositories or of a whole prefix, stored
 * as a resumable scan; `sigscope worker` — process queued scans (PostgreSQL team path).
 * Exit codes: 0 every image verified, 1 any did not (or errors), 2 bad usage.
 */
import { Option, type Command } from 'commander';
import { addPolicyFlags, policyFromFlags } from './policy-flags';

type SetExit = (code: number) => void;

interface Progress {
  status: string;
  images: { total: number; done: number; errors: number; cancelled: number };
  expansions: { total: number; done: number; errors: number };
  outcomes: Record<string, number>;
  reused: number;
  rate: number | null;
  etaSeconds: number | null;
}

function bar(p: Progress, width = 28): string {
  const frac = p.images.total ? p.images.done / p.images.total : 0;
  const filled = Math.round(frac * width);
  const expanding = p.expansions.done < p.expansions.total ? ` · listing ${p.expansions.done}/${p.expansions.total} repositories` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.images.done}/${p.images.total} images${rateText(p)}${p.images.errors ? ` · ${p.images.errors} errors` : ''}${expanding}`;
}

function rateText(p: Progress): string {
  return `${p.rate ? ` · ${p.rate.toFixed(1)}/s` : ''}${p.etaSeconds !== null ? ` · ETA ${formatSeconds(p.etaSeconds)}` : ''}`;
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.max(0, Math.round(s))}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  return `${(s / 3600).toFixed(1)}h`;
}

/** A progress bar on a TTY, a plain line every few seconds otherwise (logs, CI). */
function progressPrinter(json: boolean): { update(p: Progress): void; done(): void } {
  if (json) return { update() {}, done() {} };
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(p) {
      if (tty) {
        process.stderr.write(`\r\x1b[2K${bar(p)}`);
        return;
      }
      const now = Date.now();
      if (now - last < 5000) return;
      last = now;
      process.stderr.write(`scan: ${p.images.done}/${p.images.total} images${rateText(p)}, ${p.images.errors} errors\n`);
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[2K');
    },
  };
}

export function registerScan(program: Command, setExit: SetExit): void {
  const scan = program
    .command('scan')
    .description('verify every tag of repositories (HOST/REPO) or of every repository under a prefix (HOST/PREFIX/*), stored as a resumable scan')
    .argument('[targets...]', 'HOST/REPO, HOST/PREFIX/*, HOST/*, or single images HOST/REPO:TAG');
  addPolicyFlags(scan)
    .option('--tags <glob>', 'only tags matching this glob (e.g. "v*", "!(*-rc*)")')
    .option('--semver <range>', 'only tags that are versions in this semver range (e.g. ">=1.2 <2")')
    .option('--latest <n>', 'only the N most recent tags of each repository (semver order, then name)', (v) => Number.parseInt(v, 10))
    .option('--concurrency <n>', 'images verified at once per registry (default 8)', (v) => Number.parseInt(v, 10))
    .option('--full', 'verify again even digests already verified under the same policy and trust root')
    .option('--targets-from <file>', 'read more targets from a file, one per line ("-" for stdin)')
    .option('--resume <scan-id>', 'resume an interrupted or cancelled scan instead of starting one')
    .option('--cancel <scan-id>', 'cancel a running scan (finished items are kept)')
    .option('--detach', 'PostgreSQL: queue the scan for workers and return at once')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (targets: string[], o: Record<string, unknown>) => {
      const { runScanCommand } = await import('./scan-run');
      setExit(await runScanCommand(targets, o, policyFromFlags(o), progressPrinter(o.output === 'json')));
    });

  program
    .command('worker')
    .description('process queued scan items (PostgreSQL DATABASE_URL); run one per machine, as many as you like')
    .option('--concurrency <n>', 'items processed at once (default 8)', (v) => Number.parseInt(v, 10))
    .option('--lease-seconds <n>', 'how long an item stays held without a heartbeat before another worker may take it (default 120)', (v) => Number.parseInt(v, 10))
    .option('--expire-seconds <n>', 'how long before pg-boss gives a silent worker\'s jobs to another (default 300)', (v) => Number.parseInt(v, 10))
    .action(async (o: Record<string, unknown>) => {
      const { runWorkerCommand } = await import('./scan-run');
      setExit(await runWorkerCommand(o));
    });
}
