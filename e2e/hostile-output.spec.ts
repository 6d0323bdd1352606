/**
 * Registry-supplied strings on pages: a hostile registry (a small HTTP server in this
 * test, reached through the real dashboard) serves a signature whose certificate
 * identity is markup, a `javascript:` URL and a spreadsheet formula, and error
 * bodies full of markup. The pages must show that text as text: no script runs, no
 * dialog opens, no `javascript:` link exists.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { snap } from './support';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
// No double quotes: openssl's -addext strips them (unquoted attributes are just as live in HTML).
const HOSTILE_IDENTITY = 'javascript:alert(1)//><script>window.__xss=1</script><img src=x onerror=window.__xss=2>=HYPERLINK(http://evil.test)';
const HOSTILE_ERROR = `<script>window.__xss=3</script><a href="javascript:alert(3)">click me</a>`;

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

function hostileCertificate(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sigscope-hostile-'));
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', path.join(dir, 'key.pem'), '-out', cert, '-days', '1', '-subj', '/CN=<b>evil<b>',
    '-addext', `subjectAltName=URI:${HOSTILE_IDENTITY}`,
  ], { stdio: 'ignore' });
  return readFileSync(cert, 'utf8');
}

/** A registry that serves one "signed" image (evil/app:1) and hostile errors for everything else. */
async function startHostileRegistry(): Promise<{ host: string; close(): Promise<void> }> {
  const config = Buffer.from('{}');
  const image = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [],
    annotations: { 'org.opencontainers.image.source': 'javascript:alert(4)', 'org.opencontainers.image.title': '<script>window.__xss=4</script>' },
  }));
  const imageDigest = sha(image);
  let host = '';
  const payload = () => Buffer.from(JSON.stringify({ critical: { identity: { 'docker-reference': `${host}/evil/app` }, image: { 'docker-manifest-digest': imageDigest }, type: 'cosign container image signature' }, optional: { note: '<script>window.__xss=5</script>' } }));
  const certificate = hostileCertificate();
  const blobs = new Map<string, Buffer>([[sha(config), config]]);
  const sigManifest = () => {
    const p = payload();
    blobs.set(sha(p), p);
    return Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{
        mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
        digest: sha(p),
        size: p.length,
        annotations: { 'dev.cosignproject.cosign/signature': randomBytes(64).toString('base64'), 'dev.sigstore.cosign/certificate': certificate },
      }],
    }));
  };
  const server: Server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (status: number, body: Buffer, type: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(body.length), ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (p === '/v2/' || p === '/v2') return send(200, Buffer.from('{}'), 'application/json');
    if (p === '/v2/evil/app/manifests/1' || p === `/v2/evil/app/manifests/${imageDigest}`) return send(200, image, OCI_MANIFEST, { 'Docker-Content-Digest': imageDigest });
    if (p === `/v2/evil/app/manifests/${imageDigest.replace(':', '-')}.sig`) {
      const m = sigManifest();
      return send(200, m, OCI_MANIFEST, { 'Docker-Content-Digest': sha(m) });
    }
    const blob = /^\/v2\/evil\/app\/blobs\/(sha256:[a-f0-9]{64})$/.exec(p);
    if (blob && blobs.has(blob[1]!)) return send(200, blobs.get(blob[1]!)!, 'application/octet-stream');
    // A 400 (not 404, whose explanation is Sigscope's own) so the registry's message is quoted.
    if (p.startsWith('/v2/evil/missing/')) return send(400, Buffer.from(JSON.stringify({ errors: [{ code: 'MANIFEST_INVALID', message: HOSTILE_ERROR }] })), 'application/json');
    return send(404, Buffer.from(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: HOSTILE_ERROR }] })), 'application/json');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/** Nothing hostile became live: no script ran, no javascript: link, no injected element. */
