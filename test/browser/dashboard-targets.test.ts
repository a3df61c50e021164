/**
 * A multi-target series on the dashboard: the SRE picks the feature the chart draws (#feature,
 * shown on a multivariate series only; targets first, a feature that is no target marked "no
 * forecast"), and the chart draws that feature's readings — from the window and from the live tick
 * events' `values` — with its own forecast band (`targets` of the forecast) and only its own
 * alerts as markers; the pick is kept in the address. One feature at a time, as the features of
 * such a series have their own units (a price and a volume on one axis flatten the price).
 * Until 6 Dec 2026 only the model's first target was drawn. Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ForecastStep } from '../../src/domain/types.ts';
import type { AnomalyRecord, LiveEvent, ModelInfo, SeriesDetail } from '../../src/pipeline/ports.ts';
import { build } from '../unit/http/support/build.ts';
import { TrendServing } from '../unit/http/support/trend-serving.ts';
import { launchChromium, skip } from './chromium.ts';

const t0 = Date.UTC(2026, 11, 6);
const volume = (price: number) => 1000 + 10 * price;
const volumeSteps = (steps: ForecastStep[]) => steps.map((s) => ({ ...s, p10: volume(s.p10), p50: volume(s.p50), p90: volume(s.p90) }));

/** A model with two targets (price; volume = 1000 + 10 × price) and a third feature (spread), as a multi-target pipeline serves it. */
class TwoTargets extends TrendServing {
  override modelInfo(): ModelInfo {
    const m = super.modelInfo();
    return { ...m, spec: { ...m.spec, features: ['price', 'volume', 'spread'], targets: ['price', 'volume'] } };
  }
  override getSeries(id: string): SeriesDetail | null {
    const d = super.getSeries(id);
    if (d === null) return null;
    const price = d.window.values.price;
    const lastForecast = d.lastForecast && { ...d.lastForecast, targets: { price: d.lastForecast.horizon, volume: volumeSteps(d.lastForecast.horizon) } };
    return { ...d, window: { ...d.window, values: { price, volume: price.map(volume), spread: price.map(() => 0.5) } }, lastForecast };
  }
  override subscribe(listener: (e: LiveEvent) => void): () => void {
    return super.subscribe((e) => listener(
      e.type === 'tick' ? { ...e, values: { price: e.value, volume: volume(e.value), spread: 0.5 } }
        : e.type === 'forecast' ? { ...e, targets: { price: e.horizon, volume: volumeSteps(e.horizon) } } : e,
    ));
  }
}
const alert = (feature: string, i: number): AnomalyRecord => ({
  kind: 'alert', id: `a-${feature}-${i}`, series: 'FX', feature, ts: t0 + i * 1000, value: 1, expected: 1, lower: 0, upper: 2,
  score: 9, severity: 'critical', state: 'firing', model: 'trend-v2',
});

test('a multi-target series: the feature picked is drawn with its own band, live ticks and markers, and kept in the address', { skip, timeout: 60_000 }, async () => {
  const { app, serving } = await build({}, new TwoTargets());
  for (let i = 0; i < 30; i++) serving.ingest('FX', t0 + i * 1000, 100 + (i % 3));
  serving.raise(alert('volume', 20));
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/?series=FX`);
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 15_000 });
    // What is drawn: the feature, its readings and forecast (max over the plotted values), the markers.
    const drawn = () => page.evaluate(`(() => {
      const s = window.tickcastDashboard, el = document.getElementById('chart');
      return { feature: el.dataset.feature, points: Number(el.dataset.points), markers: Number(el.dataset.anomalies),
        actualMax: Math.max(...s.actual.values()), futureP50: s.future.length ? s.future[0].p50 : null };
    })()`) as Promise<{ feature: string; points: number; markers: number; actualMax: number; futureP50: number | null }>;
    assert.equal(await page.isVisible('#feature'), true, 'the picker shows on a multivariate series');
    assert.deepEqual(await page.locator('#feature option').allTextContents(), ['price', 'volume', 'spread (no forecast)']);
    let d = await drawn();
    assert.deepEqual({ ...d, futureP50: d.futureP50 !== null && d.futureP50 < 200 }, { feature: 'price', points: 30, markers: 0, actualMax: 102, futureP50: true }, 'the first target by default; the volume alert is no marker on price');

    await page.selectOption('#feature', 'volume');
    await page.waitForFunction(() => document.getElementById('chart')?.dataset.feature === 'volume', null, { timeout: 10_000 });
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 10_000 });
    d = await drawn();
    assert.deepEqual({ ...d, futureP50: d.futureP50 !== null && d.futureP50 > 1000 }, { feature: 'volume', points: 30, markers: 1, actualMax: 2020, futureP50: true }, 'volume: its readings, its band, its alert');
    assert.match(await page.evaluate(() => location.search), /^\?series=FX&feature=volume$/);
    serving.ingest('FX', t0 + 30_000, 105); // live: the tick event's values
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) === 31, null, { timeout: 10_000 });
    assert.equal((await drawn()).actualMax, 2050, 'the live tick drawn is the volume reading');

    await page.selectOption('#feature', 'spread');
    await page.waitForFunction(() => document.getElementById('chart')?.dataset.feature === 'spread', null, { timeout: 10_000 });
    await page.waitForFunction(() => document.getElementById('chart')?.dataset.forecastPoints === '0', null, { timeout: 10_000 });
    d = await drawn();
    assert.deepEqual(d, { feature: 'spread', points: 31, markers: 0, actualMax: 0.5, futureP50: null }, 'a feature that is no target: readings, no forecast');

    await page.reload();
    await page.waitForFunction(() => document.getElementById('chart')?.dataset.feature === 'spread', null, { timeout: 15_000 });
    assert.equal(await page.inputValue('#feature'), 'spread', 'a reload draws the feature the address names');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.close();
  }
});
