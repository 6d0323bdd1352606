import { expect, test } from '@playwright/test';
import { scenario, scenarios, snap } from './support';

const repoOf = (reference: string) => reference.replace(/:[^/:]+$/, '');

test('identities: list, filter, open the demo identity, its certificate and its repository', async ({ page, request }) => {
  const { identity, issuer } = scenarios();
  const keylessOk = repoOf(scenario('keyless-ok').reference);
  const wrongSigner = repoOf(scenario('wrong-signer').reference);

  await page.goto('/identities');
  await expect(page.getByRole('heading', { name: 'Identities' })).toBeVisible();
  const table = page.getByRole('table', { name: 'Signing identities' });
  const demoRow = table.getByTestId('identity-row').filter({ has: page.getByRole('link', { name: identity, exact: true }) });
  await expect(demoRow).toContainText('Verified signer');
  await expect(demoRow).toContainText(issuer);
  await expect(demoRow.getByRole('link', { name: keylessOk })).toBeVisible();
  // The feature-branch signer of wrong-signer never verified: an unverified claim.
  const branchRow = table.getByTestId('identity-row').filter({ hasText: '@refs/heads/feature-x' });
  await expect(branchRow).toContainText('Unverified claim');
  await snap(page, 'identities');

  // The filter is a GET form: its URL keeps it.
  await page.getByLabel('Ref').fill('refs/heads/feature-x');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/[?&]ref=refs%2Fheads%2Ffeature-x/);
  await expect(page.getByLabel('Ref')).toHaveValue('refs/heads/feature-x');
  await expect(page.getByTestId('identity-row')).toHaveCount(1);
  await expect(page.getByTestId('identity-row')).toContainText(wrongSigner);
  await snap(page, 'identities-filtered');
  await page.goto('/identities?q=no-such-signer-anywhere');
  await expect(page.getByText('No identity matches this filter')).toBeVisible();

  // One identity: the images it signed, its claims, certificates, Rekor entries.
  await page.goto('/identities');
  await page.getByRole('link', { name: identity, exact: true }).first().click();
  await expect(page).toHaveURL(/\/identities\/kl\.[A-Za-z0-9_-]+$/);
  await expect(page.getByTestId('identity-subject')).toHaveText(identity);
  await expect(page.getByRole('heading', { name: 'GitHub claims' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Claims of the latest certificate' })).toContainText('refs/heads/main');
  const images = page.getByRole('table', { name: 'Images signed by this identity' });
  const okRow = images.getByTestId('identity-image').filter({ has: page.getByRole('link', { name: keylessOk, exact: true }) });
  await expect(okRow).toContainText('Verified');
  await expect(okRow).toContainText('1.0');
  await expect(page.getByRole('table', { name: /Rekor entries/ })).toContainText(keylessOk);
  await snap(page, 'identity');

  // Its certificate for keyless-ok: full decode, Fulcio extensions with names, validity bar.
  const certRow = page.getByRole('table', { name: /Certificates of this identity/ }).getByRole('row').filter({ hasText: keylessOk }).first();
  await certRow.getByRole('link', { name: /^sha256:/ }).click();
  await expect(page).toHaveURL(/\/certificates\/[a-z0-9]+$/);
  await expect(page.getByRole('heading', { name: 'Certificate', exact: true })).toBeVisible();
  const fulcio = page.getByTestId('fulcio-extensions');
  await expect(fulcio).toContainText('Source Repository URI');
  await expect(fulcio).toContainText('The URL of the source repository the build was based on.');
  await expect(fulcio).toContainText('1.3.6.1.4.1.57264.1.12');
  await expect(fulcio).toContainText('Runner Environment');
  const bar = page.getByTestId('validity-bar');
  await expect(bar).toBeVisible();
  await expect(bar.locator('[data-inside="true"]').first()).toBeAttached();
  await expect(bar).toContainText('inside the validity window');
  await expect(page.getByTestId('transparency-verdict')).toContainText('Certificate Transparency');
  await expect(page.getByTestId('chain-outcome')).toContainText('trusted root "sandbox"');
  await expect(page.getByText('ECDSA P-256')).toBeVisible();
  await expect(page.getByTestId('certificate-pem')).toContainText('-----BEGIN CERTIFICATE-----');
  await expect(page.getByTestId('certificate-signature').first()).toContainText('certificate-chain');
  await snap(page, 'certificate');

  const pemUrl = await page.getByRole('link', { name: 'Download' }).getAttribute('href');
  const pem = await request.get(pemUrl!);
  expect(pem.headers()['content-disposition']).toMatch(/attachment; filename="certificate-[0-9a-f]{16}\.pem"/);
  expect(await pem.text()).toContain('-----BEGIN CERTIFICATE-----');
  expect((await request.get('/api/certificates/..%2F..%2Fetc/pem')).status()).toBe(400);

  // Back to the identity, then the repository page: who signs it, since when.
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: identity }).click();
  await page.getByRole('table', { name: 'Images signed by this identity' }).getByRole('link', { name: keylessOk, exact: true }).first().click();
  await expect(page).toHaveURL(/\/images\//);
  await page.getByRole('link', { name: 'repository: who signs it' }).click();
  await expect(page.getByRole('heading', { name: keylessOk })).toBeVisible();
  await expect(page.getByTestId('repository-identity').first()).toContainText(identity);
  await expect(page.getByRole('heading', { name: 'Images' })).toBeVisible();
  await snap(page, 'repository');
});

test('a run links its signer to the identity page and its certificate to the certificate page', async ({ page }) => {
  await page.goto('/runs');
  await page.getByRole('row').filter({ hasText: scenario('wrong-signer').reference }).first().getByRole('link').first().click();
  await expect(page).toHaveURL(/\/runs\//);
  await page.getByTestId('signer-identity').first().getByRole('link').click();
  await expect(page.getByTestId('identity-subject')).toContainText('@refs/heads/feature-x');
  await expect(page.getByText('Unverified claim').first()).toBeVisible();
  await page.goBack();
  await page.getByRole('link', { name: /^sha256:[0-9a-f]{16}…$/ }).first().click();
  await expect(page).toHaveURL(/\/certificates\/[a-z0-9]+$/);
  await expect(page.getByTestId('certificate-signature').first()).toContainText('Not verified');
});
