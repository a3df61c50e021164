/**
 * What an operator reads off the dashboard during an incident on a multivariate series: both
 * features' alerts on one tick are listed (until 6 Dec 2026 records were keyed by tick, so the
 * second was dropped on load), each entry says FIRING or RESOLVED — and why, when a restart reset
 * the detector — and only firing records are drawn as red markers (a resolve was drawn as one
 * more anomaly); the legend names the feature drawn. The feedback panel names each alert's feature and says when it has resolved; a
 * verdict that cannot reach the server (the service restarting) says so instead of failing
 * silently. Skips like dashboard.test.ts without chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnomalyRecord, SeriesDetail } from '../../src/pipeline/ports.ts';
import { build } from '../unit/http/support/build.ts';
import { TrendServing } from '../unit/http/support/trend-serving.ts';
import { launchChromium, skip } from './chromium.ts';

const t0 = Date.UTC(2026, 11, 6);

/** A two-feature series (price, the target, and volume), as a multivariate model's window holds it. */
class TwoFeatures extends TrendServing {
  override getSeries(id: string): SeriesDetail | null {
    const d = super.getSeries(id);
    return d && { ...d, window: { ...d.window, values: { ...d.window.values, volume: d.window.ts.map(() => 1000) } } };
  }
}
const alert = (feature: string, i: number, state: 'firing' | 'resolved', extra: Partial<AnomalyRecord> = {}): AnomalyRecord => ({
  kind: 'alert', id: `a-${feature}-${i}-${state}`, series: 'FX', feature, ts: t0 + i * 1000, value: 150, expected: 100, lower: 98, upper: 102,
  score: 9, severity: 'critical', state, model: 'trend-v2', ...extra,
});

test('per-feature alerts on one tick, firing vs resolved (and why), markers for firing only, feedback rows by feature', { skip, timeout: 60_000 }, async () => {
  const { app, serving } = await build({}, new TwoFeatures());
  for (let i = 0; i < 30; i++) serving.ingest('FX', t0 + i * 1000, 100);
  serving.raise(alert('price', 20, 'firing'));
  serving.raise(alert('volume', 20, 'firing'));
  serving.raise(alert('volume', 25, 'resolved', { reason: 'reset' }));
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/?series=FX`);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) === 30, null, { timeout: 15_000 });
    await page.waitForFunction(() => document.getElementById('conn')?.dataset.state === 'open', null, { timeout: 10_000 });
    const listed = () => page.locator('#anomaly-list li').allTextContents();
    let items = await listed();
    assert.equal(items.length, 3, `both features' alerts on one tick, and the resolve: ${JSON.stringify(items)}`);
    assert.match(items[0], /RESOLVED \(detector reset by a restart\) {2}\[volume\]/);
    assert.ok(items.some((t) => /FIRING {2}\[price\]/.test(t)) && items.some((t) => /FIRING {2}\[volume\]/.test(t)), JSON.stringify(items));
    assert.equal(await page.textContent('#chart-feature'), ' (price of 2 features)', 'the legend names the feature drawn');
    const markers = () => page.evaluate(() => Number(document.getElementById('chart')?.dataset.anomalies));
    assert.equal(await markers(), 1, 'one tick fired; the resolve is no marker');

    serving.raise(alert('price', 28, 'resolved')); // live
    await page.waitForFunction(() => document.querySelectorAll('#anomaly-list li').length === 4, null, { timeout: 10_000 });
    items = await listed();
    assert.match(items[0], /^\S+ {2}RESOLVED {2}\[price\]/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await markers(), 1, 'a live resolve is no marker either');

    // Feedback panel (polled every 5 s): rows name their feature and say they resolved.
    await page.waitForFunction(() => document.querySelectorAll('#feedback-list li').length === 2 &&
      Array.from(document.querySelectorAll('#feedback-list li')).every((li) => (li as HTMLElement).dataset.state === 'resolved'), null, { timeout: 15_000 });
    const rows = await page.locator('#feedback-list li').allTextContents();
    assert.ok(rows.some((t) => t.includes('[price]')) && rows.some((t) => t.includes('[volume]')), JSON.stringify(rows));

    // A verdict that cannot reach the server says so.
    await page.route('**/feedback', (r) => r.abort('connectionrefused'));
    await page.locator('#feedback-list li button[data-verdict="confirmed"]').first().click();
    await page.waitForFunction(() => document.getElementById('feedback-status')?.dataset.ok === 'false', null, { timeout: 5000 });
    assert.match(await page.textContent('#feedback-status') ?? '', /^confirmed not recorded: .* try again$/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await app.close();
  }
});
