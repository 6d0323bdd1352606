// Sign in as each role through the UI and see only what the role may do.
import { expect, test, type Page } from '@playwright/test';
import { E2E_USERS } from './auth-state';
import { scenario, scenarios, snap } from './support';

test.use({ storageState: { cookies: [], origins: [] }, extraHTTPHeaders: {} });

async function signIn(page: Page, role: keyof typeof E2E_USERS) {
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill(E2E_USERS[role].username);
  await page.getByLabel('Password').fill(E2E_USERS[role].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('role')).toHaveText(role);
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });

test('a signed-out visitor is sent to sign-in; a wrong password says so', async ({ page }) => {
  await page.goto('/runs');
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(nav(page).getByRole('link', { name: 'Runs' })).toHaveCount(0);
  // Hydration can reset a field typed into too early: fill until both values hold.
  await page.waitForLoadState('networkidle');
  await expect(async () => {
    await page.getByLabel('Username').fill(E2E_USERS.viewer.username);
    await page.getByLabel('Password').fill('not-the-password');
    await expect(page.getByLabel('Username')).toHaveValue(E2E_USERS.viewer.username, { timeout: 500 });
  }).toPass();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('form', { name: 'Sign in' }).getByRole('alert')).toContainText('Wrong username or password');
  await snap(page, 'sign-in');
  // /setup is gone once an admin exists.
  await page.goto('/setup');
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('viewer: reads, but cannot verify, acknowledge, import policies or open admin pages', async ({ page }) => {
  await signIn(page, 'viewer');
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByRole('form', { name: 'Verify an image' })).toHaveCount(0);
  for (const hidden of ['Settings', 'Users', 'Audit log']) await expect(nav(page).getByRole('link', { name: hidden })).toHaveCount(0);
  await snap(page, 'home-viewer');
  await page.goto('/runs');
  await expect(page.getByRole('heading', { name: /runs/i }).first()).toBeVisible();
  await page.goto('/policies');
  await expect(page.getByText('Only admins import or change policies.')).toBeVisible();
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/forbidden\?need=admin/);
  await expect(page.getByRole('heading', { name: 'Not allowed for your role' })).toBeVisible();
  // The server refuses even when the UI is bypassed (same-origin fetch with the CSRF token).
  const status = await page.evaluate(async () => {
    const csrf = document.cookie.split('; ').find((c) => c.startsWith('sigscope_csrf='))!.split('=')[1]!;
    const res = await fetch('/api/verify', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) }, body: JSON.stringify({ reference: 'x/y:z' }) });
    return res.status;
  });
  expect(status).toBe(403);
});

test('auditor: verifies an image from the form; no admin pages', async ({ page }) => {
  await signIn(page, 'auditor');
  await expect(page.getByRole('heading', { name: 'Verify an image' })).toBeVisible();
  await expect(nav(page).getByRole('link', { name: 'Settings' })).toHaveCount(0);
  const { identity, issuer } = scenarios();
  await page.getByLabel('Image reference').fill(scenario('keyless-ok').reference);
  await page.getByLabel('Certificate identity').fill(identity);
  await page.getByLabel('OIDC issuer').fill(issuer);
  await page.getByLabel('Trusted root').selectOption('sandbox');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByTestId('verify-result').getByText('Verified', { exact: true })).toBeVisible();
  await page.goto('/users');
  await expect(page).toHaveURL(/\/forbidden/);
  await page.goto('/audit-log');
  await expect(page).toHaveURL(/\/forbidden/);
});

test('admin: users, audit log with filters, write-only registry credentials', async ({ page }) => {
  await signIn(page, 'admin');
  for (const shown of ['Settings', 'Users', 'Audit log']) await expect(nav(page).getByRole('link', { name: shown })).toBeVisible();
  await page.goto('/users');
  await expect(page.getByTestId('user-e2e-viewer')).toContainText('viewer');
  await snap(page, 'users');

  await page.goto('/settings');
  const SECRET = 'e2e-registry-password-5c1f';
  await page.getByLabel('Registry host').fill('registry.example.test:5000');
  await page.getByLabel('Username', { exact: true }).fill('robot');
  await page.getByLabel('Password or token').fill(SECRET);
  await page.getByRole('button', { name: 'Save credentials' }).click();
  const table = page.getByRole('table', { name: 'Stored registry credentials' });
  await expect(table).toContainText('registry.example.test:5000');
  await expect(table).toContainText('robot');
  await expect(table).toContainText('stored encrypted');
  expect(await page.content()).not.toContain(SECRET);
  await snap(page, 'settings-credentials');

  await page.goto('/audit-log');
  const events = page.getByRole('table', { name: 'Audit events' });
  await expect(events).toContainText('credential-change');
  await expect(events).toContainText('sign-in-failed');
  await page.getByLabel('Action').selectOption('sign-in');
  await page.getByLabel('Actor').selectOption('e2e-viewer');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/actor=e2e-viewer/);
  await expect(events.locator('tbody tr').first()).toContainText('e2e-viewer');
  await expect(events).not.toContainText('credential-change');
  await snap(page, 'audit-log');
});

test('API token: shown once, works as Bearer, stops when revoked; sign-out ends the session', async ({ page, playwright, baseURL }) => {
  await signIn(page, 'auditor');
  await page.goto('/account');
  await page.getByLabel('Token name').fill('e2e automation');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-token').textContent())!.trim();
  expect(token).toMatch(/^sgs_/);
  await snap(page, 'account-tokens');
  const api = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
  const who = await api.get('/api/session', { headers: { authorization: `Bearer ${token}` } });
  expect(await who.json()).toMatchObject({ user: { username: 'e2e-auditor', role: 'auditor' }, via: 'token' });
  await page.reload();
  await expect(page.getByRole('table', { name: 'API tokens' })).toContainText(token.slice(0, 12));
  await expect(page.getByTestId('new-token')).toHaveCount(0);
  await page.getByRole('button', { name: 'Revoke e2e automation' }).click();
  await expect(page.getByRole('table', { name: 'API tokens' })).toContainText('revoked');
  expect((await api.get('/api/runs', { headers: { authorization: `Bearer ${token}` } })).status()).toBe(401);

  const cookies = await page.context().cookies();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  const session = cookies.find((c) => c.name === 'sigscope_session')!;
  expect((await api.get('/api/runs', { headers: { cookie: `sigscope_session=${session.value}` } })).status()).toBe(401);
  await api.dispose();
});
