/**
 * Readings missed between ticks (gap-clock.ts, missed-ticks.ts): a feed that drops readings at
 * random keeps its views aligned with event time, a spike after a missed reading is still news,
 * a regular feed scores exactly as before, and the seasonal view's period search is not skipped
 * by the filled slots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyDetector } from '../../../src/domain/anomaly/index.ts';
import { GapClock, GRID_SHARE, GRID_TOLERANCE } from '../../../src/domain/gap-clock.ts';
import { SeasonalView } from '../../../src/domain/anomaly/seasonal-view.ts';
import { mulberry32 } from '../../../src/eval/nab/index.ts';

const STEP = 300_000;
const DAY = 288;
/**
 * 5-minute readings of a daily rhythm: 20, and 80 for two hours each day (ticks 100–123 of the
 * day), small noise; on day 12 the bump does not come (the anomaly, ticks 90–139 of that day are
 * its window). `drop`: share of readings lost at random.
 */
function feed(days: number, drop: number, seed: number): { ts: number[]; xs: number[]; inWindow: (t: number) => boolean } {
  const r = mulberry32(seed);
  const ts: number[] = [];
  const xs: number[] = [];
  for (let i = 0; i < days * DAY; i++) {
    const phase = i % DAY;
    const bump = phase >= 100 && phase < 124 && Math.floor(i / DAY) !== 12;
    const x = 20 + (bump ? 60 : 0) + (r() - 0.5);
    if (i > 10 && r() < drop) continue;
    ts.push(i * STEP);
    xs.push(x);
  }
  return { ts, xs, inWindow: (t) => t >= (12 * DAY + 90) * STEP && t < (12 * DAY + 140) * STEP };
}
const scores = (o: object, ts: readonly number[], xs: readonly number[]): number[] => {
  const d = new AnomalyDetector(o);
  return xs.map((x, i) => d.observe('s', ts[i], x, null).score);
};

test('the clock: a tick a whole number of intervals late (2 to gapFactor) reports the readings it follows, with a divisor of √ratio for itself only', () => {
  const at = (ratio: number, o: { gapFactor?: number; missed?: boolean } = {}) => {
    const c = new GapClock();
    for (let i = 0; i < 60; i++) c.tick(i * STEP, o.gapFactor ?? 3, 4, o.missed ?? true);
    const late = c.tick((59 + ratio) * STEP, o.gapFactor ?? 3, 4, o.missed ?? true);
    return { late, next: c.tick((60 + ratio) * STEP, o.gapFactor ?? 3, 4, o.missed ?? true) };
  };
  assert.deepEqual(at(1.3).late, { divisor: 1, intervals: 0, missed: 0, closed: 0 }, 'off the clock: no reading missed');
  assert.deepEqual(at(2 - 2 * GRID_TOLERANCE).late, { divisor: Math.sqrt(1.5), intervals: 0, missed: 1, closed: 0 }, 'the tolerance grows with the number of intervals');
  assert.deepEqual(at(2).late, { divisor: Math.SQRT2, intervals: 0, missed: 1, closed: 0 });
  assert.deepEqual(at(3).late, { divisor: Math.sqrt(3), intervals: 0, missed: 2, closed: 0 });
  assert.deepEqual(at(2).next, { divisor: 1, intervals: 0, missed: 0, closed: 0 }, 'the divisor is for the late tick only');
  assert.equal(at(3.5).late.intervals, 3.5, 'beyond gapFactor it is a gap');
  assert.equal(at(3.5).late.missed, 0);
  assert.equal(at(2, { missed: false }).late.missed, 0, 'off');
  assert.equal(at(2, { gapFactor: 0 }).late.missed, 0, 'gap handling off turns it off too');
});

