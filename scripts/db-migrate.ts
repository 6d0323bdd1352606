/**
 * `npm run db:migrate`: apply the committed migrations to DATABASE_URL
 * (default file:<project>/data/sigscope.db), like `prisma migrate deploy`.
 * The app and the CLI also do this on first use; this is for CI and deploys.
 */
import { describeError } from '../lib/errors';
import { migrateDatabase } from '../lib/db/migrate';
import { databaseUrlFromEnv, redactUrl } from '../lib/db/paths';

async function main(): Promise<void> {
  const url = databaseUrlFromEnv();
  const { applied, durationMs } = await migrateDatabase(url);
  if (applied.length === 0) console.log(`${redactUrl(url)}: already up to date (${durationMs} ms).`);
  else console.log(`${redactUrl(url)}: applied ${applied.join(', ')} (${durationMs} ms).`);
}

main().catch((e: unknown) => {
  console.error(`db:migrate failed: ${describeError(e)}`);
  process.exitCode = 1;
});
