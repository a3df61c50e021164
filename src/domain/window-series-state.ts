/** One series' window state (window-series.ts) as plain data, for series-state snapshots: written by `seriesToState`, checked and read back by `seriesFromState`. */
import type { GapClock } from './gap-clock.ts';
import { OpenHours } from './open-hours.ts';
import { SeriesState } from './window-series.ts';

/** Everything the store keeps for one series, as plain data (for snapshots; arrays are copies). */
export interface WindowSeriesState {
  /** Float64 since 5 Dec 2026 (a snapshot written before holds Float32, read the same way). */
  values: Float32Array | Float64Array;
  ts: Float64Array;
  head: number;
  count: number;
  lastTs: number;
  sinceForecast: number;
  intervalMs: number;
  mean: Float64Array;
  m2: Float64Array;
  last: Float64Array;
  /** The gap clock's typical interval, share of intervals on a clock and open hours when learned (absent in older snapshots: learned again). */
  clock?: { typicalMs: number; onGrid: number; openHours?: { bits: number[]; firstMs: number; jitterMs: number; stepMs: number } };
  /** Ring slots that hold a filled-in reading (absent: none). */
  filledSlots?: number[];
  /** SeriesState.aheadSentMs when set (absent: not set, and in older snapshots). */
  aheadSentMs?: number;
  /** Ticks dropped as late so far, when any (absent: none, and in snapshots before 6 Dec 2026: counted from 0 again). */
  late?: number;
  carried?: number[]; // SeriesState.carried when any feature is carried (absent: none, and in older snapshots)
}

/** The state of `s` as plain data (for snapshots): copied arrays, or with `copy` false the live ones. */
export function seriesToState(s: SeriesState, copy = true): WindowSeriesState {
  const { head, count, lastTs, sinceForecast, intervalMs } = s;
  const own = <T extends Float32Array | Float64Array>(a: T): T => (copy ? (a.slice() as T) : a);
  const { typicalMs, onGrid, hours: h } = s.clock;
  const clock = { typicalMs, onGrid, ...(h ? { openHours: { bits: h.bits.slice(), firstMs: h.firstMs, jitterMs: h.jitterMs, stepMs: h.stepMs } } : {}) };
  const filledSlots = s.filledSlots.some((x) => x === 1) ? [...s.filledSlots.keys()].filter((i) => s.filledSlots[i] === 1) : undefined;
  const ahead = Number.isFinite(s.aheadSentMs) ? { aheadSentMs: s.aheadSentMs } : {};
  const late = s.late > 0 ? { late: s.late } : {};
  const carried = s.carried.some((n) => n > 0) ? { carried: Array.from(s.carried) } : {};
  return { values: own(s.values), ts: own(s.ts), head, count, lastTs, sinceForecast, intervalMs, mean: own(s.mean), m2: own(s.m2), last: own(s.last), clock, ...(filledSlots ? { filledSlots } : {}), ...ahead, ...late, ...carried };
}

/** A series from snapshot data; a RangeError when its shape is not `window` × `features`. */
export function seriesFromState(series: string, st: WindowSeriesState, window: number, features: number, nowMs: number): SeriesState {
  if (st.values.length !== window * features || st.ts.length !== window || st.mean.length !== features || st.m2.length !== features || st.last.length !== features) {
    throw new RangeError(`series ${series}: snapshot shape does not match window ${window} × ${features} features`);
  }
  const s = new SeriesState(window, features);
  s.values.set(st.values);
  s.ts.set(st.ts);
  s.mean.set(st.mean);
  s.m2.set(st.m2);
  s.last.set(st.last);
  Object.assign(s, { head: st.head, count: st.count, lastTs: st.lastTs, sinceForecast: st.sinceForecast, intervalMs: st.intervalMs, lastSeenMs: nowMs, learned: st.count });
  if (st.count > 0) s.clock.lastTsMs = st.lastTs;
  if (typeof st.aheadSentMs === 'number' && Number.isFinite(st.aheadSentMs)) s.aheadSentMs = st.aheadSentMs;
  if (Number.isSafeInteger(st.late) && st.late! > 0) s.late = st.late!;
  if (Array.isArray(st.carried) && st.carried.length === features) st.carried.forEach((n, f) => (s.carried[f] = Number.isSafeInteger(n) && n > 0 ? n : 0));
  if (st.clock) restoreClock(s.clock, st.clock);
  for (const i of st.filledSlots ?? []) if (Number.isInteger(i) && i >= 0 && i < window) s.filledSlots[i] = 1;
  // (Held-tick bookkeeping is not snapshotted: a restored series counts every tick as learned.)
  return s;
}

/** A gap clock's saved fields (checked: a snapshot is input), over a fresh one. */
function restoreClock(c: GapClock, st: NonNullable<WindowSeriesState['clock']>): void {
  const num = (x: unknown, dflt: number): number => (typeof x === 'number' && Number.isFinite(x) ? x : dflt);
  c.typicalMs = num(st.typicalMs, 0);
  c.onGrid = num(st.onGrid, 0);
  const h = st.openHours;
  if (typeof h !== 'object' || h === null) return;
  const hours = new OpenHours();
  if (Array.isArray(h.bits) && h.bits.length === hours.bits.length && h.bits.every(Number.isInteger)) hours.bits = h.bits.slice();
  hours.firstMs = num(h.firstMs, Number.NaN);
  hours.jitterMs = num(h.jitterMs, 0);
  hours.stepMs = num(h.stepMs, 0);
  c.hours = hours;
}