test('the clock: ticks that come when something happens (random intervals) have no grid and never miss a reading; a clock with jitter does', () => {
  const r = mulberry32(9);
  const events = new GapClock();
  let t = 0;
  let missed = 0;
  for (let i = 0; i < 5000; i++) {
    t += -Math.log(1 - r()) * STEP;
    missed += events.tick(t, 3, 4).missed;
  }
  assert.equal(missed, 0);
  assert.ok(events.onGrid < GRID_SHARE, `share on a grid ${events.onGrid}`);
  const clock = new GapClock();
  let lost = 0;
  for (let i = 0; i < 5000; i++) {
    if (i > 100 && i % 10 === 0) continue; // every 10th reading lost
    lost += clock.tick((i + 0.2 * (r() - 0.5)) * STEP, 3, 4).missed; // ±10 % jitter
  }
  assert.ok(lost >= 470 && lost <= 490, `readings reported missed: ${lost} of 490`);
  // A feed that starts reading 5× as often: CADENCE_RUN intervals at the new cadence make it the
  // typical one (gap-clock.ts) and the feed stays on its clock; no reading is reported missed.
  const faster = new GapClock();
  for (let i = 0; i < 200; i++) faster.tick(i * STEP, 3, 4);
  let fasterMissed = 0;
  for (let i = 1; i <= 20; i++) fasterMissed += faster.tick(199 * STEP + (i * STEP) / 5, 3, 4).missed;
  assert.equal(fasterMissed, 0);
  assert.ok(faster.onGrid >= GRID_SHARE && Math.abs((5 * faster.typicalMs) / STEP - 1) < 0.1, `on the new clock: share ${faster.onGrid}, typical ${faster.typicalMs}`);
});

test('a daily bump that does not come is found though 15 % of the readings are lost; without filling them it is not (control)', () => {
  let found = 0;
  let foundUnfilled = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    const { ts, xs, inWindow } = feed(16, 0.15, seed);
    const best = (o: object): number => Math.max(...scores(o, ts, xs).filter((_, i) => inWindow(ts[i])));
    const loud = scores({}, ts, xs).filter((x, i) => i > 600 && !inWindow(ts[i]) && x >= 0.4).length;
    if (best({}) >= 0.4) found++;
    if (best({ missedTicks: false }) >= 0.4) foundUnfilled++;
    // A missed reading just before the bump's rising edge can make the edge news: up to 4 ticks.
    assert.ok(loud <= 4, `seed ${seed}: ${loud} ticks ≥ 0.4 outside the window`);
  }
  assert.ok(found >= 3, `found on ${found} of 5 seeds`);
  assert.equal(foundUnfilled, 0, 'control: without filling, found on no seed');
});

test('a spike right after a missed reading is still news', () => {
  const { ts, xs } = feed(12, 0.15, 6);
  // Late ticks away from the bump's edges (whose surprise damps the ticks after them).
  const late = ts.flatMap((t, i) => (i > 2500 && t - ts[i - 1] === 2 * STEP && (t / STEP) % DAY >= 180 ? [i] : []));
  assert.ok(late.length >= 3);
  for (const at of late.slice(0, 3)) {
    const v = [...xs];
    v[at] += 100;
    const s = scores({}, ts, v)[at];
    assert.ok(s >= 0.5, `tick ${at}: score ${s}`);
  }
});

test('a regular feed scores exactly as with missed readings off', () => {
  const { ts, xs } = feed(14, 0, 5);
  xs[3000] += 30;
  assert.deepEqual(scores({}, ts, xs), scores({ missedTicks: false }, ts, xs));
});

test('the seasonal view: filled slots that cross a period search still run it', () => {
  const view = (): SeasonalView => new SeasonalView({ maxPeriod: 100, minPeriod: 12, acfWindow: 1024, detectEvery: 1000, minAcf: 0.3, cycles: 3, levelTicks: 24, errAlpha: 0.01, floor: 1, scale: 3 });
  const v = view();
  for (let i = 0; i < 255; i++) v.update(Math.sin((2 * Math.PI * i) / 24));
  v.fill(3); // slots 256–258: the search due at 256 runs here
  assert.equal(v.period, 24);
  const control = view();
  for (let i = 0; i < 258; i++) control.update(Math.sin((2 * Math.PI * i) / 24));
  assert.equal(control.period, 24);
});

