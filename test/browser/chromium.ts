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
