import { expect, test } from '@playwright/test';
import { rekorUrl } from './rekor-support';
import { snap } from './support';

test('settings: the explorer and watches use the logs chosen in the Rekor logs section', async ({ page, request }) => {
  await page.goto('/settings');
  const form = page.getByRole('form', { name: 'Rekor logs' });
  await expect(form.getByLabel('Trusted root of the logs')).toHaveValue('sandbox');
  const log = form.getByLabel(rekorUrl());
  await expect(log).not.toBeChecked();
  // public-good lists its v1 log and v2 shards.
  await form.getByLabel('Trusted root of the logs').selectOption('public-good');
  await expect(form.getByLabel('https://rekor.sigstore.dev')).toBeVisible();
  await snap(page, 'settings-rekor-logs');
  await form.getByLabel('Trusted root of the logs').selectOption('sandbox');
  await form.getByLabel(rekorUrl()).check();
  await form.getByRole('button', { name: 'Save logs' }).click();
  await expect(form.getByText('Saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByRole('form', { name: 'Rekor logs' }).getByLabel(rekorUrl())).toBeChecked();

  const saved = (await (await request.get('/api/rekor/settings')).json()) as { trustRoot: string; logUrls: string[]; fromSettings: boolean };
  expect(saved).toEqual({ trustRoot: 'sandbox', logUrls: [rekorUrl()], fromSettings: true });
  // Other settings saved from the general form keep the log choice.
  const general = (await (await request.get('/api/settings')).json()) as { allowHttpRegistries: string[]; trustedRoots: unknown[] };
  expect((await request.put('/api/settings', { data: { allowHttpRegistries: general.allowHttpRegistries, trustedRoots: general.trustedRoots } })).status()).toBe(200);
  expect(((await (await request.get('/api/rekor/settings')).json()) as { logUrls: string[] }).logUrls).toEqual([rekorUrl()]);
  expect((await request.put('/api/rekor/settings', { data: { trustRoot: 'sandbox', logUrls: ['https://rekor.example.invalid'] } })).status()).toBe(400);

  await page.goto('/rekor');
  await expect(page.getByTestId('explorer-logs')).toHaveText(`Trusted root sandbox: ${rekorUrl()} (v1)`);
});
