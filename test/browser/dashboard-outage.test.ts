/**
 * The service goes away under an open dashboard: the status line says what that means for the
 * user — "service unreachable, retrying in N s", counting down to the live stream's next try —
 * and the panels say the same, instead of the browser's bare "Failed to fetch" (until 6 Dec 2026).
 * Once the service is back the note goes. Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from '../unit/http/support/build.ts';
import { launchChromium, openLiveDashboard, skip } from './chromium.ts';

test('during an outage the status line says the service is unreachable and when the page retries', { skip, timeout: 60_000 }, async () => {
  const first = await build();
  const t0 = Date.UTC(2026, 11, 6);
  for (let i = 0; i < 20; i++) first.serving.ingest('AAPL', t0 + i * 1000, 100 + i);
  const base = await first.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  let second: Awaited<ReturnType<typeof build>> | undefined;
  try {
    const { page, errors } = await openLiveDashboard(browser, `${base}/?series=AAPL`);

    await first.app.close(); // the outage: the stream ends, nothing answers on the port
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'error', null, { timeout: 15_000 });
    const status = await page.textContent('#status');
    assert.match(status ?? '', /^service unreachable, retrying in \d+ s$/, `status: ${status}`);
    await page.waitForFunction(() => /^unavailable: service unreachable/.test(document.getElementById('incident-list')?.textContent ?? ''), null, { timeout: 10_000 });

    second = await build();
    for (let i = 0; i < 20; i++) second.serving.ingest('AAPL', t0 + i * 1000, 100 + i);
    await second.app.listen({ host: '127.0.0.1', port: Number(new URL(base).port) });
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 30_000 });
    assert.equal(await page.textContent('#status'), '', 'the note goes once the service is back');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await first.app.close();
    await second?.app.close();
  }
});
