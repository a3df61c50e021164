import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PlotSeries } from '../../../src/eval/backtest.ts';
import { renderHtml, renderPng } from '../../../src/eval/plot.ts';
import { niceTicks } from '../../../src/eval/plot-layout.ts';
import { decodePng } from './png-decode.ts';

function series(target: string): PlotSeries {
  const n = 96;
  const actual = Array.from({ length: n }, (_, i) => 10 + 5 * Math.sin(i / 6));
  return {
    target,
    timesMs: Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 3_600_000),
    actual,
    p50: actual.map((v) => v + 0.5),
    lower: actual.map((v) => v - 2),
    upper: actual.map((v) => v + 3),
    origins: [0, 48],
  };
}

describe('plots', () => {
  it('nice ticks are 1-2-5 steps inside the range', () => {
    assert.deepEqual(niceTicks(0, 10, 5), [0, 2, 4, 6, 8, 10]);
    assert.deepEqual(niceTicks(-3.2, 7.9, 3), [0, 5]); // raw step 3.7 → 5
  });

  it('PNG: one panel per target, with the p50 line and band in their colours', () => {
    const png = renderPng([series('OT'), series('HUFL')], { title: 'test', subtitle: 'MSE 1' });
    const d = decodePng(png);
    assert.equal(d.width, 1200);
    assert.equal(d.height, 64 + 2 * 300);
    let blue = 0;
    let band = 0;
    for (let i = 0; i < d.rgba.length; i += 4) {
      const [r, g, b] = [d.rgba[i], d.rgba[i + 1], d.rgba[i + 2]];
      if (r === 31 && g === 119 && b === 180) blue++;
      if (b > 200 && r > 150 && r < 220 && g > 190 && g < 230) band++;
    }
    assert.ok(blue > 1000, `p50 pixels: ${blue}`);
    assert.ok(band > 20_000, `band pixels: ${band}`);
    assert.deepEqual(Array.from(d.rgba.subarray(0, 4)), [255, 255, 255, 255]);
  });

  it('HTML: self-contained (no scripts, no external URLs), one SVG per target, names escaped', () => {
    const html = renderHtml([series('a<b'), series('c')], { title: 'backtest' }, { mse: 1 });
    assert.equal(html.match(/<svg /g)?.length, 2);
    assert.ok(!/<script/i.test(html));
    assert.deepEqual(html.match(/https?:\/\/[^"]+/g), ['http://www.w3.org/2000/svg', 'http://www.w3.org/2000/svg']);
    assert.ok(html.includes('a&#60;b'));
    assert.ok(html.includes('&#34;mse&#34;: 1'));
  });
});
