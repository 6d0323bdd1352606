import { expect, test } from '@playwright/test';
import { scenarios, snap } from './support';

test('rekor watches: add a watch, check now (new entries proven, linked), check again (none new), stop', async ({ page }) => {
  const { identity } = scenarios();
  await page.goto('/rekor/watches');
  await expect(page.getByRole('heading', { name: 'Watched identities' })).toBeVisible();

  const form = page.getByRole('form', { name: 'Watch an identity' });
  await form.getByLabel('Identity', { exact: true }).fill(identity);
  await form.getByRole('button', { name: 'Watch' }).click();
  const watch = page.getByTestId('watch').filter({ has: page.getByTestId('watch-identity').getByText(identity, { exact: true }) });
  await expect(watch).toHaveCount(1);
  await expect(watch.getByTestId('watch-summary')).toHaveText('Not checked yet.');

  // A duplicate is refused with a reason.
  await form.getByLabel('Identity', { exact: true }).fill(identity);
  await form.getByRole('button', { name: 'Watch' }).click();
  await expect(form.getByRole('alert')).toContainText('already watched');

  await watch.getByRole('button', { name: `Check ${identity} now` }).click();
  const check = watch.getByTestId('watch-check').first();
  await expect(check.getByTestId('new-count')).toHaveText(/[1-9]\d* new entr/);
  const entries = check.getByTestId('watch-entry');
  for (const s of await entries.getByTestId('proof-status').allTextContents()) expect(s).toBe('Proven in log');
  await expect(entries.first().getByRole('link', { name: identity })).toHaveAttribute('href', /\/identities\//);
  await expect(entries.getByRole('link', { name: /@sha256:/ }).first()).toHaveAttribute('href', /\/images\//);
  await snap(page, 'rekor-watches');

  // A second check lists nothing new.
  await watch.getByRole('button', { name: `Check ${identity} now` }).click();
  await expect(watch.getByTestId('watch-check')).toHaveCount(2);
  await expect(watch.getByTestId('watch-check').first().getByTestId('new-count')).toHaveText('0 new entries');

  // The entry link (in the first check, now second in the list) opens the proven entry.
  const earlier = watch.getByTestId('watch-check').nth(1).getByTestId('watch-entry').first();
  const logIndex = (await earlier.getByRole('link').first().textContent())!.trim();
  await earlier.getByRole('link', { name: logIndex, exact: true }).click();
  await expect(page).toHaveURL(/\/rekor\/entries\//);
  await expect(page.getByTestId('proof-status').first()).toHaveText('Proven in log');

  // A pattern that matches nothing, then stopping the first watch.
  await page.goto('/rekor/watches');
  await form.getByLabel('Identity', { exact: true }).fill('nobody-[0-9]+@example\\.invalid');
  await page.getByLabel('Regular expression (matches the whole identity)').check();
  await form.getByRole('button', { name: 'Watch' }).click();
  const pattern = page.getByTestId('watch').filter({ hasText: '/nobody-[0-9]+@example\\.invalid/' });
  await pattern.getByRole('button', { name: /^Check .* now$/ }).click();
  await expect(pattern.getByTestId('new-count')).toHaveText('0 new entries');

  page.once('dialog', (d) => void d.accept());
  await watch.getByRole('button', { name: `Stop watching ${identity}` }).click();
  await expect(page.getByTestId('watch').filter({ has: page.getByTestId('watch-identity').getByText(identity, { exact: true }) })).toHaveCount(0);
  await page.getByRole('link', { name: 'Show stopped' }).click();
  await expect(page.getByTestId('watch').filter({ hasText: 'stopped' }).first()).toBeVisible();
});
