/** One series' window ring and normalisation statistics, owned by the window store (window-store.ts); its nine typed arrays share one buffer (arena.ts). Their snapshot form: window-series-state.ts. */
import { ArrayArena } from './arena.ts';
import { GapClock } from './gap-clock.ts';
import { nextHour, stepTime, toMicros } from './step-time.ts';

/** An interval this many spacing means long or longer is a pause (an outage, a device offline), not spacing (noteSpacing): far beyond any event feed's spread (a Poisson feed has one in 22,000). */
const PAUSE_INTERVALS = 10;

/** A series' window as the HTTP series view shows it (SeriesState.recent). */
export interface RecentWindow {
  ts: number[];
  values: number[][];
  filled: number[];
  /** UTC hours of the week (Monday 00:00 = 0) the series is closed in (open hours learned: windows.openHours); absent otherwise. */
  closedHours?: number[];
  /** Ticks dropped as late (older than the last one) since the series was taken. */
  late: number;
  carried: number[]; // per feature: the latest ticks in a row that lacked it (SeriesState.carried)
}

export class SeriesState {
  readonly values: Float64Array;
  readonly ts: Float64Array;
  head = 0; // next write slot
  count = 0; // ticks accepted in total
  lastTs = -Infinity;
  /** When the last tick was sent, if it was stamped more than the store's clockSkewMs ahead of that (NaN otherwise): a tick stamped at or after it is newer, not late (follows). */
  aheadSentMs = Number.NaN;
  lastSeenMs = 0;
  late = 0; // ticks dropped as older than lastTs (lateTicks)
  sinceForecast = 0;
  intervalMs = 0; // EW mean of tick spacing, lost readings left out (noteSpacing)
  spacingSkips = 0; // intervals left out in a row
  learned = 0; // ticks that entered the statistics
  held = 0; // consecutive ticks kept out of them
  learnedTs = Number.NaN; // timestamp of the last tick that entered them (undo: see unlearn)
  readonly prevMean: Float64Array; // statistics before that tick
  readonly prevM2: Float64Array;
  readonly mean: Float64Array;
  readonly m2: Float64Array; // EW variance
  readonly last: Float64Array; // last accepted raw values (for carry-forward)
  readonly clock = new GapClock(true); // whether readings were missed (fillMissed); learns the open hours whether or not they are used (closedSteps)
  readonly filledSlots: Uint8Array; // 1: the ring slot holds a filled-in reading
  /** Per feature: how many of the latest ticks in a row lacked it (its value carried forward; > 0: a record at the last tick's ts may still bring it, tick-again.ts). In snapshots since 6 Dec 2026 (night). */
  readonly carried: Float64Array;

  constructor(window: number, features: number) {
    // One buffer for all nine arrays (src/domain/arena.ts: one allocation per series, not nine).
    const a = new ArrayArena(8 * (window * features + window + 6 * features) + ((window + 7) & ~7));
    this.values = a.f64(window * features);
    this.ts = a.f64(window);
    this.mean = a.f64(features);
    this.m2 = a.f64(features);
    this.prevMean = a.f64(features);
    this.prevM2 = a.f64(features);
    this.last = a.f64(features).fill(Number.NaN);
    this.filledSlots = a.u8(window);
    this.carried = a.f64(features);
  }

  /**
   * Where a tick at `tsMs` goes: after the last one ('next'), nowhere ('late', 'duplicate'), or
   * after the last one although stamped before it ('stepBack'): the last tick was stamped ahead of
   * when it was sent (a device clock fast) and this one no earlier than that send time — newer, so
   * its series steps back onto its true clock instead of dropping every tick until real time
   * catches up with the wrong one. Only onto the true clock: a tick itself stamped more than
   * `skewMs` ahead of when it was sent (`sentMs`) is on a wrong clock too (a device always fast, a
   * producer whose clock is hours behind the devices': every tick "ahead"), and older than the
   * last one it is late — else such a series took every re-sent or out-of-order reading of the
   * last hours into its window, and forecast again at times it had forecast at.
   */
  follows(tsMs: number, sentMs = Number.NaN, skewMs = Infinity): 'next' | 'late' | 'duplicate' | 'stepBack' {
    if (tsMs > this.lastTs) return 'next';
    if (tsMs === this.lastTs) return 'duplicate';
    return tsMs >= this.aheadSentMs && !(tsMs - sentMs > skewMs) ? 'stepBack' : 'late';
  }

