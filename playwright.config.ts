import { defineConfig } from '@playwright/test';
import { ADMIN_STATE, adminApiHeaders } from './e2e/auth-state';

// The dashboard and the sandbox (registry + local Sigstore) are started by e2e/global-setup.ts.
const PORT = Number(process.env.E2E_PORT ?? 3210);

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: 'off',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      // Chromium's background services try to reach the internet; this machine has none.
      args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
    },
  },
  // Signed in as the e2e admin (global setup); e2e/auth*.spec.ts start signed out and sign in per role.
  projects: [{ name: 'chromium', use: { browserName: 'chromium', viewport: { width: 1280, height: 900 }, storageState: ADMIN_STATE, extraHTTPHeaders: adminApiHeaders() } }],
});
