/**
 * The dashboard on the real app (real model, real pipeline, real detector) in Debian's chromium:
 * ticks go through StreamPipeline, the page draws the series and its forecast, and a spike
 * injected through the pipeline appears as an anomaly marker via SSE; a reading the feed missed,
 * filled into the window (windows.fillMissed), is not drawn as an actual reading. Saves
 * artifacts/dashboard-app.png. Skips with a message when /usr/bin/chromium is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import type { TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';
import { launchChromium, skip } from './chromium.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

test('real app: dashboard draws the series and marks a spike scored by the pipeline', { skip, timeout: 120_000 }, async () => {
  const app = await startTestApp({ http: { allowUnauthenticatedMutations: true } }, { source: idleSource });
  const t0 = Date.UTC(2026, 0, 1);
  let offset = 0;
  const tick = (k: number, v: number): RawRecord => ({
    key: Buffer.from('plant-7'),
    value: Buffer.from(JSON.stringify({ series: 'plant-7', ts: t0 + k * 60_000, value: v })),
    headers: {},
    source: { topic: 'ticks', partition: 0, offset: String(offset++) },
    receivedAtMs: Date.now(),
  });
  const normal = (k: number) => 20 + 3 * Math.sin((2 * Math.PI * k) / 48) + Math.sin(k * 12.9898) * 0.2;
  const LOST = 595; // a reading the feed missed, inside the window the page loads
  for (let k = 0; k < 600; k += 100) await app.pipeline.handle(Array.from({ length: 100 }, (_, i) => tick(k + i, normal(k + i))).filter((_, i) => k + i !== LOST));
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${app.address()}/?series=plant-7`);
    await page.waitForFunction((n) => Number(document.getElementById('chart')?.dataset.points) >= n, TEST_WINDOW - 1, { timeout: 20_000 });
    const held = await page.evaluate(async (ts) => {
      const d = (await (await fetch('/v1/series/plant-7')).json()) as { window: { ts: number[]; filled: number[] } };
      const state = (window as unknown as { tickcastDashboard: { actual: Map<number, number> } }).tickcastDashboard;
      return { filledTs: d.window.filled.map((i) => d.window.ts[i]), drawn: state.actual.has(ts), points: Number(document.getElementById('chart')!.dataset.points) };
    }, t0 + LOST * 60_000);
    assert.deepEqual(held, { filledTs: [t0 + LOST * 60_000], drawn: false, points: TEST_WINDOW - 1 }, 'the filled reading is in the window, not drawn as an actual one');
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 10_000 });
    const version = await page.locator('#model-version').textContent();
    // What the series is served: the model's forecast, or a baseline fusion chose over it (docs/schemas.md § Fusion).
    const served = app.serving.getSeries('plant-7')!.lastForecast!.model;
    const model = app.serving.modelInfo().version;
    assert.equal(version, served.startsWith('baseline:') ? `${served} (did better than ${model} on this series lately)` : model, 'shows what is served, and the model version');
    assert.ok(Number(await page.evaluate(() => document.getElementById('chart')!.dataset.forecastPoints)) > 0, 'forecast drawn');
    // Live ticks, then the spike, through the real pipeline.
    for (let k = 600; k < 620; k++) await app.pipeline.handle([tick(k, normal(k))]);
    await app.pipeline.handle([tick(620, 60)]);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.anomalies) >= 1, null, { timeout: 15_000 });
    const items = await page.locator('#anomaly-list li').allTextContents();
    assert.ok(items.some((t) => /value 60\.000/.test(t)), `anomaly listed: ${JSON.stringify(items)}`);
    // Alerting panels (dashboard-alerts.js): band quality shown, feedback from a button, incidents listed.
    await page.waitForFunction(() => document.getElementById('band-quality')?.dataset.coverage !== '', null, { timeout: 15_000 });
    await page.locator('#feedback-list li button[data-verdict="false_positive"]').first().click();
    await page.waitForFunction(() => document.getElementById('feedback-status')?.dataset.ok === 'true', null, { timeout: 10_000 });
    await page.waitForFunction(() => Number(document.getElementById('feedback-state')?.dataset.bar) > 0.4, null, { timeout: 10_000 });
    assert.equal(app.serving.feedback?.list({ limit: 5 })[0]?.verdict, 'false_positive', 'the click reached the service');
    assert.equal(await page.locator('#incident-list').getAttribute('data-count'), '0');
    mkdirSync(new URL('../../artifacts/', import.meta.url), { recursive: true });
    await page.screenshot({ path: new URL('../../artifacts/dashboard-app.png', import.meta.url).pathname, fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.stop();
  }
});
