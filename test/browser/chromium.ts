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