test('observe reports the readings missed before a tick (and only then), apart from a gap', () => {
  const det = new AnomalyDetector();
  const ts = Array.from({ length: 400 }, (_, i) => i).filter((i) => i !== 200 && i !== 300 && i !== 301).map((i) => (i < 350 ? i : i + 30) * STEP);
  const seen = ts.map((t, i) => det.observe('s', t, 50 + Math.sin(i / 10), null)).flatMap((o, i) => (o.missed === undefined && o.gap === undefined ? [] : [[i, o.missed ?? 0, Math.round(o.gap ?? 0)]]));
  // The 200th tick seen comes after the lost reading 200, the 299th after the lost 300 and 301, the 347th after a 31-interval gap.
  assert.deepEqual(seen, [[200, 1, 0], [299, 2, 0], [347, 0, 31]]);
});

test('the seasonal view: a short gap on a clock (a run of lost readings) keeps it awake; an outage, or a gap off the clock, quiets it', () => {
  const awake = (k: number, onClock: boolean): boolean => {
    const v = new SeasonalView({ maxPeriod: 100, minPeriod: 12, acfWindow: 1024, detectEvery: 1000, minAcf: 0.3, cycles: 3, levelTicks: 24, errAlpha: 0.01, floor: 1, scale: 3 });
    let i = 0;
    for (; i < 600; i++) v.update(Math.sin((2 * Math.PI * i) / 24) + 0.01 * Math.sin(i * 12.9898));
    assert.equal(v.period, 24);
    v.skip(k, onClock);
    i += k;
    return v.update(Math.sin((2 * Math.PI * i) / 24)) >= 0;
  };
  assert.equal(awake(3, true), true, '3 lost readings on a clock');
  assert.equal(awake(6, true), true, 'up to a quarter of levelTicks');
  assert.equal(awake(7, true), false, 'longer: an outage');
  assert.equal(awake(3, false), false, 'off the clock: every gap quiets it, as before');
});

test('open hours (anomaly.openHours, default): a daily series read on business days reports no reading missed at weekends, and still reports one lost on a weekday', () => {
  const D = 86_400_000;
  const monday = Date.UTC(2026, 0, 5);
  // Mon–Fri for 200 days (the gap clock knows its clock after ~45 readings); day 150 (a Thursday) lost.
  const days = Array.from({ length: 200 }, (_, i) => i).filter((d) => d % 7 < 5 && d !== 150);
  const run = (o: object): Array<[number, number]> => {
    const det = new AnomalyDetector(o);
    return days.flatMap((d, i) => {
      const r = det.observe('s', monday + d * D, 100 + Math.sin(i / 2), null);
      return r.missed === undefined ? [] : [[d, r.missed] as [number, number]];
    });
  };
  const learned = run({});
  assert.deepEqual(learned, [[151, 1]], 'only the lost Thursday is reported');
  const weekends = run({ openHours: false }).filter(([d, k]) => d % 7 === 0 && k === 2);
  assert.ok(weekends.length >= 10, `without open hours Mondays report 2 missed readings (${weekends.length})`);
});

test('open hours: an hourly feed closed 00:00–05:59 UTC ends no gap at night after its first day; a real outage in open hours still ends one', () => {
  const H = 3_600_000;
  const ts: number[] = [];
  for (let d = 0; d < 20; d++) for (let h = 6; h < 24; h++) if (!(d === 12 && h >= 10 && h < 16)) ts.push(Date.UTC(2026, 0, 5) + d * 24 * H + h * H); // day 12: out 10:00–15:59
  const det = new AnomalyDetector();
  const gaps = ts.flatMap((t, i) => (det.observe('s', t, 50 + Math.sin(i / 4), null).gap === undefined ? [] : [new Date(t).toISOString()]));
  // The first two nights are gaps: the clock is learned over ~45 readings (gap-clock.ts); then only the outage.
  assert.deepEqual(gaps, ['2026-01-06T06:00:00.000Z', '2026-01-07T06:00:00.000Z', '2026-01-17T16:00:00.000Z']);
});
