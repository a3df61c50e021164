/**
 * A dashboard left open in a background tab reads nothing: neither the alerting panels (five reads
 * every 5 s, until 6 Dec 2026 also while hidden) nor the series list; shown again, both read at
 * once. The tab is hidden by overriding document.hidden/visibilityState and firing
 * visibilitychange, as the browser does. Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from '../unit/http/support/build.ts';
import { launchChromium, setHidden, skip } from './chromium.ts';

test('a hidden tab polls nothing; shown again it reads at once', { skip, timeout: 60_000 }, async () => {
  const { app, serving } = await build();
  for (let i = 0; i < 10; i++) serving.ingest('AAPL', Date.UTC(2026, 11, 6) + i * 1000, 100 + i);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const reads: string[] = [];
    const after = (): string[] => reads;
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (path !== '/v1/events' && path.startsWith('/v1/')) reads.push(path);
    });
    await page.addInitScript(() => Object.assign(window, { tickcastSeriesList: { everyMs: 300 } }));
    await page.goto(`${base}/?series=AAPL`);
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 15_000 });
    await setHidden(page, true);
    await new Promise((r) => setTimeout(r, 500)); // a read already in flight ends
    reads.length = 0;
    await new Promise((r) => setTimeout(r, 6000)); // past one panel poll and many list re-reads
    assert.deepEqual([...reads], [], 'nothing read while hidden');
    await setHidden(page, false);
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(after().includes('/v1/incidents'), `the panels read at once: ${reads.join(' ')}`);
    assert.ok(after().includes('/v1/series'), `the list reads at once: ${reads.join(' ')}`);
  } finally {
    await browser.close();
    await app.close();
  }
});