async function expectInert(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  await expect(page.locator('a[href^="javascript:" i]')).toHaveCount(0);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  // The hostile text may travel inside React's flight data (a JSON string in a Next.js script),
  // escaped; it must never be a script of its own or break out of one.
  const scripts = await page.locator('script').evaluateAll((els) => els.map((e) => e.textContent ?? '').filter((t) => t.includes('__xss')));
  for (const text of scripts) {
    expect(text.startsWith('self.__next_f.push(')).toBe(true);
    expect(text).not.toMatch(/<\/?script/i);
  }
}

test.describe('registry-supplied text is shown as text', () => {
  let registry: { host: string; close(): Promise<void> };
  let saved: unknown;

  test.beforeAll(async ({ request }) => {
    registry = await startHostileRegistry();
    // An administrator allows this registry plain HTTP (127.0.0.1 is already an allowed host in e2e).
    saved = await (await request.get('/api/settings')).json();
    const s = saved as { allowHttpRegistries: string[]; allowedHosts: string[]; trustedRoots: unknown[] };
    const put = await request.put('/api/settings', { data: { allowHttpRegistries: [...s.allowHttpRegistries, registry.host], allowedHosts: s.allowedHosts, trustedRoots: s.trustedRoots } });
    expect(put.ok(), await put.text()).toBe(true);
  });

  test.afterAll(async ({ request }) => {
    if (!saved || !registry) return;
    const s = saved as { allowHttpRegistries: string[]; trustedRoots: unknown[] };
    await request.put('/api/settings', { data: { allowHttpRegistries: s.allowHttpRegistries.filter((h) => h !== registry.host), allowedHosts: (saved as { allowedHosts: string[] }).allowedHosts, trustedRoots: s.trustedRoots } });
    await registry.close();
  });

  test('a certificate identity made of markup, a javascript: URL and a formula', async ({ page }) => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto('/');
    await page.getByLabel('Image reference').fill(`${registry.host}/evil/app:1`);
    await page.getByRole('radio', { name: /Anyone/ }).check();
    await page.getByLabel('Trusted root').selectOption('sandbox');
    await page.getByRole('button', { name: 'Verify' }).click();
    const result = page.getByTestId('verify-result');
    await expect(result.getByText('Not verified', { exact: true })).toBeVisible();
    await expectInert(page);

    await result.getByRole('link', { name: 'Open this run' }).click();
    await expect(page).toHaveURL(/\/runs\/[a-z0-9]+$/);
    // The identity is shown exactly, as text (the markup visible, not interpreted).
    await expect(page.getByTestId('signer-identity').first()).toHaveText(HOSTILE_IDENTITY);
    await expectInert(page);
    await snap(page, 'hostile-identity-run');

    // Wherever the identity links to (its identity page), it is text there too.
    const link = page.getByTestId('signer-identity').first().getByRole('link');
    await expect(link).toHaveCount(1);
    expect(await link.getAttribute('href')).toMatch(/^\/identities\//); // an internal link, never the identity itself
    await link.click();
    await expect(page).toHaveURL(/\/identities\//);
    await expect(page.getByText(HOSTILE_IDENTITY, { exact: true }).first()).toBeVisible();
    await expectInert(page);
    await snap(page, 'hostile-identity-page');
    await page.goto('/identities');
    await expectInert(page);
    expect(dialogs).toEqual([]);
  });

  test('an error body full of markup is shown as text on the run page', async ({ page }) => {
    page.on('dialog', (d) => {
      throw new Error(`a dialog opened: ${d.message()}`);
    });
    await page.goto('/');
    await page.getByLabel('Image reference').fill(`${registry.host}/evil/missing:1`);
    await page.getByRole('radio', { name: /Anyone/ }).check();
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByTestId('verify-result').or(page.getByRole('alert').filter({ hasText: 'Could not verify' }))).toContainText(HOSTILE_ERROR);
    await expectInert(page);
    await page.goto('/runs');
    const row = page.getByRole('row').filter({ hasText: `${registry.host}/evil/missing:1` }).first();
    await expect(row).toContainText('Error');
    await row.getByRole('link').first().click();
    await expect(page.getByText(HOSTILE_ERROR, { exact: false }).first()).toBeVisible();
    await expectInert(page);
    await snap(page, 'hostile-error-run');
  });
});
