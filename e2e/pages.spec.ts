import { expect, test } from '@playwright/test';
import { scenario, scenarios, snap } from './support';

test('runs list shows stored runs with their verdicts', async ({ page }) => {
  await page.goto('/runs');
  await expect(page.getByRole('heading', { name: 'Verification runs' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: scenario('wrong-signer').reference }).first();
  await expect(row).toContainText('Not verified');
  await expect(page.getByRole('row').filter({ hasText: scenario('unsigned').reference }).first()).toContainText('Unsigned');
  await snap(page, 'runs');
});

test('image page shows digest, tag observation and verification history', async ({ page }) => {
  const s = scenario('keyless-ok');
  await page.goto('/images');
  await snap(page, 'images');
  await page.getByRole('link', { name: s.reference.replace(/:1\.0$/, '') }).first().click();
  await expect(page.getByText(s.digest, { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Latest verification' })).toBeVisible();
  await expect(page.getByTestId('signer-identity').first()).toHaveText(scenarios().identity);
  await expect(page.getByRole('heading', { name: 'Verification history' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Verification runs of this image' })).toContainText('Verified');
  await expect(page.locator('li', { hasText: '1.0' }).first()).toContainText('sha256:');
  await snap(page, 'image');
});

test('multi-arch index signed only per platform reports platform coverage', async ({ page, request }) => {
  const s = scenario('multiarch-platforms');
  const res = await request.post('/api/verify', { data: { reference: s.reference, policy: {}, trustRoot: 'sandbox' } });
  expect(res.ok()).toBeTruthy();
  const body = (await res.json()) as { runId: string; status: string };
  expect(body.status).toBe('unsigned');
  await page.goto(`/runs/${body.runId}`);
  await expect(page.getByTestId('run-summary')).toContainText('Platform manifests: 2 of 2 signed');
  await expect(page.getByRole('heading', { name: 'Signatures on platform manifests' })).toBeVisible();
  await expect(page.getByText('platform linux/arm64/v8')).toBeVisible();
  await snap(page, 'run-multiarch-platforms');
});

test('a run whose registry is down shows the error state', async ({ page, request }) => {
  const res = await request.post('/api/verify', { data: { reference: '127.0.0.1:1/demo/gone:1.0', policy: {}, trustRoot: 'sandbox' } });
  const body = (await res.json()) as { runId: string; status: string; errorCode?: string };
  expect(body.status).toBe('error');
  await page.goto(`/runs/${body.runId}`);
  await expect(page.getByRole('alert').filter({ hasText: 'This run could not complete' })).toContainText('REGISTRY_UNREACHABLE');
  await snap(page, 'run-error');
});

test('unknown run gives the not-found page', async ({ page }) => {
  // The page streams (loading.tsx), so the HTTP status is 200; what a person sees is the not-found page.
  await page.goto('/runs/doesnotexist0');
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
});

test('settings page lists trusted roots and saves HTTP registries', async ({ page }) => {
  await page.goto('/settings');
  await expect(page.getByText('sandbox', { exact: true })).toBeVisible();
  await page.getByLabel('Registries allowed over plain HTTP').fill('127.0.0.1:5999');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Registries allowed over plain HTTP')).toHaveValue('127.0.0.1:5999');
  await snap(page, 'settings');
});
