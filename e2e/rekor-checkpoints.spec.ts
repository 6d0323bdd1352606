import { createClient } from '@libsql/client';
import { expect, test } from '@playwright/test';
import { forgeCheckpoint, rekorUrl } from './rekor-support';
import { snap } from './support';

test('rekor explorer: records the checkpoint at each visit, and flags a log that rewrote its history', async ({ page }) => {
  await page.goto('/rekor?trustRoot=sandbox');
  const status = page.getByTestId('checkpoint-status');
  await expect(status).toContainText(rekorUrl());
  await expect(status).toHaveAttribute('data-consistency', /^(first|same|consistent)$/);
  await expect(page.getByTestId('history-banner')).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId('checkpoint-status')).toHaveAttribute('data-consistency', /^(same|consistent)$/);

  // Evidence of a fork: a checkpoint for the current size with another root, signed by
  // the log's own key, recorded as seen earlier (as if another visitor had been shown it).
  const forged = await forgeCheckpoint();
  const db = createClient({ url: process.env.DATABASE_URL! });
  try {
    await db.execute({
      sql: 'INSERT INTO CheckpointObservation (id, logId, logUrl, treeSize, rootHash, checkpoint, observedAt, previousId, consistency, detail) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)',
      args: [`e2e-forged-${Date.now()}`, forged.origin, rekorUrl(), forged.treeSize, forged.rootHash, forged.text, new Date().toISOString().replace('Z', '+00:00'), 'consistent', 'recorded by the e2e test'],
    });
  } finally {
    db.close();
  }

  await page.reload();
  const banner = page.getByTestId('history-banner');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('This log has rewritten its history');
  await expect(banner).toContainText('signed a different root');
  await expect(banner).toContainText(`tree size ${forged.treeSize}`);
  await snap(page, 'rekor-history-banner');

  // The flag stays on entry pages of that log too.
  await page.goto('/rekor/entries/index-0?trustRoot=sandbox');
  await expect(page.getByTestId('history-banner')).toBeVisible();
});
