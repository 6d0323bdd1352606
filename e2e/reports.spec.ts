import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import { scenarios, snap } from './support';

const OUT = path.join('test-results', 'reports');

async function generate(page: Page, format: 'CSV' | 'JSON' | 'PDF' | 'Evidence archive'): Promise<Buffer> {
  await page.getByRole('radio', { name: new RegExp(`^${format}`) }).check();
  await page.getByRole('button', { name: 'Generate report' }).click();
  const status = page.getByRole('status');
  await expect(status).toContainText('Report stored', { timeout: 60_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), status.getByRole('link', { name: /^Download/ }).click()]);
  const file = path.join(OUT, download.suggestedFilename());
  await download.saveAs(file);
  // The page states the digest of what it stored; the download is those bytes.
  const text = (await status.textContent()) ?? '';
  const bytes = readFileSync(file);
  const { createHash } = await import('node:crypto');
  expect(text).toContain(createHash('sha256').update(bytes).digest('hex'));
  return bytes;
}

test('generate, preview and download each report format for the sandbox organization', async ({ page }) => {
  test.setTimeout(240_000);
  mkdirSync(OUT, { recursive: true });
  const org = `${scenarios().registry}/demo`;
  await page.goto('/reports');
  await expect(page.getByRole('heading', { name: 'Audit reports' })).toBeVisible();
  await expect(page.getByLabel('Scope')).toHaveValue('organization');
  // Other specs store runs of other organizations (hostile registry, scans): pick ours.
  await page.getByLabel('Organization').fill(org);
  const preview = page.getByTestId('report-preview');
  await expect(preview).toContainText(`in ${org}/*`);
  const total = Number(/(\d+) images? in/.exec((await preview.textContent()) ?? '')?.[1]);
  expect(total).toBeGreaterThan(3);
  await expect(preview).toContainText('verified');

  // A scope with no runs says so before anything is generated.
  await page.getByLabel('Organization').fill(`${scenarios().registry}/nothing-here`);
  await expect(preview).toContainText('No stored run falls in this scope');
  await page.getByLabel('Organization').fill(org);
  await expect(preview).toContainText(`${total} images in`);

  const csv = (await generate(page, 'CSV')).toString('utf8');
  const lines = csv.trimEnd().split('\r\n');
  expect(lines[0]).toMatch(/^registry,repository,digest,tags,platforms,verdict,/);
  expect(lines).toHaveLength(total + 1);

  const json = JSON.parse((await generate(page, 'JSON')).toString('utf8')) as { rows: Array<{ verdict: string; input: string }>; summary: { total: number } };
  expect(json.rows).toHaveLength(total);
  expect(json.summary.total).toBe(total);
  expect(json.rows.find((r) => r.input === scenarios().scenarios.find((s) => s.name === 'unsigned')!.reference)?.verdict).toBe('unsigned');

  const pdf = await generate(page, 'PDF');
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const pdfFile = path.join(OUT, 'report.pdf');
  writeFileSync(pdfFile, pdf);
  mkdirSync(path.join('test-results', 'screens'), { recursive: true });
  execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', '-singlefile', pdfFile, path.join('test-results', 'screens', 'report-pdf-page1')]);
  const text = execFileSync('pdftotext', ['-f', '1', '-l', '1', pdfFile, '-']).toString();
  expect(text).toContain(`Audit report: ${org}/*`);
  expect(text).toMatch(/[\d.]+% of \d+ images verified/);

  const archive = await generate(page, 'Evidence archive');
  expect(gunzipSync(archive).subarray(257, 262).toString()).toBe('ustar');
  const archiveFile = path.join(OUT, 'evidence.tar.gz');
  writeFileSync(archiveFile, archive);
  const keyFile = path.join(OUT, 'cosign.pub');
  writeFileSync(keyFile, scenarios().publicKeyPem);
  // Re-verified offline by the CLI, with no database and no network.
  const verified = execFileSync('bin/sigscope', ['report', 'verify-evidence', archiveFile, '--key', keyFile], { env: { ...process.env, NODE_OPTIONS: '', DATABASE_URL: 'file:/nonexistent/never-used.db' } }).toString();
  expect(verified).toContain('Evidence verified');

  // Every report is listed with its digest and downloads again.
  await page.reload();
  const rows = page.getByRole('table', { name: 'Past reports' }).locator('tbody tr');
  await expect(rows).toHaveCount(4);
  await expect(rows.first()).toContainText('Evidence');
  await snap(page, 'reports');
});

test('bad scope input is explained and nothing is stored', async ({ page }) => {
  await page.goto('/reports?kind=window&value=tomorrow');
  await expect(page.getByTestId('report-preview')).toContainText('FROM..TO');
  await page.getByRole('button', { name: 'Generate report' }).click();
  await expect(page.getByRole('form', { name: 'Generate a report' }).getByRole('alert')).toContainText('FROM..TO');
  const before = await (await page.request.get('/api/reports')).json() as { reports: unknown[] };
  const res = await page.request.post('/api/reports', { data: { kind: 'planet', value: 'earth', format: 'csv' } });
  expect(res.status()).toBe(400);
  const after = await (await page.request.get('/api/reports')).json() as { reports: unknown[] };
  expect(after.reports.length).toBe(before.reports.length);
});

test('image, repository and identity pages link to a prefilled report', async ({ page }) => {
  await page.goto('/images');
  await page.locator('a[href^="/images/"]').first().click();
  await page.getByRole('link', { name: 'Audit report' }).click();
  await expect(page.getByLabel('Scope')).toHaveValue('image');
  await expect(page.getByTestId('report-preview')).toContainText('1 image in');
});
