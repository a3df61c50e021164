/**
 * The alerting panels (dashboard-alerts.js) back off while their reads fail, as the series list
 * and the live stream do: 10 s, 20 s … 2 min (plus up to a quarter at random) instead of every
 * 5 s, and never sooner than the server's Retry-After; once reads work again they poll every 5 s.
 * Until 6 Dec 2026 every open tab kept reading five routes every 5 s through an outage. The
 * page's clock is Playwright's fake one, run forward a second at a time, so the real intervals are
 * tested in a few seconds. Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { build } from '../unit/http/support/build.ts';
import { launchChromium, skip } from './chromium.ts';

/** Runs the page's clock forward `seconds`, a second at a time, letting each read's real fetch settle. */
async function runFor(page: Page, seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    await page.clock.runFor(1000);
    await new Promise((r) => setTimeout(r, 40));
  }
}

async function open() {
  const { app, serving } = await build();
  for (let i = 0; i < 10; i++) serving.ingest('AAPL', Date.UTC(2026, 11, 6) + i * 1000, 100 + i);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  const page = await browser.newPage();
  const reads: number[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/v1/incidents') reads.push(Date.now());
  });
  await page.clock.install();
  await page.goto(`${base}/?series=AAPL`);
  await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 15_000 });
  await page.waitForFunction(() => document.getElementById('incident-list')?.textContent === 'incident grouping is off', null, { timeout: 10_000 });
  const close = async () => {
    await browser.close();
    await app.close();
  };
  return { page, reads, close };
}

test('while the panels\' reads fail they back off, and poll every 5 s again once they work', { skip, timeout: 90_000 }, async () => {
  const { page, reads, close } = await open();
  try {
    // The service unreachable for the panels' reads (the live stream already open stays).
    await page.route(/\/v1\/(?!events)/, (r) => r.abort('connectionrefused'));
    reads.length = 0;
    await runFor(page, 60);
    // Every 5 s would be 12 reads; backing off: one due within 5 s, then 10–12.5 s and 20–25 s later.
    assert.ok(reads.length >= 2 && reads.length <= 4, `${reads.length} incident reads in 60 s of failures`);
    assert.match(await page.textContent('#incident-list') ?? '', /^unavailable: service unreachable \(.+\) — retrying in \d+ s$/);

    await page.unroute(/\/v1\/(?!events)/);
    await runFor(page, 125); // the longest wait (2 min plus a quarter) passes: a read works
    await page.waitForFunction(() => document.getElementById('incident-list')?.textContent === 'incident grouping is off', null, { timeout: 5_000 });
    reads.length = 0;
    await runFor(page, 20);
    assert.ok(reads.length >= 3, `every 5 s again once reads work: ${reads.length} in 20 s`);
  } finally {
    await close();
  }
});

test('a busy server\'s Retry-After holds the panels\' next read back', { skip, timeout: 90_000 }, async () => {
  const { page, reads, close } = await open();
  try {
    const busy = { code: 'TC_HTTP_OVERLOADED', message: 'server busy' };
    await page.route(/\/v1\/(?!events)/, (r) => r.fulfill({ status: 503, headers: { 'retry-after': '100' }, contentType: 'application/json', body: JSON.stringify({ error: busy }) }));
    reads.length = 0;
    for (let i = 0; i < 10 && !reads.length; i++) await runFor(page, 1);
    assert.equal(reads.length, 1, 'the first refused read');
    await runFor(page, 90);
    assert.equal(reads.length, 1, `no read before Retry-After (100 s): ${reads.length - 1} more`);
    assert.match(await page.textContent('#incident-list') ?? '', /^unavailable: server busy — retrying in 1[0-2]\d s$/);
    await runFor(page, 40);
    assert.equal(reads.length, 2, 'read again once Retry-After has passed');
  } finally {
    await close();
  }
});
