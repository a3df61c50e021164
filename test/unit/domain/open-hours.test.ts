/**
 * Open hours (src/domain/open-hours.ts, gap-clock.ts; the window store's `openHours`, off by
 * default): a feed's nightly and weekend closures are learned from the hours it reads in, so that
 * the readings a late tick follows are reported missed (and filled) only in hours the feed is
 * open — a market's night is not a lost reading; readings lost at random still are, with or
 * without clock jitter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GapClock } from '../../../src/domain/gap-clock.ts';
import { hourOfWeek, OpenHours } from '../../../src/domain/open-hours.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { mulberry32 } from '../../../src/eval/nab/index.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { DEFAULT_SPEC } from '../../../src/model/config.ts';
import { closuresIn, trainedAcrossClosures } from '../../../src/domain/closures.ts';
import { createWindowStore, openHoursFor } from '../../../src/app-parts.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MONDAY = Date.UTC(2026, 0, 5); // a Monday, 00:00 UTC

test('hour of the week: Monday 00:00 UTC is 0, Sunday 23:00 is 167, before 1970 too', () => {
  assert.equal(hourOfWeek(MONDAY), 0);
  assert.equal(hourOfWeek(MONDAY + 6 * DAY + 23 * HOUR + 59 * 60_000), 167);
  assert.equal(hourOfWeek(MONDAY + 7 * DAY), 0);
  assert.equal(hourOfWeek(0), 72, '1970-01-01 was a Thursday');
  assert.equal(hourOfWeek(-HOUR), 71);
});

test('a clock time is closed when no reading came in its hour of the day after a day, or in its hour of the week after three weeks', () => {
  const h = new OpenHours();
  for (let t = MONDAY + 6 * HOUR; t < MONDAY + 28 * DAY; t += HOUR) {
    const day = Math.floor((t - MONDAY) / DAY) % 7;
    if ((t - MONDAY) % DAY >= 6 * HOUR && day < 5) h.note(t, 0, 0); // 06:00–23:00, Monday to Friday
  }
  assert.equal(h.closed(MONDAY + 3 * HOUR, 0), false, 'the first day: nothing is closed yet');
  assert.equal(h.closed(MONDAY + 8 * DAY + 3 * HOUR, 0), true, 'never read at 03:00');
  assert.equal(h.closed(MONDAY + 8 * DAY + 10 * HOUR, 0), false);
  assert.equal(h.closed(MONDAY + 26 * DAY + 10 * HOUR, 0), true, 'Saturday 10:00, read for more than three weeks');
  assert.equal(h.closed(MONDAY + 19 * DAY + 10 * HOUR, 0), false, 'the third Saturday: not yet three weeks');
  assert.equal(h.closed(MONDAY + 8 * DAY + 5 * HOUR + 50 * 60_000, 0), true);
  assert.equal(h.closed(MONDAY + 8 * DAY + 5 * HOUR + 50 * 60_000, 15 * 60_000), false, 'within the slack of an open hour');
  const closed = Array.from({ length: 168 }, (_, w) => w).filter((w) => w % 24 < 6 || w >= 5 * 24);
  assert.deepEqual(h.closedHoursOfWeek(MONDAY + 28 * DAY), closed, 'nights, and the weekend');
});

test('a first reading stamped by a reset clock (2000-01-01), or a feed back after more than three weeks: its age starts again, so the hours it has not read in yet are not closed', () => {
  const h = new OpenHours();
  h.note(Date.UTC(2000, 0, 1), Number.NaN, 0);
  let prev = Date.UTC(2000, 0, 1);
  for (let t = MONDAY; t < MONDAY + 15 * HOUR; t += HOUR) {
    h.note(t, t - prev, 0);
    prev = t;
  }
  assert.equal(h.closed(MONDAY + 16 * HOUR, 0), false, 'read for 15 hours, not 27 years');
  // Read on for two days (nights included but 23:00), silent for a month, back: nothing closed for a day, then what it learned counts.
  for (let t = prev + HOUR; t < MONDAY + 3 * DAY; t += HOUR) if ((t - MONDAY) % DAY !== 23 * HOUR) h.note(t, HOUR, 1);
  assert.equal(h.closed(MONDAY + 3 * DAY + 23 * HOUR, 0), true, 'never read at 23:00');
  const back = MONDAY + 35 * DAY;
  h.note(back, back - (MONDAY + 3 * DAY - HOUR), 0);
  assert.equal(h.closed(back + 23 * HOUR, 0), false, 'its first day back');
  assert.equal(h.closed(back + DAY + 23 * HOUR, 0), true, 'a day later the hours it learned count again');
});

/** A clock's missed readings on a feed: `due(i)` whether reading i (at MONDAY + i × step + offset) comes. */
function missedOf(n: number, stepMs: number, comes: (i: number) => boolean, o: { gapFactor?: number; jitter?: number; seed?: number } = {}): Map<number, number> {
  const r = mulberry32(o.seed ?? 1);
  const c = new GapClock();
  const out = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const off = o.jitter ? (r() - 0.5) * 2 * o.jitter * stepMs : 0;
    if (!comes(i)) continue;
    const g = c.tick(MONDAY + i * stepMs + off, o.gapFactor ?? 9, 0, true, true);
    if (g.missed > 0) out.set(i, g.missed);
  }
  return out;
}
const sum = (m: Map<number, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

test('hourly bars of a market open 06:00–23:00: no night is reported missed (the clock is learned after the first day); a reading lost in open hours is', () => {
  const lost = new Set([24 * 9 + 12, 24 * 20 + 7]);
  const comes = (i: number): boolean => i % 24 >= 6 && !lost.has(i);
  const m = missedOf(24 * 28, HOUR, comes);
  assert.deepEqual([...m], [[24 * 9 + 13, 1], [24 * 20 + 8, 1]]);
  // The same feed with jitter (±10 % of the interval): the same answer.
  assert.deepEqual([...missedOf(24 * 28, HOUR, comes, { jitter: 0.1 })], [...m]);
});

test('daily bars on business days: a weekend is not 2 missed readings; a lost Wednesday is', () => {
  const comes = (i: number): boolean => i % 7 < 5 && i !== 7 * 20 + 2;
  const m = missedOf(7 * 30, DAY, comes, { gapFactor: 3 });
  assert.deepEqual([...m], [[7 * 20 + 3, 1]]);
  // Bars stamped at 21:00 UTC (a close in New York) learn the same.
  const c = new GapClock();
  let missed = 0;
  for (let i = 0; i < 7 * 30; i++) if (comes(i)) missed += c.tick(MONDAY + i * DAY + 21 * HOUR, 3, 0, true, true).missed;
  assert.equal(missed, 1);
});

test('a feed read around the clock: readings lost at random are all reported, on an exact clock and one with jitter', () => {
  for (const jitter of [0, 0.1]) {
    for (const [step, n] of [[HOUR, 24 * 7 * 8], [5 * 60_000, 288 * 21]] as const) {
      const r = mulberry32(5);
      const drop = new Set<number>();
      for (let i = 60; i < n; i++) if (r() < 0.1 && !drop.has(i - 1)) drop.add(i); // single readings lost, once the clock is learned
      const reported = sum(missedOf(n, step, (i) => !drop.has(i), { jitter, seed: 2 }));
      assert.ok(reported >= 0.99 * drop.size && reported <= drop.size, `step ${step / 60_000} min, jitter ${jitter}: ${reported} of ${drop.size} reported`);
    }
  }
});

test('the window store does not fill a market night and the learned hours survive a snapshot', () => {
  const make = (): WindowStore => new WindowStore({ window: 48, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e15, duplicatePolicy: 'drop', normHalfLifeTicks: 1000, fillMissed: 8, openHours: true });
  const s = make();
  const push = (st: WindowStore, i: number): void => void st.push('m', MONDAY + i * HOUR, [100 + (i % 24)], 0);
  for (let i = 0; i < 24 * 5; i++) if (i % 24 >= 6 && i !== 24 * 3 + 15) push(s, i);
  const { ts, filled } = s.recent('m')!;
  const filledHours = filled.map((k) => new Date(ts[k]).getUTCHours());
  assert.deepEqual(filledHours, [15], 'only the reading lost at 15:00 on day 3');
  const copy = make();
  copy.importSeries('m', s.exportSeries('m')!, 0);
  for (const st of [s, copy]) for (let i = 24 * 5; i < 24 * 6; i++) if (i % 24 >= 6) push(st, i);
  assert.deepEqual(copy.recent('m'), s.recent('m'), 'the restored store knows the night too');
  const after = s.recent('m')!;
  assert.deepEqual(after.filled.map((k) => new Date(after.ts[k]).getUTCHours()), [15]);
  // windows.openHours off (the default): every night is filled (6 readings each, 00:00–05:00).
  const all = new WindowStore({ window: 48, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e15, duplicatePolicy: 'drop', normHalfLifeTicks: 1000, fillMissed: 8 });
  for (let i = 0; i < 24 * 5; i++) if (i % 24 >= 6) push(all, i);
  const nights = all.recent('m')!;
  assert.deepEqual(nights.filled.map((k) => new Date(nights.ts[k]).getUTCHours()), [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
});

test('windows.openHours reaches the window store of the service (TICKCAST_WINDOWS_OPEN_HOURS); off by default', () => {
  const nightsFilled = (env: Record<string, string>): number => {
    const store = createWindowStore(loadConfig({ env }), DEFAULT_SPEC);
    for (let i = 0; i < 24 * 6; i++) if (i % 24 >= 6) store.push('m', MONDAY + i * HOUR, [10 + (i % 24)], 0);
    return store.recent('m')!.filled.length;
  };
  assert.equal(nightsFilled({}), 12, 'default: the two nights in a 64-slot window are filled (6 readings each)');
  assert.equal(nightsFilled({ TICKCAST_WINDOWS_OPEN_HOURS: 'on' }), 0);
  assert.equal(nightsFilled({ TICKCAST_WINDOWS_OPEN_HOURS: 'auto' }), 12, 'auto, without a model that asks for it: off');
});

test('closures in training rows (closuresIn): a market has one a night, a feed read around the clock that loses readings has none', () => {
  const times = (n: number, step: number, comes: (i: number) => boolean): number[] => Array.from({ length: n }, (_, i) => i).filter(comes).map((i) => MONDAY + i * step);
  const r = mulberry32(4);
  const market = closuresIn(times(24 * 60, HOUR, (i) => i % 24 >= 6 && r() > 0.05), 8);
  assert.ok(market.closed >= 55 && market.closed <= 60 && market.late > market.closed, JSON.stringify(market));
  assert.equal(trainedAcrossClosures(market), true);
  const r2 = mulberry32(4);
  const aroundTheClock = closuresIn(times(24 * 60, HOUR, () => r2() > 0.1), 8);
  assert.ok(aroundTheClock.late > 100 && aroundTheClock.closed < 0.05 * aroundTheClock.late, JSON.stringify(aroundTheClock));
  assert.equal(trainedAcrossClosures(aroundTheClock), false);
  const weekdays = closuresIn(times(7 * 104, DAY, (i) => i % 7 < 5), 8);
  assert.ok(weekdays.closed >= 90 && weekdays.closed === weekdays.late, JSON.stringify(weekdays));
  assert.equal(trainedAcrossClosures({ late: 2, closed: 2 }), false, 'fewer than 3');
  assert.equal(trainedAcrossClosures(undefined), false);
});

test('openHoursFor: on and off as set; auto reads the served model training metadata', () => {
  const cfg = (openHours?: string) => loadConfig({ env: openHours ? { TICKCAST_WINDOWS_OPEN_HOURS: openHours } : {} });
  const trained = { data: { closures: { late: 60, closed: 58 } } };
  assert.equal(cfg().windows.openHours, 'auto');
  assert.equal(openHoursFor(cfg(), trained), true);
  assert.equal(openHoursFor(cfg(), { source: 'pretrained' }), false);
  assert.equal(openHoursFor(cfg(), { data: { closures: { late: 'x', closed: null } } }), false, 'malformed metadata: off');
  assert.equal(openHoursFor(cfg('off'), trained), false);
  assert.equal(openHoursFor(cfg('on'), {}), true);
  assert.throws(() => cfg('true'), /TICKCAST_WINDOWS_OPEN_HOURS/);
});

test('forecast step times (WindowStore.stepTimes): every interval; with open hours, the next open hours (a night and a weekend skipped)', () => {
  const make = (openHours: boolean): WindowStore => new WindowStore({ window: 16, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e15, duplicatePolicy: 'drop', normHalfLifeTicks: 1000, fillMissed: 8, openHours });
  const hoursOf = (ts: number[]): string[] => ts.map((t) => `${'MTWTFSS'[(new Date(t).getUTCDay() + 6) % 7]}${new Date(t).getUTCHours()}`);
  for (const openHours of [false, true]) {
    const s = make(openHours);
    for (let i = 0; i < 24 * 7 * 4; i++) if (i % 24 >= 6 && i % (24 * 7) < 24 * 5) s.push('m', MONDAY + i * HOUR, [1], 0);
    const friday22 = MONDAY + (3 * 7 * 24 + 4 * 24 + 22) * HOUR;
    const steps = hoursOf(s.stepTimes('m', friday22, 4));
    assert.deepEqual(steps, openHours ? ['F23', 'M6', 'M7', 'M8'] : ['F23', 'S0', 'S1', 'S2']);
  }
  assert.deepEqual(make(true).stepTimes('unknown', 1000, 3), [1001, 1002, 1003], 'a series not held: 1 ms apart');
});

test('closed forecast steps (WindowStore.closedSteps): learned with openHours off too, marking the steps stepTimes still stamps in closed hours; none on, none unlearned', () => {
  const make = (openHours: boolean): WindowStore => new WindowStore({ window: 16, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e15, duplicatePolicy: 'drop', normHalfLifeTicks: 1000, fillMissed: 8, openHours });
  const friday22 = MONDAY + (3 * 7 * 24 + 4 * 24 + 22) * HOUR;
  const marked = (openHours: boolean, upTo: number): number[] => {
    const s = make(openHours);
    for (let i = 0; MONDAY + i * HOUR <= upTo; i++) if (i % 24 >= 6 && i % (24 * 7) < 24 * 5) s.push('m', MONDAY + i * HOUR, [1], 0);
    return s.closedSteps('m', s.stepTimes('m', Math.min(upTo, friday22), 12));
  };
  // Off: steps every hour from Friday 23:00 — Saturday 00:00–10:00 are closed (nights since day 2, Saturdays since week 3).
  assert.deepEqual(marked(false, friday22), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(marked(true, friday22), [], 'on: the step times skip closed hours');
  // Nothing is closed on the feed's first day, nor before the clock is known (~45 readings); on its third day the night
  // hours (00:00–05:59) are.
  assert.deepEqual(marked(false, MONDAY + 18 * HOUR), [], 'the first day');
  assert.deepEqual(marked(false, MONDAY + (24 + 20) * HOUR), [], 'Tuesday 20:00: 33 readings, the clock not known yet');
  assert.deepEqual(marked(false, MONDAY + (48 + 20) * HOUR), [4, 5, 6, 7, 8, 9], 'Wednesday 20:00: Thursday 00:00–05:00');
  assert.deepEqual(make(false).closedSteps('unknown', [1, 2]), [], 'a series not held');
  // Learning the hours changes nothing the store did with openHours off: the same windows, the same readings filled.
  const plain = new GapClock();
  const learning = new GapClock(true);
  for (let i = 0; i < 24 * 7 * 3; i++) {
    if (i % 24 < 6 || (i % 13 === 5 && i % 24 !== 6)) continue; // closed nights, a reading lost now and then
    assert.deepEqual(learning.tick(MONDAY + i * HOUR, 10, 0, true, false), plain.tick(MONDAY + i * HOUR, 10, 0, true, false));
  }
  assert.ok(learning.hours !== null && learning.hours.closed(MONDAY + 22 * DAY + 3 * HOUR, 0), 'it learned the nights');
  assert.equal(plain.hours, null);
});
