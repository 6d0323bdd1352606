/**
 * Vitest global setup: under SIGSCOPE_TEST_DATABASE=postgresql, start one throwaway
 * PostgreSQL cluster for the whole run (test files then create their own databases on it,
 * see ./database.ts) and stop it afterwards. Does nothing otherwise, or when
 * SIGSCOPE_TEST_PG_URL already points at a server.
 */
import { startPostgres } from './postgres';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.SIGSCOPE_TEST_DATABASE !== 'postgresql' || process.env.SIGSCOPE_TEST_PG_URL) return undefined;
  const pg = await startPostgres();
  // Workers are forked after global setup and inherit this environment.
  process.env.SIGSCOPE_TEST_PG_URL = pg.url;
  return async () => {
    delete process.env.SIGSCOPE_TEST_PG_URL;
    await pg.stop();
  };
}
