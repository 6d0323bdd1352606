import { expect, test } from '@playwright/test';
import { scenario, scenarios, snap } from './support';

/** A policy for the sandbox's demo images: the release workflow, on `ref`. */
function policyYaml(ref: string): string {
  const { registry, issuer } = scenarios();
  return `apiVersion: policy.sigstore.dev/v1beta1
kind: ClusterImagePolicy
metadata:
  name: demo-release
spec:
  mode: enforce
  images:
    - glob: "${registry}/demo/*"
  authorities:
    - name: release-workflow
      keyless:
        identities:
          - issuer: ${issuer}
            subjectRegExp: https://github\\.com/acme/widget/\\.github/workflows/release\\.yml@.*
            github:
              repository: acme/widget
              ref: ${ref}
              trigger: push
`;
}

test.describe.serial('policies: import, verify under one, re-evaluate history', () => {
  test('an invalid policy is refused with its line number; the fixed one is imported', async ({ page }) => {
    await page.goto('/policies');
    await expect(page.getByRole('heading', { name: 'Policies', exact: true })).toBeVisible();
    await page.getByLabel('Name').fill('demo-release');
    // Line 13: "issuer" misspelled.
    await page.getByLabel(/Policy YAML/).fill(policyYaml('refs/heads/main').replace('          - issuer:', '          - isuer:'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const errors = page.getByTestId('import-errors');
    await expect(errors).toContainText('The policy was not imported: 2 problems');
    await expect(errors).toContainText('line 13');
    await expect(errors).toContainText('spec.authorities[0].keyless.identities[0].isuer: unknown field');
    await expect(errors).toContainText('spec.authorities[0].keyless.identities[0].issuer: required (or issuerRegExp)');
    // The line button selects the offending line in the editor.
    await errors.getByRole('button', { name: 'line 13' }).first().click();
    const selected = await page.getByLabel(/Policy YAML/).evaluate((el: HTMLTextAreaElement) => el.value.slice(el.selectionStart, el.selectionEnd));
    expect(selected).toContain('isuer:');
    await snap(page, 'policies-import-error');

    await page.getByLabel(/Policy YAML/).fill(policyYaml('refs/heads/main'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect(page.getByTestId('import-result')).toContainText('Imported demo-release version 1.');
    const table = page.getByTestId('policies-table');
    await expect(table).toContainText('demo-release');
    await expect(table).toContainText(`${scenarios().registry}/demo/*`);
    await expect(table).toContainText('enforce');
    await snap(page, 'policies-list');
  });

  test('the home form verifies under the named policy: keyless-ok passes, wrong-signer fails', async ({ page }) => {
    await page.goto('/');
    await page.getByLabel('Policy', { exact: true }).selectOption({ label: 'demo-release (v1)' });
    await expect(page.getByTestId('policy-choice-help')).toContainText('demo-release v1');
    // The ad hoc signer fields give way to the policy.
    await expect(page.getByLabel('Certificate identity')).toHaveCount(0);
    await page.getByLabel('Image reference').fill(scenario('keyless-ok').reference);
    await page.getByLabel('Trusted root').selectOption('sandbox');
    await page.getByRole('button', { name: 'Verify' }).click();
    const result = page.getByTestId('verify-result');
    await expect(result.getByText('Verified', { exact: true })).toBeVisible();
    await expect(result.getByTestId('policy-verdict')).toHaveText('Policy demo-release v1: pass');
    await snap(page, 'home-policy-pass');

    await result.getByRole('link', { name: 'Open this run' }).click();
    await expect(page.getByTestId('run-policy-verdict')).toHaveText('pass');
    await expect(page.getByRole('link', { name: 'demo-release' })).toBeVisible();
    await snap(page, 'run-under-policy');

    await page.goto('/');
    await page.getByLabel('Policy', { exact: true }).selectOption({ label: 'demo-release (v1)' });
    await page.getByLabel('Image reference').fill(scenario('wrong-signer').reference);
    await page.getByLabel('Trusted root').selectOption('sandbox');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(result.getByText('Not verified', { exact: true })).toBeVisible();
    await expect(result.getByTestId('policy-verdict')).toHaveText('Policy demo-release v1: fail');
    await expect(result).toContainText('refs/heads/feature-x');
  });

  test('a second version (tags only) re-evaluates stored runs side by side, without touching them', async ({ page }) => {
    await page.goto('/policies');
    await page.getByLabel('Name').fill('demo-release');
    await page.getByLabel(/Policy YAML/).fill(policyYaml('refs/tags/v*'));
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect(page.getByTestId('import-result')).toContainText('Imported demo-release version 2.');

    await page.getByRole('link', { name: 'demo-release', exact: true }).click();
    await expect(page.getByTestId('version-2')).toContainText('ref ~ glob refs/tags/v*');
    await expect(page.getByTestId('version-1')).toContainText('ref = refs/heads/main');
    await expect(page.getByTestId('policy-runs')).toContainText('v1');
    await snap(page, 'policy-detail');

    await page.getByRole('link', { name: 'Re-evaluate history under v2' }).click();
    await expect(page).toHaveURL(/\/compare\?version=2$/);
    await expect(page.getByTestId('reevaluation-note')).toContainText('re-evaluation of stored evidence');
    const table = page.getByTestId('compare-table');
    const ok = table.getByRole('row').filter({ hasText: '/demo/keyless-ok' });
    // Stored: verified (policy v1, pass). Under v2: not verified, a main-branch build is not a tag.
    await expect(ok.getByText('Verified', { exact: true })).toBeVisible();
    await expect(ok.getByText('Not verified', { exact: true })).toBeVisible();
    await expect(ok).toContainText('changed');
    await expect(ok).toContainText('policy demo-release v1');
    await expect(ok).toContainText('policy expects glob refs/tags/v*');
    const unsigned = table.getByRole('row').filter({ hasText: '/demo/unsigned' });
    await expect(unsigned.getByText('Unsigned', { exact: true }).first()).toBeVisible();
    await snap(page, 'policy-compare-v2');

    // Under v1 the same stored evidence passes again: nothing was rewritten.
    await page.getByRole('link', { name: 'v1', exact: true }).click();
    await expect(page).toHaveURL(/\/compare\?version=1$/);
    const okV1 = page.getByTestId('compare-table').getByRole('row').filter({ hasText: '/demo/keyless-ok' });
    await expect(okV1.getByText('Verified', { exact: true })).toHaveCount(2);
    await expect(okV1).not.toContainText('changed');
    await snap(page, 'policy-compare-v1');
  });

  test('export downloads the YAML as imported', async ({ page, request }) => {
    await page.goto('/policies');
    const href = await page.getByRole('link', { name: 'Export YAML' }).first().getAttribute('href');
    const res = await request.get(href!);
    expect(res.ok()).toBe(true);
    expect(res.headers()['content-disposition']).toBe('attachment; filename="demo-release-v2.yaml"');
    expect(await res.text()).toBe(policyYaml('refs/tags/v*'));
    const bad = await request.post('/api/policies', { data: { name: 'x', yaml: 'kind: [' } });
    expect(bad.status()).toBe(400);
    expect((await bad.json()) as unknown).toMatchObject({ error: { code: 'INVALID_POLICY', issues: [{ line: expect.any(Number) }] } });
  });
});
