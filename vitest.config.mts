import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

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
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The sandbox registry, Sigstore instance and test servers listen on loopback, which the
    // outbound guard (lib/net/outbound.ts) refuses unless allowed: tests allow it explicitly.
    env: { SIGSCOPE_ALLOW_HOSTS: '127.0.0.1,localhost' },
  },
});
