import { expect, test } from '@playwright/test';
import { scenario, scenarios, snap } from './support';

test('rekor explorer: from a verified run to its proven log entry, search by log index, and back to the image', async ({ page, request }) => {
  const { identity } = scenarios();
  const keylessOk = scenario('keyless-ok');
  const runs = (await (await request.get('/api/runs?limit=200')).json()) as { runs: Array<{ id: string; status: string; image: { repository: string; digest: string } | null }> };
  const run = runs.runs.find((r) => r.status === 'verified' && r.image?.digest === keylessOk.digest);
  expect(run, 'a verified run of keyless-ok').toBeTruthy();

  // The run links its signature's Rekor log index to the explorer.
  await page.goto(`/runs/${run!.id}`);
  const link = page.getByTestId('rekor-entry-link').first();
  const logIndex = (await link.textContent())!.trim();
  await link.click();
  await expect(page).toHaveURL(new RegExp(`/rekor/entries/index-${logIndex}\\?trustRoot=`));
  await expect(page.getByTestId('proof-status')).toHaveAttribute('data-proof', 'proven');
  await expect(page.getByTestId('proof-status')).toHaveText('Proven in log');
  for (const step of ['log', 'uuid', 'inclusion', 'checkpoint', 'set']) {
    await expect(page.locator(`[data-testid="proof-step"][data-step="${step}"]`)).toHaveAttribute('data-step-status', 'passed');
  }
  await expect(page.getByTestId('entry-identity')).toHaveText(identity);
  const imageLink = page.getByTestId('entry-links').getByRole('link', { name: new RegExp(keylessOk.digest.slice(0, 19)) });
  await expect(imageLink).toBeVisible();
  await snap(page, 'rekor-entry');

  // The explorer's search form finds the same entry by log index in the sandbox log.
  await page.goto('/rekor?trustRoot=sandbox');
  await page.getByLabel('Search by').selectOption('logIndex');
  await page.getByLabel('Search the log').fill(logIndex);
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.getByTestId('rekor-result');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('proof-status')).toHaveText('Proven in log');
  await expect(row).toContainText(identity);
  await snap(page, 'rekor-search');

  await row.getByRole('link', { name: logIndex, exact: true }).click();
  await page.getByTestId('entry-links').getByRole('link', { name: new RegExp(keylessOk.digest.slice(0, 19)) }).click();
  await expect(page).toHaveURL(/\/images\//);

  // The JSON API answers the same, and rejects bad input.
  const api = await request.get(`/api/rekor?trustRoot=sandbox&logIndex=${logIndex}`);
  expect(api.status()).toBe(200);
  const body = (await api.json()) as { entries: Array<{ status: string; signatures: unknown[] }> };
  expect(body.entries.map((e) => e.status)).toEqual(['proven']);
  expect(body.entries[0]!.signatures.length).toBeGreaterThan(0);
  expect((await request.get('/api/rekor?trustRoot=sandbox&sha256=nope')).status()).toBe(400);
});
