/**
 * A throwaway PostgreSQL cluster on loopback, for tests, benchmarks and CI.
 *
 *   const pg = await startPostgres();            // ~1 s: initdb + pg_ctl start
 *   const url = await createDatabase(pg.url, 'scan_worker');   // an empty database of its own
 *   ...
 *   await pg.stop();                             // pg_ctl stop + the data directory removed
 *
 * Debian's `postgresql` package (scripts/setup.sh installs it) provides the binaries in
 * /usr/lib/postgresql/<major>/bin; nothing runs through systemd. The cluster lives in a
 * temporary directory outside the project tree (a socket inside it would break
 * `next build`'s source scan), owned by the `postgres` user when we run as root (initdb
 * refuses root), with trust authentication on 127.0.0.1 only, a free random port, and
 * fsync off (throwaway data: speed over durability). A cluster still running when the
 * process exits is stopped by an exit hook.
 *
 * SIGSCOPE_PG_BIN overrides the binaries' directory.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface RunningPostgres {
  /** postgresql://postgres@127.0.0.1:PORT/postgres (the maintenance database). */
  url: string;
  port: number;
  /** Data directory (and socket directory), removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

/** The directory holding initdb and pg_ctl; throws with a way out when PostgreSQL is not installed. */
export function postgresBinDir(): string {
  const override = process.env.SIGSCOPE_PG_BIN;
  if (override) return override;
  const base = '/usr/lib/postgresql';
  const majors = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(path.join(base, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0) {
    throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): run scripts/setup.sh, or apt-get install postgresql.');
  }
  return path.join(base, majors[0]!, 'bin');
}

/** True when startPostgres() can work here. */
export function postgresAvailable(): boolean {
  try {
    postgresBinDir();
    return true;
  } catch {
    return false;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Owner {
  uid: number;
  gid: number;
}

/** As root, the cluster belongs to `postgres` (initdb and the server refuse to run as root). */
function clusterOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('Running as root but there is no `postgres` user to own the cluster: install the postgresql package.');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function run(bin: string, args: string[], owner: Owner | undefined, cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' } as unknown as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(owner ? { uid: owner.uid, gid: owner.gid } : {}),
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(bin)} ${args.join(' ')} exited with ${code}:\n${output.trim()}`));
    });
  });
}

const running = new Set<{ pgCtl: string; data: string; dir: string; owner: Owner | undefined }>();
let exitHook = false;

function stopSync(c: { pgCtl: string; data: string; dir: string; owner: Owner | undefined }): void {
  spawnSync(c.pgCtl, ['-D', c.data, '-m', 'immediate', '-w', 'stop'], { stdio: 'ignore', ...(c.owner ?? {}) });
  rmSync(c.dir, { recursive: true, force: true });
}

/** initdb + start a cluster on 127.0.0.1:<free port>. */
export async function startPostgres(): Promise<RunningPostgres> {
  const bin = postgresBinDir();
  const owner = clusterOwner();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = path.join(dir, 'data');
  const pgCtl = path.join(bin, 'pg_ctl');
  const entry = { pgCtl, data, dir, owner };
  try {
    await run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'], owner, dir);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options = [
        `-h 127.0.0.1 -p ${port} -k ${dir}`,
        '-c fsync=off -c synchronous_commit=off -c full_page_writes=off',
        '-c max_connections=300 -c shared_buffers=32MB',
      ].join(' ');
      try {
        await run(pgCtl, ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', '-o', options, 'start'], owner, dir);
        break;
      } catch (e) {
        // Another process may have taken the port between probing and binding.
        if (attempt >= 3) throw e;
      }
    }
    running.add(entry);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const c of running) stopSync(c);
      });
    }
    return {
      url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
      port,
      dir,
      async stop() {
        if (!running.delete(entry)) return;
        try {
          await run(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop'], owner, dir);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    let log = '';
    try {
      log = readFileSync(path.join(dir, 'server.log'), 'utf8').trim().split('\n').slice(-20).join('\n');
    } catch {
      // no log yet
    }
    stopSync(entry);
    throw new Error(`Could not start PostgreSQL: ${(e as Error).message}${log ? `\nserver log:\n${log}` : ''}`, { cause: e });
  }
}

/**
 * Create an empty database `name` (lowercase letters, digits, underscores) on the server of
 * `url` and return its URL. An existing database of that name is dropped first.
 */
export async function createDatabase(url: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid database name "${name}": use [a-z0-9_], at most 63 characters.`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const out = new URL(url);
  out.pathname = `/${name}`;
  return out.toString();
}

/** `psql`-free one-off query (tests inspecting a database). */
export async function queryPostgres<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Version of the server binaries, e.g. "15.14" (for benchmark reports). */
export function postgresVersion(): string {
  return execFileSync(path.join(postgresBinDir(), 'pg_ctl'), ['--version'], { encoding: 'utf8' }).trim().replace(/^.*\)\s*/, '');
}
