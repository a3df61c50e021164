/** Debian's Chromium for the dashboard's browser tests (the test command installs it when missing and run as root). */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';
/** node:test's `skip` option: a reason when Chromium is missing, else false. */
export const skip: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the browser test`;

/** A headless Chromium as every dashboard test runs it. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** Runs a page's fake clock (page.clock.install()) forward `seconds`, a second at a time, letting each read's real fetch settle. */
export async function runFor(page: import('playwright-core').Page, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    await page.clock.runFor(1000);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/**
 * Makes the page's tab hidden or shown, as a browser does when the user switches tabs: sets
 * `document.hidden` and `visibilityState` and fires `visibilitychange`.
 */
export async function setHidden(page: import('playwright-core').Page, hidden: boolean): Promise<void> {
  // A string, not a function: tsx names nested arrows with a helper the page does not have.
  await page.evaluate(`
    Object.defineProperty(document, 'hidden', { configurable: true, get() { return ${hidden}; } });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get() { return '${hidden ? 'hidden' : 'visible'}'; } });
    document.dispatchEvent(new Event('visibilitychange'));
  `);
}

/** A new page on the dashboard at `url`, collecting its page errors, once its live stream is open. */
export async function openLiveDashboard(browser: import('playwright-core').Browser, url: string): Promise<{ page: import('playwright-core').Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 15_000 });
  return { page, errors };
}
