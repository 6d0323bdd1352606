import { expect, test } from '@playwright/test';
import { snap } from './support';

test('a signing key can be given a name, shown on its page and in the identities list', async ({ page }) => {
  await page.goto('/identities');
  await page.getByRole('link', { name: /key sha256:/ }).first().click();
  await expect(page).toHaveURL(/\/identities\/key\.[a-f0-9]{64}$/);
  await page.getByRole('textbox', { name: 'Name this key' }).fill('release key 2026');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByTestId('key-name')).toHaveText('release key 2026');
  await snap(page, 'identity-key-named');
  await page.goto('/identities');
  await expect(page.getByRole('link', { name: /release key 2026 · key sha256:/ })).toBeVisible();
});