  /**
   * Learn the spacing of one more interval. Forecast steps are labelled with its EW mean; an
   * interval within 10 % of a whole number n ≥ 2 of the mean is left out (a feed read on a clock
   * that lost n − 1 readings would otherwise stretch the mean by 1 / (1 − share lost), and the
   * steps' labels with it), and so is a pause of PAUSE_INTERVALS or more means, whole or not (a
   * device back from two hours offline on a new phase stretched a 1-minute mean to 13 minutes,
   * and every forecast step with it for the next hour) — unless three in a row were: then the
   * feed's cadence changed (after three pauses, the fourth is the new spacing at once). A second
   * interval a tenth of the first or less replaces it: the first was a pause, or a reading stamped
   * wrong (a device whose clock reset to 2000-01-01 on its first reading after a reboot had its
   * forecast steps stamped 27 years apart, still 2 days after 80 ticks). `missed` (the gap clock found readings missed, fillMissed): left out,
   * however many in a row (a feed losing 30 % of its readings had steps 81 s apart on a 60 s clock: docs/architecture.md).
   */
  noteSpacing(dtMs: number, missed = false): void {
    if (missed) return;
    const m = this.intervalMs;
    const r = m > 0 ? dtMs / m : 0;
    if (this.count === 2 && r > 0 && r <= 1 / PAUSE_INTERVALS) {
      this.intervalMs = dtMs;
      return;
    }
    const n = Math.round(r);
    const pause = r >= PAUSE_INTERVALS;
    if ((pause || (n >= 2 && Math.abs(r - n) <= 0.1)) && this.spacingSkips < 3) {
      this.spacingSkips++;
      return;
    }
    const changed = pause && this.spacingSkips >= 3;
    this.spacingSkips = 0;
    this.intervalMs = m === 0 || changed ? dtMs : 0.9 * m + 0.1 * dtMs;
  }

  /**
   * Readings missed just before a tick at `tsMs`, written into the ring; returns how many. The gap
   * clock (../gap-clock.ts, the detector's rule) says whether the series is read on a clock and the
   * tick came a whole number n = 2 … maxFill + 1 of intervals late; then its n − 1 missed readings
   * (in hours the feed reads in, `openHours`: ../open-hours.ts) are filled in on the clock's times, by linear interpolation between the last reading and this
   * one (a missing feature of this tick: the last value; a feature modelled as ln(value), `log`:
   * linear in ln, so the model reads a straight line either way). They keep the window on the
   * feed's clock, as the model was trained; they do not enter the normalisation statistics, nor
   * `last`. Call it for every tick accepted (the clock learns from each) before it is appended;
   * with `maxFill` 0 it only clears the mark of the slot the tick takes (marks restored from a
   * snapshot taken with filling on).
   */
  fillMissed(tsMs: number, values: ArrayLike<number>, maxFill: number, log: readonly boolean[] | null = null, openHours = false): number {
    const before = this.clock.typicalMs;
    const missed = maxFill > 0 ? this.clock.tick(tsMs, maxFill + 1, 0, true, openHours).missed : 0;
    // The clock took a new cadence at once (../gap-clock.ts; its steps are 5 %): so does the spacing of forecast steps.
    if (before > 0 && Math.abs(Math.log(this.clock.typicalMs / before)) > 0.5) [this.intervalMs, this.spacingSkips] = [this.clock.typicalMs, 0];
    const W = this.ts.length;
    if (missed === 0 || this.count === 0) {
      this.filledSlots[this.head] = 0; // the tick's own slot
      return 0;
    }
    const F = this.values.length / W;
    // Only the newest W can stay in the ring: older ones would be overwritten at once (they count).
    this.count += Math.max(0, missed - W);
    for (let k = Math.max(1, missed - W + 1); k <= missed; k++) {
      const frac = k / (missed + 1);
      const base = this.head * F;
      for (let f = 0; f < F; f++) this.values[base + f] = filledValue(this.last[f], values[f], frac, log?.[f] === true);
      this.ts[this.head] = filledTime(this.lastTs, tsMs, frac);
      this.filledSlots[this.head] = 1;
      this.head = (this.head + 1) % W;
      this.count++;
    }
    this.filledSlots[this.head] = 0;
    return missed;
  }

