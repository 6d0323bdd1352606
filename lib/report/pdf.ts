/**
 * HTML → PDF through Chromium's print engine (Playwright, Debian's /usr/bin/chromium, headless,
 * background networking off). Every request the page makes is refused: the HTML is
 * self-contained and fonts are the system's, so nothing is fetched.
 */
import 'server-only';
// Static import: this module is itself loaded on demand (generate.ts), and a dynamic import of a
// CommonJS package from a tsx-compiled module fails to resolve under `node --import tsx`.
import { chromium } from 'playwright-core';
import { SigscopeError } from '../errors';

export const CHROMIUM_PATH = process.env.SIGSCOPE_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu', '--disable-dev-shm-usage'];

export async function renderPdf(html: string): Promise<Buffer> {
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS });
  } catch (e) {
    throw new SigscopeError('INVALID_INPUT', `The PDF format needs Chromium at ${CHROMIUM_PATH} (apt-get install chromium): ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', landscape: true, printBackground: true, margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' } });
  } finally {
    await browser.close();
  }
}
