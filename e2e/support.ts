import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';

export interface E2EScenarios {
  registry: string;
  identity: string;
  issuer: string;
  publicKeyPem: string;
  scenarios: Array<{ name: string; reference: string; digest: string; expect: string }>;
}

/** Written by global-setup (SIGSCOPE_DATA_DIR is set there and inherited here). */
export function scenarios(): E2EScenarios {
  return JSON.parse(readFileSync(path.join(process.env.SIGSCOPE_DATA_DIR!, 'sandbox', 'scenarios.json'), 'utf8')) as E2EScenarios;
}

export function scenario(name: string) {
  const s = scenarios().scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

/** Full-page screenshot kept under test-results/screens for people to look at. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join('test-results', 'screens', `${name}.png`), fullPage: true });
}