  /**
   * The times of `n` forecast steps after `fromTs`: every interval (the EW spacing, noteSpacing;
   * 1 ms before one is known), and with `openHours` not in hours the series is closed (its open
   * hours learned: ../open-hours.ts) — a model served in the feed's own time forecasts its next
   * open readings. A closed step moves on to the next hour on the clock.
   */
  stepTimes(fromTs: number, n: number, openHours: boolean): number[] {
    const dt = this.intervalMs || 1;
    const hours = openHours ? this.clock.hours : null;
    const out: number[] = [];
    for (let k = 1, tries = 0; out.length < n; k++) {
      const t = stepTime(fromTs, k, dt);
      if (hours === null || tries > n + 200 || !hours.closed(t, hours.slackMs)) out.push(t);
      else k = Math.max(k, Math.ceil((nextHour(t) - fromTs) / dt) - 1);
      tries++;
    }
    return out;
  }

  /** The last values of feature `f` (the series' units, filled-in readings included), oldest first, into `out`; returns how many. */
  tail(f: number, out: Float64Array): number {
    const W = this.ts.length;
    const F = this.values.length / W;
    const n = Math.min(this.count, W, out.length);
    for (let i = 0; i < n; i++) out[i] = this.values[((this.head - n + i + W) % W) * F + f];
    return n;
  }

  /** The ring's raw values, oldest first, their timestamps, filled-in positions, late ticks and `carried`; with `openHours`, once learned, the closed hours of the week. */
  recent(openHours = false): RecentWindow {
    const W = this.ts.length;
    const F = this.values.length / W;
    const n = Math.min(this.count, W);
    const ts: number[] = [];
    const values: number[][] = [];
    const filled: number[] = [];
    for (let i = 0; i < n; i++) {
      const slot = (this.head - n + i + W) % W;
      ts.push(this.ts[slot]);
      values.push(Array.from(this.values.subarray(slot * F, (slot + 1) * F)));
      if (this.filledSlots[slot] === 1) filled.push(i);
    }
    const hours = openHours ? this.clock.hours : null;
    return { ts, values, filled, ...(hours ? { closedHours: hours.closedHoursOfWeek(this.lastTs) } : {}), late: this.late, carried: Array.from(this.carried) };
  }

  /**
   * Which of the forecast steps at `times` (1-based) fall in hours the series is closed — its open
   * hours learned (../open-hours.ts) and the series read on a clock; empty otherwise. With
   * `openHours` on, stepTimes skips those hours, so none are.
   */
  closedSteps(times: readonly number[]): number[] {
    const hours = this.clock.hours;
    if (hours === null || !this.clock.onClock) return [];
    const out: number[] = [];
    for (let i = 0; i < times.length; i++) if (hours.closed(times[i], hours.slackMs)) out.push(i + 1);
    return out;
  }
}

/**
 * A filled-in reading's value a fraction `frac` of the way from the last reading `a` to the late
 * one `b` (NaN: `a` carries): linear, or geometric for a feature modelled as ln(value) — the one
 * rule for the window store and `tickcast train` (../data/fill-rows.ts).
 */
export function filledValue(a: number, b: number, frac: number, log: boolean): number {
  const to = Number.isNaN(b) ? a : b;
  return log ? a * Math.pow(to / a, frac) : a + frac * (to - a);
}

/**
 * A filled-in reading's time: `frac` of the way between the two readings' times, to the ms when both
 * are whole ms, else to the microsecond (ts keep theirs: ts-unit.ts). Until 7 Dec 2026 (night) always
 * to the ms: a 1 s feed stamped at .456 ms had its filled readings at .000, off its clock.
 */
export function filledTime(fromMs: number, toMs: number, frac: number): number {
  const t = fromMs + frac * (toMs - fromMs);
  return Number.isInteger(fromMs) && Number.isInteger(toMs) ? Math.round(t) : toMicros(t);
}
