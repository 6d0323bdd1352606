/**
 * The outbound guard as a person meets it: a registry on a metadata/private address is
 * refused with a message that names Settings → Allowed hosts, and an administrator
 * manages that list on the Settings page (entries from SIGSCOPE_ALLOW_HOSTS shown apart).
 */
import { expect, test } from '@playwright/test';
import { snap } from './support';

test('a registry on the cloud metadata address is refused, with what to do about it', async ({ page }) => {
  await page.goto('/');
  await page.getByLabel('Image reference').fill('169.254.169.254/latest/meta-data:1');
  await page.getByRole('radio', { name: /Anyone/ }).check();
  await page.getByRole('button', { name: 'Verify' }).click();
  const result = page.getByTestId('verify-result');
  await expect(result).toContainText('registry host 169.254.169.254 is a cloud metadata address');
  await expect(result).toContainText('Settings → Allowed hosts');
  await snap(page, 'outbound-blocked');
});

test.describe('Settings → Allowed hosts', () => {
  let saved: { allowHttpRegistries: string[]; allowedHosts: string[]; trustedRoots: unknown[] };
  test.beforeAll(async ({ request }) => {
    saved = (await (await request.get('/api/settings')).json()) as typeof saved;
  });
  test.afterAll(async ({ request }) => {
    await request.put('/api/settings', { data: { allowHttpRegistries: saved.allowHttpRegistries, allowedHosts: saved.allowedHosts, trustedRoots: saved.trustedRoots } });
  });

  test('shows the environment entries, saves valid ones and explains invalid ones', async ({ page, request }) => {
    await page.goto('/settings');
    const field = page.getByLabel('Allowed hosts');
    await expect(field).toBeVisible();
    await expect(page.getByText('Also allowed by SIGSCOPE_ALLOW_HOSTS: 127.0.0.1')).toBeVisible();
    await field.fill('registry.internal:5000\n10.20.0.0/16');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByText('Saved.')).toBeVisible();
    expect(((await (await request.get('/api/settings')).json()) as typeof saved).allowedHosts).toEqual(expect.arrayContaining(['registry.internal:5000', '10.20.0.0/16', '127.0.0.1']));
    await snap(page, 'settings-allowed-hosts');

    await field.fill('http://evil.test/path');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'allowedHosts' })).toContainText('allowedHosts.0: a host, host:port, [IPv6]:port or an address range such as 10.0.0.0/8');
    // The refused edit changed nothing.
    expect(((await (await request.get('/api/settings')).json()) as typeof saved).allowedHosts).toContain('registry.internal:5000');
  });
});
