import { expect, test } from '@playwright/test';
import { scenarios, snap } from './support';

// global-setup records demo/drifting's history in order (sandbox/seed-runs.ts), so its planted drift is in the database.
const drifting = () => `${scenarios().registry}/demo/drifting`;

test('home page lists open findings; one is acknowledged with a note and moves to the acknowledged list', async ({ page }) => {
  await page.goto('/');
  const section = page.locator('section', { has: page.getByRole('heading', { name: /^Open findings/ }) });
  await expect(section.getByRole('list', { name: 'Open findings' }).getByRole('listitem')).toHaveCount(5);
  const title = `${drifting()}:stable moved to an unsigned digest`;
  await snap(page, 'home-findings');
  // The home page shows the first five; the seeded scans add findings of their own, so look in the full list.
  await page.getByRole('link', { name: 'Findings', exact: true }).first().click();
  await expect(page.getByRole('link', { name: title })).toBeVisible();
  await expect(page.getByRole('link', { name: `Branch build signed release tag 1.5 of ${drifting()}` })).toBeVisible();
  const openBefore = await page.getByRole('list', { name: 'Open findings' }).getByRole('listitem').count();

  await page.getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByTestId('finding-detail')).toContainText('has no signature');
  await expect(page.locator('[data-finding-status="open"]')).toBeVisible();
  // Evidence: both digests, the signatures of the previous one, runs.
  await expect(page.getByText('moved to', { exact: true }).first()).toBeVisible();
  await expect(page.getByText('moved from', { exact: true }).first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Verification runs' })).toBeVisible();
  await snap(page, 'finding-open');

  const note = 'Rolled back on purpose: 1.6 is being re-signed by the release workflow (ticket OPS-42).';
  await page.getByLabel(/Why is this expected/).fill(note);
  await page.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.locator('[data-finding-status="acknowledged"]')).toBeVisible();
  const history = page.getByRole('list', { name: 'Acknowledgement history' });
  await expect(history).toContainText('Acknowledged by e2e-admin');
  await expect(history).toContainText(note);
  await expect(page.getByRole('button', { name: 'Reopen' })).toBeVisible();
  await snap(page, 'finding-acknowledged');

  await page.goto('/findings');
  const acknowledged = page.getByRole('list', { name: 'Acknowledged findings' });
  await expect(acknowledged.getByRole('link', { name: title })).toBeVisible();
  await expect(acknowledged.getByTestId('ack-note')).toContainText(note);
  await expect(page.getByRole('list', { name: 'Open findings' }).getByRole('listitem')).toHaveCount(openBefore - 1);
  await snap(page, 'findings');

  // The home page no longer lists it.
  await page.goto('/');
  await expect(page.getByRole('list', { name: 'Open findings' }).getByRole('link', { name: title })).toHaveCount(0);
});

test('findings can be filtered by kind and repository', async ({ page }) => {
  await page.goto('/findings');
  await page.getByLabel('Kind').selectOption('self-hosted-runner');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/kind=self-hosted-runner/);
  const open = page.getByRole('list', { name: 'Open findings' });
  await expect(open.getByRole('listitem')).toHaveCount(1);
  await expect(open).toContainText('self-hosted runner');
  await page.goto(`/findings?repository=${encodeURIComponent(`${scenarios().registry}/demo/keyless-ok`)}`);
  await expect(page.getByText('No open findings')).toBeVisible();
});

test('timeline of demo/drifting shows the chart and the events table', async ({ page }) => {
  await page.goto('/timeline');
  await page.getByRole('link', { name: drifting(), exact: true }).click();
  await expect(page.getByTestId('timeline-scope')).toHaveText(drifting());
  const chart = page.getByTestId('timeline-chart');
  await expect(chart.locator('svg.recharts-surface').first()).toBeVisible();
  await expect(chart.locator('.recharts-bar-rectangle').first()).toBeVisible();
  const table = page.getByRole('table', { name: 'Timeline events' });
  await expect(table.locator('[data-kind="tag-moved"]')).toHaveCount(2);
  await expect(table.locator('[data-kind="signed"]')).toHaveCount(8);
  await expect(table.locator('[data-kind="unsigned"]')).toHaveCount(1);
  await expect(table.getByRole('row').filter({ hasText: 'stable moved from' }).first()).toBeVisible();
  await snap(page, 'timeline');

  // A run event links to its run page; the run page links back to the image's timeline.
  await table.getByRole('row').filter({ has: page.locator('[data-kind="unsigned"]') }).getByRole('link', { name: 'run' }).click();
  await expect(page).toHaveURL(/\/runs\//);
  await page.getByRole('main').getByRole('link', { name: 'Timeline', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Scope' })).toContainText('Image');
  await expect(page.getByRole('link', { name: 'Whole repository' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Timeline events' }).locator('[data-kind="tag-moved"]')).toHaveCount(1);
  await snap(page, 'timeline-image');
});

test('timeline window: an empty window says so, and the brush selects a window', async ({ page }) => {
  await page.goto(`/timeline?org=${encodeURIComponent(`${scenarios().registry}/demo`)}&from=2000-01-01&to=2000-01-02`);
  await expect(page.getByText('No events in this window')).toBeVisible();
  await page.getByRole('link', { name: 'See the whole history' }).click();
  await expect(page.getByTestId('timeline-scope')).toHaveText(`${scenarios().registry}/demo/*`);
  const window = page.getByTestId('timeline-window');
  await expect(window).toContainText('events');
  // Drag the brush's right handle to the left: the table keeps only the selected window.
  const traveller = page.locator('.recharts-brush-traveller').last();
  const box = await traveller.boundingBox();
  if (box) {
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x - 300, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await expect(window).toContainText('Selected');
    await expect(page.getByRole('button', { name: 'Zoom to this window' })).toBeVisible();
    await snap(page, 'timeline-brush');
    await page.getByRole('button', { name: 'Zoom to this window' }).click();
    await expect(page).toHaveURL(/from=.*&to=|to=.*&from=/);
  }
});
