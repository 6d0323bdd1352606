import { expect, test } from '@playwright/test';
import { scenario, scenarios, snap } from './support';

test('attestations: the run lists them by format, and the attestation page shows the predicate', async ({ page, request }) => {
  const { identity, issuer } = scenarios();
  const res = await request.post('/api/verify', { data: { reference: scenario('attested').reference, policy: { identity, issuer }, trustRoot: 'sandbox' } });
  const body = (await res.json()) as { runId: string; status: string };
  expect(body.status).toBe('verified');

  await page.goto(`/runs/${body.runId}`);
  await expect(page.getByRole('heading', { name: 'Attestations' })).toBeVisible();
  const provenance = page.getByRole('article').filter({ hasText: 'https://slsa.dev/provenance/v1' });
  await expect(provenance).toContainText('cosign .att tag');
  await expect(provenance.getByText('Verified', { exact: true })).toBeVisible();
  await expect(page.getByRole('article').filter({ hasText: 'https://spdx.dev/Document' })).toContainText('Sigstore bundle · referrers tag');
  await expect(page.getByRole('heading', { name: 'Attached documents (unsigned)' })).toBeVisible();
  await snap(page, 'run-attested');

  await provenance.getByRole('link', { name: 'https://slsa.dev/provenance/v1' }).click();
  await expect(page).toHaveURL(/\/attestations\/[a-z0-9]+$/);
  await expect(page.getByRole('heading', { name: /SLSA provenance v1/ })).toBeVisible();
  const fields = page.getByTestId('predicate-fields');
  await expect(fields).toContainText('https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main');
  await expect(fields).toContainText('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
  await snap(page, 'attestation-slsa');

  const download = await request.get(`${page.url().replace('/attestations/', '/api/attestations/')}/predicate`);
  expect(download.headers()['content-disposition']).toContain('provenance.json');
  const predicate = (await download.json()) as { buildDefinition?: { buildType?: string } };
  expect(predicate.buildDefinition?.buildType).toBeTruthy();
});

test('an SBOM attestation shows its top-level packages', async ({ page, request }) => {
  const { identity, issuer } = scenarios();
  const res = await request.post('/api/verify', { data: { reference: scenario('attested').reference, policy: { identity, issuer }, trustRoot: 'sandbox' } });
  const { runId } = (await res.json()) as { runId: string };
  await page.goto(`/runs/${runId}`);
  await page.getByRole('link', { name: 'https://spdx.dev/Document' }).first().click();
  await expect(page.getByRole('heading', { name: /SPDX/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Top-level packages' })).toBeVisible();
  await snap(page, 'attestation-spdx');
});
