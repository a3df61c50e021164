/**
 * Per-series sliding windows in fixed-size ring buffers (Float32Array), with online normalisation statistics. Which
 * series exist (the cap with LRU eviction, idle eviction) is the SeriesRegistry's decision (series-registry.ts): the
 * store admits series through it and follows its evictions like every other holder of per-series state.
 *
 * Timestamp policy (docs/schemas.md § Event time): a tick older than the series' last accepted tick is dropped as `late`
 * (unless that one was stamped ahead of when it was sent: SeriesState.follows); one with an equal timestamp is
 * `duplicate` (dropped, or replaces the last value under duplicatePolicy 'replace'; features it lacked are merged in: tick-again.ts); gaps are accepted as they come (the
 * model sees ticks in order, and the forecast step spacing follows the series' typical interval). With `fillMissed`, readings a feed read on a clock missed (a tick 2 … fillMissed + 1 intervals late) are
 * filled in by interpolation first, so the window stays on the clock (SeriesState.fillMissed); with `openHours`, not in
 * hours the feed has never read in (open-hours.ts).
 *
 * Normalisation (series-stats.ts): exponentially weighted mean and variance per feature whose weight starts as the exact running average
 * (1/n) and settles at a half-life of `normHalfLifeTicks`, so a series' level and scale may drift slowly without
 * retraining. Windows are z-normalised on read with the statistics current at that moment (the whole window uses one
 * set of statistics). Features flagged in `logFeatures` (spec.logFeatures) enter the statistics, windows and
 * `current()` as ln(value); the ring and `recent()` keep the series' units (callers keep values ≤ 0 out).
 */
import { SeriesRegistry } from './series-registry.ts';
import { carriedForGood, departing, tickAgain, type Departed } from './tick-again.ts';
import { SeriesState, type RecentWindow } from './window-series.ts';
import { seriesFromState, seriesToState, type WindowSeriesState } from './window-series-state.ts';
import { appendTick, statsOf, toModel, unlearnTick, type SeriesStats, type StatsRule } from './series-stats.ts';

export type { WindowSeriesState } from './window-series-state.ts';
export type { SeriesStats } from './series-stats.ts';

/** 'incomplete': a feature was missing and there is no earlier value to carry forward. 'merged': a record at the last tick's ts brought features that tick lacked (carried forward), written into it. */
export type PushOutcome = 'accepted' | 'late' | 'duplicate' | 'replaced' | 'merged' | 'incomplete';

export interface WindowStoreOptions {
  window: number;
  features: number;
  stride: number;
  maxSeries: number;
  idleEvictMs: number;
  duplicatePolicy: 'drop' | 'replace';
  normHalfLifeTicks: number;
  /** Most ticks in a row kept out of the statistics by `push(…, { learn: false })` (inside an alert); then a level shift is learned (0 = always learn). */
  holdStatsMaxTicks?: number;
  /** The registry that owns series membership; default: a new one with maxSeries / idleEvictMs. */
  registry?: SeriesRegistry;
  /** Per feature: modelled as ln(value) (default: none). */
  logFeatures?: readonly boolean[];
  /** Most readings filled in before a late tick on a series read on a clock (SeriesState.fillMissed; default 0: none). */
  fillMissed?: number;
  /** With fillMissed: no reading is filled in hours the feed has never read in (open-hours.ts; default false). */
  openHours?: boolean;
  /** A tick pushed with `sentMs` and stamped more than this ahead of it lets the series' next ticks step back (SeriesState.follows; input.clockSkewMs); absent: never. */
  clockSkewMs?: number;
}

const NO_SERIES = new SeriesState(1, 1); // stands in for a series not held (step times 1 ms apart)

export class WindowStore {
  readonly #opts: WindowStoreOptions;
  readonly #series = new Map<string, SeriesState>();
  readonly #rule: StatsRule; // the statistics' (series-stats.ts)
  readonly #registry: SeriesRegistry;
  #departed: Departed | null = null; // the series evicted last (carriedAtEviction)
  readonly #log: readonly boolean[] | null; // per feature: read as ln(value) (null: no such feature)

  constructor(opts: WindowStoreOptions) {
    this.#opts = opts;
    this.#log = opts.logFeatures?.some(Boolean) ? [...opts.logFeatures] : null;
    this.#rule = { features: opts.features, alphaFloor: 1 - Math.pow(0.5, 1 / opts.normHalfLifeTicks), holdStatsMaxTicks: opts.holdStatsMaxTicks ?? 0, log: this.#log };
    this.#registry = opts.registry ?? new SeriesRegistry({ maxSeries: opts.maxSeries, idleEvictMs: opts.idleEvictMs });
    this.#registry.follow((series, reason) => void (this.#departed = departing(this.#series, series, reason)));
  }

