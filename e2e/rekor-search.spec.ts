import { expect, test, type Page } from '@playwright/test';
import { appendEntry, rekorUrl } from './rekor-support';
import { scenarios, snap } from './support';

async function search(page: Page, text: string) {
  await page.goto('/rekor?trustRoot=sandbox');
  const box = page.getByLabel('Search the log');
  await box.fill(text);
  await box.press('Enter');
}

test('rekor search box: log index, UUID, bare hex, sha256 hash, identity, range with pages in time order, pasted bundle', async ({ page }) => {
  const { identity } = scenarios();
  const index = await appendEntry(`e2e search ${Date.now()}`);
  const raw = (await (await fetch(`${rekorUrl()}/api/v1/log/entries?logIndex=${index}`)).json()) as Record<string, { body: string; integratedTime: number; logID: string; logIndex: number; verification: { signedEntryTimestamp: string; inclusionProof: { logIndex: number; treeSize: number; rootHash: string; hashes: string[]; checkpoint: string } } }>;
  const [uuid, entry] = Object.entries(raw)[0]!;
  const body = JSON.parse(Buffer.from(entry.body, 'base64').toString()) as { spec: { data: { hash: { value: string } } } };
  const artifact = body.spec.data.hash.value;

  // A log index.
  await search(page, String(index));
  await expect(page).toHaveURL(/kind=auto/);
  await expect(page.getByTestId('understood')).toHaveText(`for log index ${index}`);
  await expect(page.getByTestId('rekor-result')).toHaveCount(1);
  await expect(page.getByTestId('rekor-result').getByTestId('proof-status')).toHaveText('Proven in log');

  // 80-hex UUID, then the bare 64-hex leaf: tried as a UUID first, and said so.
  await search(page, uuid);
  await expect(page.getByTestId('rekor-result')).toHaveAttribute('data-log-index', String(index));
  await search(page, uuid.slice(-64));
  await expect(page.getByTestId('rekor-result')).toHaveAttribute('data-log-index', String(index));
  await expect(page.getByRole('note').filter({ hasText: 'is an entry UUID' })).toBeVisible();

  // The artifact's bare hex is no UUID: searched as a hash instead, and explained.
  await search(page, artifact);
  await expect(page.getByTestId('rekor-result')).toHaveAttribute('data-log-index', String(index));
  await expect(page.getByRole('note').filter({ hasText: 'searched as an artifact hash' })).toBeVisible();
  await search(page, `sha256:${artifact}`);
  await expect(page.getByTestId('understood')).toHaveText(`for artifact hash sha256:${artifact}`);
  await expect(page.getByTestId('rekor-result')).toHaveCount(1);

  // An identity (the sandbox's keyless signer): every hit proven, newest first.
  await search(page, identity);
  const rows = page.getByTestId('rekor-result');
  await expect(rows.first()).toBeVisible();
  expect(await rows.count()).toBeGreaterThan(0);
  for (const s of await rows.getByTestId('proof-status').allTextContents()) expect(s).toBe('Proven in log');
  const times = await rows.getByTestId('integrated-time').allTextContents();
  expect([...times].sort().reverse()).toEqual(times);
  await snap(page, 'rekor-search-identity');

  // A range of 22 fresh entries: two pages, newest (highest index, latest time) first.
  const first = await appendEntry(`e2e range 0 ${Date.now()}`);
  for (let i = 1; i < 22; i++) await appendEntry(`e2e range ${i} ${Date.now()}`);
  await search(page, `${first}-${first + 21}`);
  await expect(page.getByTestId('rekor-result')).toHaveCount(20);
  await expect(page.getByTestId('page-indicator')).toHaveText('Page 1 of 2');
  await expect(page.getByTestId('rekor-result').first()).toHaveAttribute('data-log-index', String(first + 21));
  await page.getByRole('link', { name: 'Older →' }).click();
  await expect(page.getByTestId('page-indicator')).toHaveText('Page 2 of 2');
  await expect(page.getByTestId('rekor-result')).toHaveCount(2);
  await expect(page.getByTestId('rekor-result').last()).toHaveAttribute('data-log-index', String(first));

  // A pasted Sigstore bundle (v0.3) holding the entry: proven offline, then linked to the log's entry page.
  const p = entry.verification.inclusionProof;
  const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      publicKey: { hint: '' },
      tlogEntries: [
        {
          logIndex: String(entry.logIndex),
          logId: { keyId: b64(entry.logID) },
          kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
          integratedTime: String(entry.integratedTime),
          inclusionPromise: { signedEntryTimestamp: entry.verification.signedEntryTimestamp },
          inclusionProof: { logIndex: String(p.logIndex), rootHash: b64(p.rootHash), treeSize: String(p.treeSize), hashes: p.hashes.map(b64), checkpoint: { envelope: p.checkpoint } },
          canonicalizedBody: entry.body,
        },
      ],
    },
    messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: b64(artifact) }, signature: '' },
  };
  await page.goto('/rekor?trustRoot=sandbox');
  await page.getByLabel('Search the log').fill(JSON.stringify(bundle, null, 2));
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByTestId('understood')).toContainText('a Sigstore bundle');
  const pasted = page.getByTestId('rekor-result');
  await expect(pasted).toHaveCount(1);
  await expect(pasted.getByTestId('proof-status')).toHaveText('Proven in log');
  await snap(page, 'rekor-search-bundle');

  // The same bundle with a flipped path hash is shown as NOT proven.
  const h = bundle.verificationMaterial.tlogEntries[0]!.inclusionProof.hashes;
  if (h.length > 0) {
    const bytes = Buffer.from(h[0]!, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    h[0] = bytes.toString('base64');
    await page.getByLabel('Search the log').fill(JSON.stringify(bundle));
    await page.getByRole('button', { name: 'Search' }).click();
    await expect(page.getByTestId('rekor-result').getByTestId('proof-status')).toHaveText('NOT proven');
  }

  await pasted.getByRole('link', { name: String(index), exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/rekor/entries/`));
  await expect(page.getByTestId('proof-status').first()).toHaveText('Proven in log');

  // Input it does not understand is explained.
  await search(page, 'not a query');
  await expect(page.getByRole('alert').filter({ hasText: 'is not a log index' })).toBeVisible();
});
