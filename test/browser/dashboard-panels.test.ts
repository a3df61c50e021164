/**
 * The dashboard's alerting panels when their reads fail for a reason other than "off": with
 * reads requiring a key and none entered, the panels say the data is unavailable and why (before
 * 6 Dec 2026 any failed read showed as "incident grouping is off" / "snapshots off", sending an
 * operator to the config instead of the key field); with the key, a part that is off on this
 * instance (404) still says "off". Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, KEY } from '../unit/http/support/build.ts';
import { launchChromium, skip } from './chromium.ts';


test('alerting panels tell a failed read (no key) from a part that is off', { skip, timeout: 60_000 }, async () => {
  const { app, serving } = await build({ apiKeys: [KEY], requireAuthForReads: true });
  for (let i = 0; i < 20; i++) serving.ingest('AAPL', Date.UTC(2026, 11, 6) + i * 1000, 100 + i);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/?series=AAPL`);
    const text = (sel: string) => page.textContent(sel).then((t) => t ?? '');
    await page.waitForFunction(() => (document.getElementById('snapshot-state')?.textContent ?? '') !== '', null, { timeout: 15_000 });
    for (const sel of ['#snapshot-state', '#incident-list', '#band-quality']) {
      const t = await text(sel);
      assert.match(t, /^unavailable: .*API key/i, `${sel}: ${t}`);
      assert.doesNotMatch(t, /\boff\b/, sel);
    }

    await page.fill('#api-key', KEY);
    await page.dispatchEvent('#api-key', 'change');
    await page.waitForFunction(() => /snapshots off/.test(document.getElementById('snapshot-state')?.textContent ?? ''), null, { timeout: 15_000 });
    assert.match(await text('#incident-list'), /incident grouping is off/);
    assert.doesNotMatch(await text('#band-quality'), /unavailable/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.close();
  }
});
