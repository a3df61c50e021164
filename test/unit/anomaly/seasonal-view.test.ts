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

/** A daily cycle at 5-minute steps: a bump of +20 from 08:20 to 11:40 every day but `missing`. */
function bumps(days: number, seed: number, missing = -1): number[] {
  const g = gauss(seed);
  const xs: number[] = [];
  for (let d = 0; d < days; d++) for (let h = 0; h < 288; h++) xs.push(40 + (d !== missing && h >= 100 && h < 140 ? 20 : 0) + 2 * g());
  return xs;
}

function feed(xs: readonly number[]): { view: SeasonalView; raw: number[] } {
  const view = new SeasonalView(PARAMS);
  return { view, raw: xs.map((v) => view.update(v)) };
}

test('finds the period: a noisy daily cycle at 5-minute steps (288), a weekly profile at hourly steps (168)', () => {
  const g = gauss(3);
  const daily = Array.from({ length: 3000 }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + 3 * g());
  assert.equal(feed(daily).view.period, 288);
  assert.equal(feed(bumps(12, 4)).view.period, 288);
  for (let seed = 1; seed <= 5; seed++) {
    const r = mulberry32(100 + seed);
    const week = Array.from({ length: 168 }, () => 10 * r());
    assert.equal(feed(Array.from({ length: 2000 }, (_, i) => week[i % 168] + 0.5 * g())).view.period, 168, `seed ${seed}`);
  }
});

test('no period in white noise; in random walks almost never (a chance peak that beats the level alone)', () => {
  let scored = 0;
  for (let seed = 1; seed <= 10; seed++) {
    const g = gauss(seed);
    let x = 0;
    const noise = feed(Array.from({ length: 4000 }, () => g()));
    assert.equal(noise.view.period, 0, `seed ${seed}`);
    assert.ok(noise.raw.every((v) => v === -1), `seed ${seed}`);
    const walk = feed(Array.from({ length: 4000 }, () => (x += g())));
    assert.equal(walk.view.period, 0, `seed ${seed}`);
    scored += walk.raw.filter((v) => v >= 0).length;
  }
  assert.ok(scored < 0.02 * 40_000, `walk ticks scored: ${scored} of 40000`);
});

test('a missing daily bump: the seasonal view sees it, the detector without the view does not', () => {
  const missing = 10;
  for (let seed = 1; seed <= 3; seed++) {
    const xs = bumps(14, seed, missing);
    const lo = missing * 288 + 100;
    const hi = missing * 288 + 140;
    const { raw } = feed(xs);
    assert.ok(Math.max(...raw.slice(lo, hi)) > 0.9, `raw inside ${Math.max(...raw.slice(lo, hi))}`);
    assert.ok(Math.max(...raw.slice(4 * 288, missing * 288)) < 0.9, `raw on ordinary days ${Math.max(...raw.slice(4 * 288, missing * 288))}`);
    // Undamped scores (no refractory period, no rest), so the view's own evidence shows.
    const peak = (cfg: object): number => {
      const det = new AnomalyDetector({ refractoryTicks: 0, restTicks: 0, ...cfg });
      return Math.max(...xs.map((v, i) => det.observe('s', i * 300_000, v, null).score).slice(lo, hi));
    };
    const on = peak({});
    const off = peak({ seasonalView: false });
    assert.ok(on > 0.9 && off < 0.2, `seed ${seed}: with the view ${on}, without ${off}`);
  }
});

test('causal and invariant to units: raw scores up to t ignore later ticks; x, 1e-3·x + 5e3 and −x score the same', () => {
  const xs = bumps(12, 8);
  const base = feed(xs).raw;
  const later = xs.slice();
  for (let i = 2000; i < later.length; i++) later[i] += 50;
  assert.deepEqual(feed(later).raw.slice(0, 2000), base.slice(0, 2000));
  assert.notDeepEqual(feed(later).raw.slice(2000), base.slice(2000));
  assert.ok(base.slice(2000).some((v) => v > 0), 'the view is scoring by then');
  for (const f of [(v: number) => 1e-3 * v + 5e3, (v: number) => -v]) {
    const other = feed(xs.map(f)).raw;
    for (let i = 0; i < base.length; i++) assert.ok(Math.abs(base[i] - other[i]) < 1e-6, `tick ${i}: ${base[i]} vs ${other[i]}`);
  }
});

