/**
 * A model promotion while the dashboard is open: the pill names the new version, the tick from
 * which the series is forecast by it and the version before, so an operator can line the change
 * up with the alerts that followed (until 6 Dec 2026 the version changed in place, with no trace
 * of when or from what); it also says since when the service's version serves (GET /v1/model's
 * servingSinceMs, read again at the change). Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from '../unit/http/support/build.ts';
import { launchChromium, skip } from './chromium.ts';

test('a promotion seen on the series: the pill says since when and what was served before', { skip, timeout: 60_000 }, async () => {
  const { app, serving } = await build();
  const t0 = Date.UTC(2026, 11, 6);
  for (let i = 0; i < 20; i++) serving.ingest('AAPL', t0 + i * 1000, 100 + i);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    await page.goto(`${base}/?series=AAPL`);
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 15_000 });
    serving.ingest('AAPL', t0 + 20_000, 120);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) === 21, null, { timeout: 10_000 });
    assert.equal(await page.textContent('#model-change'), '', 'no change seen yet');
    // GET /v1/model's servingSinceMs: when the service's version began serving (until 6 Dec 2026 only a metric said).
    assert.equal(await page.textContent('#model-since'), ' · trend-v2 serving since 2026-12-06 09:00:00 UTC');

    serving.version = 'trend-v3'; // promoted
    serving.servingSinceMs = Date.UTC(2026, 11, 6, 12, 30, 5);
    serving.ingest('AAPL', t0 + 21_000, 121);
    await page.waitForFunction(() => document.getElementById('model-version')?.textContent === 'trend-v3', null, { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await page.textContent('#model-change'), ` · trend-v3 since ${new Date(t0 + 21_000).toISOString()}, was trend-v2`);
    await page.waitForFunction(() => document.getElementById('model-since')?.dataset.ms === String(Date.UTC(2026, 11, 6, 12, 30, 5)), null, { timeout: 5_000 });
    assert.equal(await page.textContent('#model-since'), ' · trend-v3 serving since 2026-12-06 12:30:05 UTC', 'read again at the change');
    serving.ingest('AAPL', t0 + 22_000, 122);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) === 23, null, { timeout: 10_000 });
    assert.match(await page.textContent('#model-change') ?? '', /since .*:21\.000Z, was trend-v2$/, 'the change keeps its tick');
  } finally {
    await browser.close();
    await app.close();
  }
});
