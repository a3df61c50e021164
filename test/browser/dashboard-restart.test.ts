/**
 * The service restarts under an open dashboard, and comes back on another backend (a GPU pod
 * rescheduled where only the CPU backend loads) with a newer model: the page reconnects by itself,
 * draws the ticks of the new instance, and its model pill names the new engine/backend and version.
 * Until 6 Dec 2026 /v1/model was read once, at load, so the pill kept the old backend until a reload.
 * And when the new instance does not know the series yet (no snapshot), the page reads it again at
 * its first live tick: until then the page kept saying "not tracked" while the ticks streamed in.
 * Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelInfo } from '../../src/pipeline/ports.ts';
import { build } from '../unit/http/support/build.ts';
import { TrendServing } from '../unit/http/support/trend-serving.ts';
import { launchChromium, openLiveDashboard, skip } from './chromium.ts';

class WasmServing extends TrendServing {
  override version = 'trend-v3';
  override modelInfo(): ModelInfo {
    return { ...super.modelInfo(), backend: 'wasm' };
  }
}

test('after a restart the page reconnects, draws the new instance\'s ticks and names its model and backend', { skip, timeout: 60_000 }, async () => {
  const first = await build();
  const t0 = Date.UTC(2026, 11, 6);
  for (let i = 0; i < 20; i++) first.serving.ingest('AAPL', t0 + i * 1000, 100 + i);
  const base = await first.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  let second: Awaited<ReturnType<typeof build>> | undefined;
  try {
    const { page, errors } = await openLiveDashboard(browser, `${base}/?series=AAPL`);
    assert.equal(await page.textContent('#model-engine'), '(trend/js)');

    await first.app.close(); // the restart: streams end, the port is free
    second = await build({}, new WasmServing());
    for (let i = 0; i < 25; i++) second.serving.ingest('AAPL', t0 + i * 1000, 100 + i); // replayed, plus 5 new
    await second.app.listen({ host: '127.0.0.1', port: Number(new URL(base).port) });
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) === 25, null, { timeout: 20_000 });
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 10_000 });
    assert.equal(await page.textContent('#model-engine'), '(trend/wasm)', 'the new backend is named');
    assert.equal(await page.textContent('#model-version'), 'trend-v3');
    assert.equal(await page.textContent('#status'), '', 'no error left over from the outage');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await first.app.close();
    await second?.app.close();
  }
});

test('after a restart that does not know the series yet, its first ticks read it again: the "not tracked" note goes', { skip, timeout: 60_000 }, async () => {
  const first = await build();
  const t0 = Date.UTC(2026, 11, 6);
  for (let i = 0; i < 20; i++) first.serving.ingest('AAPL', t0 + i * 1000, 100 + i);
  const base = await first.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  let second: Awaited<ReturnType<typeof build>> | undefined;
  try {
    const { page, errors } = await openLiveDashboard(browser, `${base}/?series=AAPL`);

    await first.app.close();
    second = await build(); // no snapshot: the new instance learns AAPL from its next ticks
    await second.app.listen({ host: '127.0.0.1', port: Number(new URL(base).port) });
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 20_000 });
    assert.match(await page.textContent('#status') ?? '', /not tracked/);
    for (let i = 20; i < 26; i++) {
      second.serving.ingest('AAPL', t0 + i * 1000, 100 + i);
      await new Promise((r) => setTimeout(r, 500));
    }
    await page.waitForFunction(() => document.getElementById('status')?.textContent === '', null, { timeout: 10_000 }).catch(() => undefined);
    assert.equal(await page.textContent('#status'), '', 'the "not tracked" note goes once the series is back');
    assert.equal(await page.evaluate(() => Number(document.getElementById('chart')?.dataset.points)), 26);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await first.app.close();
    await second?.app.close();
  }
});