test('firing alerts name the view that set the score: seasonal for the missing bump, never-seen-level for a jump out of range', () => {
  const missing = 10;
  const xs = bumps(14, 1, missing);
  xs[12 * 288 + 20] = 200; // far beyond anything seen
  const det = new AnomalyDetector({ refractoryTicks: 0, restTicks: 0, cooldownMs: 0 });
  const firing: Array<{ at: number; view?: string }> = [];
  xs.forEach((v, i) => {
    const e = det.observe('s', i * 300_000, v, null).event;
    if (e?.state === 'firing') firing.push({ at: i, view: e.view });
  });
  const inBump = firing.filter((f) => f.at >= missing * 288 + 100 && f.at < missing * 288 + 140);
  assert.ok(inBump.some((f) => f.view === 'seasonal'), JSON.stringify(inBump));
  assert.deepEqual(firing.find((f) => f.at === 12 * 288 + 20)?.view, 'never-seen-level', JSON.stringify(firing.slice(-5)));
  assert.ok(firing.every((f) => typeof f.view === 'string'));
});

test('the longest period with the level correction reads only values it still holds (no wrap of the ring)', () => {
  // A profile of maxPeriod ticks: 3 cycles + 24 ticks of level correction reach past the 1024
  // values of the autocorrelation window. A view with a longer window (a larger ring) finds the
  // same period at the same ticks, so every score must be the same.
  const P = c.seasonalMaxPeriod;
  const r = mulberry32(11);
  const profile = Array.from({ length: P }, () => 10 * r());
  const g = gauss(12);
  const xs = Array.from({ length: 6 * P }, (_, i) => profile[i % P] + 0.5 * g() + (i > 5 * P ? 0.01 * (i - 5 * P) : 0));
  const { view, raw } = feed(xs);
  assert.equal(view.period, P);
  const big = new SeasonalView({ ...PARAMS, acfWindow: 4096 });
  const rawBig = xs.map((v) => big.update(v));
  assert.equal(big.period, P);
  assert.deepEqual(raw, rawBig);
});

test('a gap: skip(k) keeps phases aligned (the bump after the gap is expected) and the view is quiet for levelTicks ticks', () => {
  const xs = bumps(14, 9);
  const cut = 10 * 288 + 20;
  const missed = 130; // ticks 10·288+20 … +149 never arrive; the next bump (ticks 100–139 of day 11) lies in them
  const run = (skip: boolean): number[] => {
    const view = new SeasonalView(PARAMS);
    const raw: number[] = [];
    xs.forEach((v, i) => {
      if (i >= cut && i < cut + missed) return;
      if (skip && i === cut + missed) view.skip(missed);
      raw.push(view.update(v));
    });
    return raw;
  };
  const aligned = run(true).slice(cut);
  const shifted = run(false).slice(cut);
  assert.deepEqual(aligned.slice(0, PARAMS.levelTicks), new Array(PARAMS.levelTicks).fill(-1));
  // Around the next day's bump (ticks 90–150 of day 11) the misaligned view expects the bump
  // 130 ticks late; the aligned one scores like a series without a gap.
  const mean = (a: readonly number[]): number => a.reduce((x, y) => x + Math.max(0, y), 0) / a.length;
  const around = (a: readonly number[], base: number): number => mean(a.slice(11 * 288 + 90 - base, 11 * 288 + 150 - base));
  const none = feed(xs).raw;
  const [a, sh, n] = [around(aligned, cut + missed), around(shifted, cut + missed), around(none, 0)];
  assert.ok(a < 1.5 * n + 0.02, `aligned ${a.toFixed(3)} vs no gap ${n.toFixed(3)}`);
  assert.ok(sh > 2 * a, `control, misaligned ${sh.toFixed(3)} vs aligned ${a.toFixed(3)}`);
});

test('the ring grows as it fills (128 entries, doubled, up to its length) and scores as a full-length ring does, through gaps, fills and its wrap', () => {
  const xs = bumps(8, 21);
  const full = new SeasonalView(PARAMS);
  const growing = new SeasonalView(PARAMS);
  const cap = Math.max(PARAMS.cycles * PARAMS.maxPeriod + PARAMS.levelTicks, PARAMS.acfWindow) + 1;
  assert.equal(growing.ringLength, 128);
  assert.equal(full.growTo('ring', cap)?.length, cap, 'a ring made full-length from the start: the reference');
  assert.equal(growing.growTo('ring', cap + 1), null, 'never past its length');
  assert.equal(growing.growTo('long', 256), null, 'only the ring');
  const lengths: number[] = [growing.ringLength];
  xs.forEach((v, i) => {
    // A run of lost readings while the ring is small, another after it wrapped; an outage in between.
    if (i === 100 || i === 2000) { full.fill(3); growing.fill(3); }
    if (i === 700) { full.skip(40); growing.skip(40); }
    assert.ok(Object.is(growing.update(v), full.update(v)), `tick ${i}`);
    if (i === 1500) assert.ok(Object.is(growing.phaseValue(1), full.phaseValue(1)), 'the long-cycle filter reads the same phase value');
    if (lengths[lengths.length - 1] !== growing.ringLength) lengths.push(growing.ringLength);
  });
  assert.ok(growing.period > 0 && growing.period === full.period);
  assert.deepEqual(lengths, [128, 256, 512, 1024, cap]);
});
