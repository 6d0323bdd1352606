/**
 * `sigscope secrets`: the encryption key of secrets at rest (lib/secrets).
 *
 *   sigscope secrets status    which key is in use (id and source) and how many secrets it protects
 *   sigscope secrets rotate    re-encrypts every secret under a new key, in one transaction
 *
 * Key from the key file (<data dir>/secret.key): the new key is SIGSCOPE_NEW_SECRET_KEY or
 * a fresh random one; it is written to secret.key.next (0600) before the database is
 * touched and replaces secret.key once the transaction committed.
 * Key from SIGSCOPE_SECRET_KEY: give the new key in SIGSCOPE_NEW_SECRET_KEY
 * (`openssl rand -base64 32`), then set SIGSCOPE_SECRET_KEY to it and restart the dashboard.
 */
import type { Command } from 'commander';

export function registerSecrets(program: Command, setExit: (code: number) => void): void {
  const secrets = program.command('secrets').description('secrets at rest (registry credentials): key status and rotation');

  secrets
    .command('status')
    .description('show the key in use and how many secrets are stored under it')
    .action(async () => {
      const { currentKey } = await import('../lib/secrets');
      const { getDb, closeDb } = await import('../lib/db');
      try {
        const key = currentKey({ create: false });
        const db = await getDb();
        const rows = await db.secret.groupBy({ by: ['keyId'], _count: { _all: true } });
        process.stdout.write(key ? `key ${key.id} from ${key.source === 'env' ? 'SIGSCOPE_SECRET_KEY' : 'the key file'}\n` : 'no key yet (one is created with the first secret)\n');
        for (const r of rows) process.stdout.write(`  ${r._count._all} secret(s) under key ${r.keyId}${key && r.keyId !== key.id ? ' — NOT the configured key: these cannot be read' : ''}\n`);
        if (rows.length === 0) process.stdout.write('  no secrets stored\n');
        setExit(rows.some((r) => key && r.keyId !== key.id) ? 1 : 0);
      } finally {
        await closeDb();
      }
    });

  secrets
    .command('set-report-key')
    .description('store the private key audit reports are signed with, encrypted at rest (prints its public key for verifiers)')
    .argument('<file>', 'PEM private key (ECDSA, Ed25519 or RSA; unencrypted PKCS#8, SEC1 or PKCS#1)')
    .action(async (file: string) => {
      const { readFileSync } = await import('node:fs');
      const { storeReportSigningKey } = await import('../lib/report/signing-key');
      const { getDb, closeDb } = await import('../lib/db');
      let pem: string;
      try {
        pem = readFileSync(file, 'utf8');
      } catch (e) {
        throw Object.assign(new Error(`cannot read ${file}: ${(e as Error).message}`), { usage: true });
      }
      try {
        const publicPem = await storeReportSigningKey(await getDb(), pem);
        process.stdout.write(publicPem);
        process.stderr.write('stored encrypted; reports generated with --sign (or "Sign" on /reports) use it. You can delete the file now.\n');
        setExit(0);
      } finally {
        await closeDb();
      }
    });

  secrets
    .command('rotate')
    .description('re-encrypt every stored secret under a new key')
    .action(async () => {
      const { randomBytes } = await import('node:crypto');
      const { existsSync, renameSync, rmSync } = await import('node:fs');
      const { currentKey, keyFilePath, keyIdOf, parseKey, writeKeyFile } = await import('../lib/secrets');
      const { rotateSecrets } = await import('../lib/secrets/store');
      const { getDb, closeDb } = await import('../lib/db');
      try {
        const current = currentKey({ create: false });
        const db = await getDb();
        if (!current) {
          if ((await db.secret.count()) > 0) throw new Error('secrets are stored but no key is configured (SIGSCOPE_SECRET_KEY or the key file); nothing can be rotated');
          process.stdout.write('no key and no secrets yet: nothing to rotate\n');
          setExit(0);
          return;
        }
        const fromEnv = process.env.SIGSCOPE_NEW_SECRET_KEY;
        if (current.source === 'env' && !fromEnv) {
          throw Object.assign(new Error('the key comes from SIGSCOPE_SECRET_KEY: put the new key in SIGSCOPE_NEW_SECRET_KEY (e.g. `openssl rand -base64 32`) and run again'), { usage: true });
        }
        const next = fromEnv ? parseKey(fromEnv, 'SIGSCOPE_NEW_SECRET_KEY') : randomBytes(32);
        const file = keyFilePath();
        const staged = `${file}.next`;
        if (current.source === 'file') {
          if (existsSync(staged)) rmSync(staged);
          writeKeyFile(staged, next);
        }
        let result;
        try {
          result = await rotateSecrets(db, current, next);
        } catch (e) {
          if (current.source === 'file') rmSync(staged, { force: true });
          throw e;
        }
        if (current.source === 'file') renameSync(staged, file);
        process.stdout.write(`re-encrypted ${result.count} secret(s): key ${result.from} → ${keyIdOf(next)}\n`);
        if (current.source === 'env') process.stdout.write('now set SIGSCOPE_SECRET_KEY to the value of SIGSCOPE_NEW_SECRET_KEY and restart the dashboard\n');
        else process.stdout.write(`the new key is in ${file} (mode 0600); the old key is gone\n`);
        setExit(0);
      } finally {
        await closeDb();
      }
    });
}
