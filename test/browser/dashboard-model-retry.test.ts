/**
 * The model pill (engine, backend, version) when the page's first GET /v1/model fails — the
 * service restarting, or busy past the read's own Retry-After retries: the page reads it again,
 * backing off as the alerting panels do (10 s, 20 s … 2 min, plus up to a quarter at random), and
 * says meanwhile that it is retrying. Until 6 Dec 2026 the pill stayed without engine until the
 * next reconnect of the live stream — never, while the stream stayed open. The page's clock is
 * Playwright's fake one, run forward a second at a time. Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from '../unit/http/support/build.ts';
import { launchChromium, runFor, skip } from './chromium.ts';

test('a failed first model read is read again, backing off, until it works', { skip, timeout: 120_000 }, async () => {
  const { app, serving } = await build();
  for (let i = 0; i < 10; i++) serving.ingest('AAPL', Date.UTC(2026, 11, 6) + i * 1000, 100 + i);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    let reads = 0;
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/v1/model') reads++;
    });
    await page.clock.install();
    await page.route('**/v1/model', (r) => r.abort('connectionrefused'));
    await page.goto(`${base}/?series=AAPL`);
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 15_000 });
    assert.equal(await page.textContent('#model-engine'), '(not read yet: retrying)');
    await runFor(page, 60);
    // The first read, then 10–12.5 s and 20–25 s later; the next is due 40–50 s after that.
    assert.equal(reads, 3, `model reads in the first 60 s of failures: ${reads}`);

    await page.unroute('**/v1/model');
    await runFor(page, 65); // past the next retry (at most 87.5 s after the first read)
    await page.waitForFunction(() => document.getElementById('model-engine')?.textContent === '(trend/js)', null, { timeout: 5_000 });
    assert.equal(await page.textContent('#model-version'), 'trend-v2');
    const after = reads;
    await runFor(page, 130);
    assert.equal(reads, after, 'no more reads once one worked (the stream stayed open)');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.close();
  }
});
