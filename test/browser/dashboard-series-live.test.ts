/**
 * The series picker stays live (dashboard-series.js): a series that appears after the page opened
 * is listed, an evicted one leaves, a firing one gains its ⚠, and the series on show stays
 * selected (marked "not tracked now") when it is evicted. A page opened before any series existed
 * opens the first one to appear. Until 6 Dec 2026 the list was read once, at load. The test sets
 * the re-read interval to 300 ms (window.tickcastSeriesList.everyMs) instead of 15 s. Skips like
 * dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { build } from '../unit/http/support/build.ts';
import { launchChromium, skip } from './chromium.ts';

const options = (page: Page) => page.evaluate(() => Array.from(document.querySelectorAll<HTMLOptionElement>('#series option'), (o) => o.textContent));
async function until(page: Page, want: (o: (string | null)[]) => boolean, what: string) {
  const end = Date.now() + 8000;
  let last: (string | null)[] = [];
  while (Date.now() < end) {
    last = await options(page);
    if (want(last)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: options ${JSON.stringify(last)}`);
}

test('the series list follows series that appear, fire and are evicted while the page is open', { skip, timeout: 60_000 }, async () => {
  const { app, serving } = await build();
  const t0 = Date.UTC(2026, 11, 6);
  for (let i = 0; i < 30; i++) serving.ingest('AAPL', t0 + i * 1000, 100 + 0.01 * i);
  serving.ingest('MSFT', t0, 300);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const reads: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/v1/series?')) reads.push(r.url());
    });
    await page.addInitScript(() => Object.assign(window, { tickcastSeriesList: { everyMs: 300 } }));
    await page.goto(`${base}/?series=AAPL`);
    await until(page, (o) => o.join() === 'AAPL,MSFT', 'listed at load');

    serving.ingest('NVDA', t0, 500);
    await until(page, (o) => o.join() === 'AAPL,MSFT,NVDA', 'a new series is listed');
    serving.evict('MSFT');
    await until(page, (o) => o.join() === 'AAPL,NVDA', 'an evicted series leaves');
    serving.ingest('AAPL', t0 + 30_000, 180); // far outside the band: fires
    await until(page, (o) => o[0] === 'AAPL ⚠', 'a firing series is marked');
    serving.evict('AAPL');
    await until(page, (o) => o.join() === 'NVDA,AAPL (not tracked now)', 'the series on show stays, marked');
    assert.equal(await page.evaluate(() => (document.getElementById('series') as HTMLSelectElement).value), 'AAPL', 'still selected');
    assert.ok(reads.every((u) => u.includes('limit=1000')), 'one bounded page per read');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.close();
  }
});

test('a page opened before any series existed opens the first one to appear', { skip, timeout: 60_000 }, async () => {
  const { app, serving } = await build();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.addInitScript(() => Object.assign(window, { tickcastSeriesList: { everyMs: 300 } }));
    await page.goto(`${base}/`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent?.startsWith('no series yet'), null, { timeout: 10_000 });
    const t0 = Date.UTC(2026, 11, 6);
    for (let i = 0; i < 5; i++) serving.ingest('EURUSD', t0 + i * 1000, 1.1);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) === 5, null, { timeout: 10_000 });
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 10_000 });
    assert.equal(await page.evaluate(() => location.search), '?series=EURUSD', 'the address names it');
    assert.equal(await page.evaluate(() => document.getElementById('status')?.textContent), '', 'the "no series yet" note is gone');
  } finally {
    await browser.close();
    await app.close();
  }
});

test('a page whose first read of the list failed opens the series its address names once the list is read', { skip, timeout: 60_000 }, async () => {
  const { app, serving } = await build();
  const t0 = Date.UTC(2026, 11, 6);
  for (let i = 0; i < 5; i++) serving.ingest('AAPL', t0 + i * 1000, 100);
  for (let i = 0; i < 7; i++) serving.ingest('MSFT', t0 + i * 1000, 300);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.addInitScript(() => Object.assign(window, { tickcastSeriesList: { everyMs: 300 } }));
    let refused = 0;
    await page.route(/\/v1\/series\?/, (r) => (refused++ === 0 ? r.abort('connectionrefused') : r.continue()));
    await page.goto(`${base}/?series=MSFT`);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) > 0, null, { timeout: 10_000 });
    assert.ok(refused >= 2, 'the first read failed, a later one worked');
    assert.equal(await page.evaluate(() => (document.getElementById('series') as HTMLSelectElement).value), 'MSFT');
    assert.equal(await page.evaluate(() => Number(document.getElementById('chart')?.dataset.points)), 7, 'MSFT drawn, not the first series');
    assert.equal(await page.evaluate(() => location.search), '?series=MSFT');
  } finally {
    await browser.close();
    await app.close();
  }
});
