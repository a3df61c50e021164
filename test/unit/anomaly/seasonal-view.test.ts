import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AnomalyDetector, DEFAULT_ANOMALY_CONFIG } from '../../../src/domain/anomaly/index.ts';
import { SeasonalView, type SeasonalParams } from '../../../src/domain/anomaly/seasonal-view.ts';
import { mulberry32 } from '../../../src/eval/nab/index.ts';

const c = DEFAULT_ANOMALY_CONFIG;
const PARAMS: SeasonalParams = {
  maxPeriod: c.seasonalMaxPeriod, minPeriod: c.seasonalMinPeriod, acfWindow: c.seasonalAcfWindow, detectEvery: c.seasonalDetectEvery,
  minAcf: c.seasonalMinAcf, cycles: c.seasonalCycles, levelTicks: c.seasonalLevelTicks, errAlpha: c.errorAlpha, floor: c.seasonalFloor, scale: c.seasonalScale,
};

function gauss(seed: number): () => number {
  const r = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** Half-hour ticks: weekdays have a morning and an evening peak, weekends a low midday hump. */
function weekly(days: number, seed: number, holiday = -1): number[] {
  const g = gauss(seed);
  const xs: number[] = [];
  for (let d = 0; d < days; d++) {
    const weekend = d % 7 >= 5 || d === holiday;
    for (let h = 0; h < 48; h++) {
      const t = h / 2;
      const shape = weekend ? 10 * Math.exp(-(((t - 13) / 4) ** 2)) : 25 * Math.exp(-(((t - 8.5) / 1.5) ** 2)) + 20 * Math.exp(-(((t - 18) / 2) ** 2));
      xs.push(100 + shape + g());
    }
  }
  return xs;
}

function feed(xs: readonly number[]): { view: SeasonalView; raw: number[] } {
  const view = new SeasonalView(PARAMS);
  return { view, raw: xs.map((v) => view.update(v)) };
}

test('finds the period: a noisy daily cycle at 5-minute steps (288), a week at half-hour steps (336)', () => {
  const g = gauss(3);
  const daily = Array.from({ length: 3000 }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 3 * g());
  assert.equal(feed(daily).view.period, 288);
  assert.equal(feed(weekly(28, 4)).view.period, 336);
});

test('no period in white noise or a random walk: the view stays silent (−1)', () => {
  const g = gauss(5);
  const noise = Array.from({ length: 4000 }, () => g());
  let x = 0;
  const walk = Array.from({ length: 4000 }, () => (x += g()));
  for (const xs of [noise, walk]) {
    const { view, raw } = feed(xs);
    assert.equal(view.period, 0);
    assert.ok(raw.every((r) => r === -1));
  }
});

test('a holiday in a weekly series: the seasonal view fires inside it, the detector without it does not', () => {
  const holiday = 23; // a Wednesday in the fourth week
  const xs = weekly(28, 6, holiday);
  const { raw } = feed(xs);
  const inside = raw.slice(holiday * 48, holiday * 48 + 48);
  const before = raw.slice(17 * 48, holiday * 48);
  assert.ok(Math.max(...inside) > 0.9, `inside the holiday ${Math.max(...inside)}`);
  assert.ok(Math.max(...before) < 0.5, `ordinary days before it ${Math.max(...before)}`);
  const score = (cfg: object): number => {
    const det = new AnomalyDetector(cfg);
    const s = xs.map((v, i) => det.observe('taxi', i * 1_800_000, v, null).score);
    return Math.max(...s.slice(holiday * 48, holiday * 48 + 48));
  };
  const on = score({});
  const off = score({ seasonalView: false });
  assert.ok(on >= c.warningThreshold && off < c.warningThreshold, `with the view ${on}, without ${off}`);
});

test('causal and invariant to units: raw scores up to t ignore later ticks; x, 1e-3·x + 5e3 and −x score the same', () => {
  const xs = weekly(28, 8);
  const base = feed(xs).raw;
  const later = xs.slice();
  for (let i = 900; i < later.length; i++) later[i] += 50;
  assert.deepEqual(feed(later).raw.slice(0, 900), base.slice(0, 900));
  for (const f of [(v: number) => 1e-3 * v + 5e3, (v: number) => -v]) {
    const other = feed(xs.map(f)).raw;
    for (let i = 0; i < base.length; i++) assert.ok(Math.abs(base[i] - other[i]) < 1e-6, `tick ${i}: ${base[i]} vs ${other[i]}`);
  }
});
