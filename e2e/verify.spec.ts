import { expect, test } from '@playwright/test';
import { scenario, scenarios, snap } from './support';

test.describe('verify an image from the home page', () => {
  test('keyless image signed by the expected workflow is verified, and its run page shows the signer', async ({ page }) => {
    const { identity, issuer } = scenarios();
    const s = scenario('keyless-ok');
    await page.goto('/');
    await page.getByLabel('Image reference').fill(s.reference);
    await page.getByLabel('Certificate identity').fill(identity);
    await page.getByLabel('OIDC issuer').fill(issuer);
    await page.getByLabel('Trusted root').selectOption('sandbox');
    await page.getByRole('button', { name: 'Verify' }).click();

    const result = page.getByTestId('verify-result');
    await expect(result.getByText('Verified', { exact: true })).toBeVisible();
    await expect(result).toContainText(`signed by ${identity}`);
    await expect(result).toContainText(s.digest);
    await snap(page, 'home-verified');

    await result.getByRole('link', { name: 'Open this run' }).click();
    await expect(page).toHaveURL(/\/runs\/[a-z0-9]+$/);
    await expect(page.getByTestId('signer-identity').first()).toHaveText(identity);
    await expect(page.getByText('refs/heads/main', { exact: true })).toBeVisible();
    await snap(page, 'run-verified');
  });

  test('a signature from another workflow ref is rejected with the reason', async ({ page }) => {
    const { identity, issuer } = scenarios();
    await page.goto('/');
    await page.getByLabel('Image reference').fill(scenario('wrong-signer').reference);
    await page.getByLabel('Certificate identity').fill(identity);
    await page.getByLabel('OIDC issuer').fill(issuer);
    // Keyboard-friendly: Enter in the form submits it.
    await page.getByLabel('OIDC issuer').press('Enter');
    const result = page.getByTestId('verify-result');
    await expect(result.getByText('Not verified', { exact: true })).toBeVisible();
    await expect(result).toContainText('refs/heads/feature-x, policy expects');
    await snap(page, 'home-wrong-signer');
    await result.getByRole('link', { name: 'Open this run' }).click();
    const card = page.getByRole('article', { name: 'Signature 1' });
    await expect(card).toContainText('IDENTITY_MISMATCH');
    await expect(card.getByText('Identity (claimed)')).toBeVisible();
    await expect(card.getByTestId('signer-identity')).toHaveText(/refs\/heads\/feature-x$/);
    await snap(page, 'run-wrong-signer');
  });

  test('a demo example button fills the form; an unsigned image says so', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: 'unsigned', exact: true }).click();
    await expect(page.getByLabel('Image reference')).toHaveValue(scenario('unsigned').reference);
    await page.getByRole('button', { name: 'Verify' }).click();
    const result = page.getByTestId('verify-result');
    await expect(result.getByText('Unsigned', { exact: true })).toBeVisible();
    await expect(result).toContainText('no signatures found');
  });

  test('key-based: the public key verifies the keyed image', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: 'keyed', exact: true }).click();
    await expect(page.getByLabel('Public key (PEM, as in cosign.pub)')).toHaveValue(/BEGIN PUBLIC KEY/);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByTestId('verify-result').getByText('Verified', { exact: true })).toBeVisible();
    await expect(page.getByTestId('verify-result')).toContainText('signed by key sha256:');
  });

  test('a bad reference shows a clear error and is still recorded', async ({ page }) => {
    await page.goto('/');
    await page.getByLabel('Image reference').fill('Not A Reference');
    await page.getByRole('radio', { name: /Anyone/ }).check();
    await page.getByRole('button', { name: 'Verify' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Could not verify' });
    await expect(alert).toContainText('Could not verify');
    await expect(alert).toContainText('is not a valid image reference');
    await snap(page, 'home-error');
    await page.goto('/runs');
    await expect(page.getByRole('row').filter({ hasText: 'Not A Reference' }).first()).toContainText('Error');
  });
});
