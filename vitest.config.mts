import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const postgres = process.env.SIGSCOPE_TEST_DATABASE === 'postgresql';

export default defineConfig({
  resolve: {
    alias: {
      '@/': fileURLToPath(new URL('./', import.meta.url)),
      // `server-only` throws outside React Server Components; lib code is plain Node here.
      'server-only': fileURLToPath(new URL('./tests/support/server-only-stub.ts', import.meta.url)),
    },
  },
  test: {
    include: ['lib/**/*.test.ts', 'tests/**/*.test.ts', 'sandbox/**/*.test.ts', 'cli/**/*.test.ts'],
    // tests/postgres: PostgreSQL-only tests, run by the PostgreSQL pass of scripts/test.sh.
    exclude: postgres ? ['**/node_modules/**'] : ['**/node_modules/**', 'tests/postgres/**'],
    // Under SIGSCOPE_TEST_DATABASE=postgresql: one throwaway cluster for the run.
    globalSetup: ['tests/support/postgres-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The sandbox registry, Sigstore instance and test servers listen on loopback, which the
    // outbound guard (lib/net/outbound.ts) refuses unless allowed: tests allow it explicitly.
    env: { SIGSCOPE_ALLOW_HOSTS: '127.0.0.1,localhost' },
  },
});