  /** The series registry this store admits series through (follow it to drop per-series state). */
  get registry(): SeriesRegistry {
    return this.#registry;
  }

  get size(): number {
    return this.#series.size;
  }

  /** Forecast every `stride` ticks. */
  get stride(): number {
    return this.#opts.stride;
  }

  /** Window length in ticks. */
  get window(): number {
    return this.#opts.window;
  }

  /** Series evicted so far (cap or idle). */
  get evictions(): number {
    return this.#registry.evictions;
  }

  /** The features the last tick of `series`, evicted just now at the cap or idle, lacked for good (tick-again.ts `departing`), for the registry's later followers. */
  carriedAtEviction(series: string): number[] | undefined {
    return this.#departed?.series === series ? this.#departed.carried : undefined;
  }

  has(series: string): boolean {
    return this.#series.has(series);
  }

  /** Add a tick (NaN for a missing feature carries the last value forward; with none to carry: 'incomplete', not stored). `sentMs`: when it was sent (clockSkewMs). `countLate` false: a late tick is not counted in the series' `late` (a warm-up record, counted when it came live). Returns what happened, whether a forecast is due, the id of a series evicted to make room; `ahead` (stamped ahead): sentMs + clockSkewMs, the furthest its time is trusted; `stepBack`: older than the series' previous tick, taken because that one was stamped ahead (SeriesState.follows); late: the series' last ts and its late ticks so far; `carried` (accepted): the features the series' previous tick lacked for good — no record at its ts brought them (merged, tick-again.ts) before this tick came: what tickcast_feature_carried_total counts; `merged` (merged): the features this record brought that the tick lacked. */
  push(series: string, tsMs: number, values: ArrayLike<number>, nowMs: number, opts?: { learn?: boolean; sentMs?: number; countLate?: boolean }): { outcome: PushOutcome; ready: boolean; evicted?: string; filled?: number; ahead?: number; stepBack?: true; lastTs?: number; lateTicks?: number; carried?: number[]; merged?: number[] } {
    const o = this.#opts;
    let s = this.#series.get(series);
    for (let f = 0; f < o.features; f++) {
      if (Number.isNaN(values[f]) && (s === undefined || Number.isNaN(s.last[f]))) return { outcome: 'incomplete', ready: false };
    }
    // The registry admits the series (evicting the least recently seen one at the cap; its
    // followers, this store included, drop that one's state) and keeps the recency order.
    const evicted = this.#registry.touch(series, nowMs);
    if (s === undefined) {
      s = new SeriesState(o.window, o.features);
      this.#series.set(series, s);
    }
    s.lastSeenMs = nowMs;
    const order = s.follows(tsMs, opts?.sentMs, o.clockSkewMs);
    if (order === 'late') return { outcome: 'late', ready: false, evicted, lastTs: s.lastTs, lateTicks: opts?.countLate === false ? s.late : ++s.late };
    if (order === 'duplicate') return { ...tickAgain(s, values, o.window, o.duplicatePolicy === 'replace'), ready: false, evicted };

    const before = s.count;
    const filled = s.fillMissed(tsMs, values, order === 'next' ? (o.fillMissed ?? 0) : 0, this.#log, o.openHours === true); // a step back: none
    if (before > 0 && order === 'next') s.noteSpacing(tsMs - s.lastTs, filled > 0);
    if (order === 'stepBack') s.clock.lastTsMs = tsMs; // the gap clock goes on from it
    const carried = carriedForGood(s); // read before appendTick moves the counts on
    appendTick(s, tsMs, values, opts?.learn !== false, this.#rule);
    s.ts[s.head] = tsMs;
    s.head = (s.head + 1) % o.window;
    s.count++;
    const ahead = opts?.sentMs !== undefined && tsMs - opts.sentMs > (o.clockSkewMs ?? Infinity);
    [s.lastTs, s.aheadSentMs] = [tsMs, ahead ? opts.sentMs! : Number.NaN];
    let ready = false;
    if (s.count >= o.window) {
      // Slots since the window filled (filled-in readings count: the stride is on the feed's clock).
      s.sinceForecast += s.count - Math.max(before, o.window - 1);
      if (s.sinceForecast >= o.stride || before < o.window) {
        ready = true;
        s.sinceForecast = 0;
      }
    }
    const out: ReturnType<WindowStore['push']> = { outcome: 'accepted', ready, evicted, filled }; // no object spreads: this runs per tick (bench:filling)
    if (ahead) out.ahead = opts.sentMs! + o.clockSkewMs!;
    if (order === 'stepBack') out.stepBack = true;
    if (carried) out.carried = carried;
    return out;
  }

  /** Take back the statistics update of the tick at `tsMs` (an alert fired on it after it was windowed), if it is still the last tick learned for the series and holding is on. The values stay in the window. Returns true when undone. */
  unlearn(series: string, tsMs: number): boolean {
    const s = this.#series.get(series);
    return s !== undefined && unlearnTick(s, tsMs, this.#rule.holdStatsMaxTicks);
  }

  /** True when the series has a full window. */
  isReady(series: string): boolean {
    const s = this.#series.get(series);
    return s !== undefined && s.count >= this.#opts.window;
  }

  ticks(series: string): number {
    return this.#series.get(series)?.count ?? 0;
  }

  lastTs(series: string): number | null {
    const s = this.#series.get(series);
    return s && s.count > 0 ? s.lastTs : null;
  }

  /** Typical spacing between ticks in ms (EMA); 0 until two ticks were seen. */
  intervalMs(series: string): number {
    return this.#series.get(series)?.intervalMs ?? 0;
  }

  /** The times of `n` forecast steps after `fromTs`: every interval, skipping hours the series is closed (openHours; SeriesState.stepTimes). */
  stepTimes(series: string, fromTs: number, n: number): number[] {
    return (this.#series.get(series) ?? NO_SERIES).stepTimes(fromTs, n, this.#opts.openHours === true);
  }

  /** Forecast steps (1-based) whose `times` fall in hours the series is closed, learned whether or not openHours is on (SeriesState.closedSteps). */
  closedSteps(series: string, times: readonly number[]): number[] {
    return this.#series.get(series)?.closedSteps(times) ?? [];
  }

  /** Current normalisation statistics (copies). */
  stats(series: string): SeriesStats | null {
    const s = this.#series.get(series);
    return s ? statsOf(s, this.#opts.features) : null;
  }

  /** The last values (after carry-forward, in model space) and the statistics now in force, as copies. */
  current(series: string): { values: Float64Array; mean: Float64Array; std: Float64Array } | null {
    const s = this.#series.get(series);
    const st = this.stats(series);
    return s && st ? { values: Float64Array.from(s.last, (v, f) => toModel(this.#log, f, v)), mean: st.mean, std: st.std } : null;
  }

  /** The last tick's values as the window holds them now (raw units), NaN where the tick lacked the feature and its value is carried forward; null for an unknown series. */
  lastValues(series: string): Float64Array | null {
    const s = this.#series.get(series);
    return s ? Float64Array.from(s.last, (v, f) => (s.carried[f] > 0 ? NaN : v)) : null;
  }

  /** Write the z-normalised window (oldest first, [window, features]) into `out` at `offset`; returns the statistics used (the caller owns `out`), null if the window is not full. */
  snapshot(series: string, out: Float32Array, offset: number): SeriesStats | null {
    const s = this.#series.get(series);
    const o = this.#opts;
    if (!s || s.count < o.window) return null;
    const stats = this.stats(series)!;
    const F = o.features;
    for (let w = 0; w < o.window; w++) {
      const slot = ((s.head + w) % o.window) * F;
      for (let f = 0; f < F; f++) out[offset + w * F + f] = (toModel(this.#log, f, s.values[slot + f]) - stats.mean[f]) / stats.std[f];
    }
    return stats;
  }

  /** SeriesState.tail of `series` (0 when unknown). */
  tail(series: string, f: number, out: Float64Array): number {
    return this.#series.get(series)?.tail(f, out) ?? 0;
  }

  /** Raw recent values, oldest first, the positions of filled-in readings and closed hours (for the HTTP series view). */
  recent(series: string): RecentWindow | null {
    return this.#series.get(series)?.recent(this.#opts.openHours === true) ?? null;
  }

  /** Series ids with a window, in least-recently-seen order. */
  *ids(): IterableIterator<string> {
    for (const id of this.#registry.ids()) if (this.#series.has(id)) yield id;
  }

  /** The series' state (null when unknown), for snapshots: a copy, or with `copy` false the live arrays (used before the next push). */
  exportSeries(series: string, copy = true): WindowSeriesState | null {
    const s = this.#series.get(series);
    return s ? seriesToState(s, copy) : null;
  }

  /** Install a series' state from a snapshot (admitted through the registry, seen at `nowMs`); a RangeError when its shape is not this store's. */
  importSeries(series: string, st: WindowSeriesState, nowMs: number): void {
    const s = seriesFromState(series, st, this.#opts.window, this.#opts.features, nowMs);
    this.#registry.touch(series, nowMs);
    this.#series.set(series, s);
  }

  /** Evict series idle for longer than idleEvictMs (through the registry: every follower forgets them). */
  evictIdle(nowMs: number): string[] {
    return this.#registry.evictIdle(nowMs);
  }

  /** Remove a series (through the registry: every follower forgets it; `reason` as announced). */
  delete(series: string, reason: 'removed' | 'reset' = 'removed'): boolean {
    const had = this.#series.has(series);
    this.#registry.remove(series, reason);
    return had;
  }
}
