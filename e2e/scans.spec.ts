import { expect, test } from '@playwright/test';
import { scenarios, snap } from './support';

test.describe('scans', () => {
  test('the scans page lists the two demo scans and offers a pre-filled form', async ({ page }) => {
    await page.goto('/scans');
    await expect(page.getByRole('heading', { name: 'Scans', exact: true })).toBeVisible();
    const rows = page.getByRole('region', { name: 'Past scans' }).locator('tbody tr');
    await expect(rows).toHaveCount(2);
    await expect(rows.first()).toContainText('/acme/*');
    await expect(rows.first()).toContainText('finished');
    await expect(page.getByLabel(/What to scan/)).toHaveValue(`${scenarios().registry}/acme/*`);
    await snap(page, 'scans');
  });

  test('a finished scan shows its verdicts, the moved tag, and filters its items', async ({ page }) => {
    await page.goto('/scans');
    await page.getByRole('region', { name: 'Past scans' }).locator('tbody tr').first().getByRole('link').click();
    await expect(page.locator('[data-scan-status="finished"]')).toBeVisible();
    const progress = page.getByRole('region', { name: 'Progress' });
    await expect(progress).toContainText('1 tag moved to another digest');
    await expect(page.getByRole('region', { name: 'Repositories' }).locator('tbody tr')).toHaveCount(8);
    const images = page.getByRole('region', { name: 'Images' });
    await images.getByLabel('Outcome filter').selectOption('unsigned');
    // The corpus's own unsigned images plus the two pushed between the scans.
    await expect(images.locator('tbody tr').first()).toBeVisible();
    await expect(images.locator('tbody tr[data-outcome="unsigned"]').filter({ hasText: 'v9.0.0-hotfix' })).toHaveCount(1);
    await expect(images.locator('tbody tr').filter({ hasText: 'tag moved' })).toHaveCount(1);
    await expect(images.locator('tbody tr:not([data-outcome="unsigned"])')).toHaveCount(0);
    await snap(page, 'scan-finished');
    // Each image links to its run.
    await images.locator('tbody tr').filter({ hasText: 'v9.0.0-hotfix' }).getByRole('link').click();
    await expect(page).toHaveURL(/\/runs\//);
    await expect(page.getByText('Unsigned').first()).toBeVisible();
  });

  test('starting a scan from the form runs it in the background with live progress', async ({ page }) => {
    const s = scenarios();
    await page.goto('/scans');
    await page.waitForLoadState('networkidle');
    const targets = `${s.registry}/acme/service-001\n# a comment line is ignored`;
    await expect(async () => {
      await page.getByLabel(/What to scan/).fill(targets);
      await expect(page.getByLabel(/What to scan/)).toHaveValue(targets, { timeout: 500 });
    }).toPass();
    await page.getByLabel('Most recent N per repository').fill('3');
    await page.getByRole('button', { name: 'Start scan' }).click();
    await expect(page).toHaveURL(/\/scans\/[a-z0-9]+$/);
    await expect(page.locator('[data-scan-status="finished"]')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('region', { name: 'Progress' })).toContainText('3 of 3 images');
    await expect(page.getByRole('region', { name: 'Images' }).locator('tbody tr')).toHaveCount(3);
    await snap(page, 'scan-new');
  });

  test('a bad target is refused with the line that is wrong, and nothing starts', async ({ page }) => {
    await page.goto('/scans');
    // Typed before hydration, a value can be merged with the pre-filled one: fill until it holds.
    await page.waitForLoadState('networkidle');
    await expect(async () => {
      await page.getByLabel(/What to scan/).fill('acme/*');
      await expect(page.getByLabel(/What to scan/)).toHaveValue('acme/*', { timeout: 500 });
    }).toPass();
    await page.getByRole('button', { name: 'Start scan' }).click();
    await expect(page.getByRole('form', { name: 'New scan' }).getByRole('alert')).toContainText('target 1: "acme/*": a prefix target needs its registry host first');
    await expect(page).toHaveURL(/\/scans$/);
  });

  test('the organization overview shows coverage over time and per repository', async ({ page }) => {
    await page.goto('/organizations');
    await page.getByRole('link', { name: new RegExp(`${scenarios().registry.replace(/[.]/g, '\\.')}/acme$`) }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('/acme');
    await expect(page.getByRole('img', { name: 'Coverage over time chart' })).toBeVisible();
    await expect(page.locator('table.sr-only tbody tr')).toHaveCount(2);
    const repos = page.getByRole('region', { name: 'Repositories' }).locator('tbody tr');
    await expect(repos).toHaveCount(8);
    await expect(repos.first()).toContainText('acme/service-000');
    await snap(page, 'organization');
  });
});
