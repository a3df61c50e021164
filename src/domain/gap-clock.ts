/**
 * Gaps in a series' event time: the typical interval between ticks (a running median: a 5 %
 * multiplicative step toward each new interval, so one outage barely moves it and a new cadence
 * is learned within ~50 ticks), and the residual divisor of each tick. A tick more than
 * `gapFactor` typical intervals after the newest one seen ends a gap: its residuals, and those of
 * the `holdTicks` ticks after it (the forecaster's context still spans the gap), are divided by
 * √(interval / typical) — a value may have moved as far as a random walk would in that time.
 * Ticks without an event time (NaN) or older than the newest seen (late data) are no gap.
 *
 * Missed readings: a feed read on a clock that skips a reading now and then (a poller, a radio,
 * a traffic loop) is not in a gap, yet its next tick comes a whole number n ≥ 2 of intervals late
 * (n ≤ `gapFactor`). Such a tick reports `missed` (n − 1 readings did not come), so that the views
 * can fill their places (missed-ticks.ts), and its residuals are divided by √ratio as after a gap,
 * for this tick only. Only a series on such a clock has missed readings: most of its intervals
 * (an EW share ≥ `GRID_SHARE`) within `GRID_TOLERANCE` × n of a whole number n of typical
 * intervals, and the late tick's too (the tolerance grows with n: the typical interval of a clock
 * with jitter is itself off by a few per cent, and that error is multiplied by n). Ticks that come
 * when something happens (trades, events) have no grid, and a long interval there is not a lost
 * reading (thirteenth round, docs/anomaly-rounds.md). Nor is a clock time in hours the feed is
 * closed (open-hours.ts: a market's night or weekend, learned from the hours it reads in): a tick
 * after such times reports none missed, and no gap however long the closure (a clock whose span
 * holds a closed clock time is a closure, even where part of it was an outage), though its
 * residuals (and the `holdTicks` after a long one) are divided by √ratio all the same.
 */
import { OpenHours } from './open-hours.ts';

export interface GapTick {
  /** The residual divisor of this tick. */
  readonly divisor: number;
  /** When this tick ends a gap: the typical intervals since the previous tick (else 0; 0 too after closed hours, with `openHours`). */
  readonly intervals: number;
  /** Readings missed just before this tick (0 unless the series is on a clock and the tick 2 … `gapFactor` intervals late). */
  readonly missed: number;
  /** When this tick ends closed hours longer than `gapFactor` intervals (`openHours`): the typical intervals since the previous tick (else 0). */
  readonly closed: number;
}

/** The answer for a tick that neither ends a gap nor follows one (most ticks: no allocation). */
const NO_GAP: GapTick = Object.freeze({ divisor: 1, intervals: 0, missed: 0, closed: 0 });
/** The typical interval's 5 % multiplicative steps, e^±0.05 (once, not an exp per tick). */
const STEP_UP = Math.exp(0.05);
const STEP_DOWN = Math.exp(-0.05);
/** How far from a whole number n of typical intervals an interval on the series' clock may be, × n. */
export const GRID_TOLERANCE = 0.25;
/** Share of intervals on the clock (EW, weight 0.05) from which a series is read on one. */
export const GRID_SHARE = 0.9;

export class GapClock {
  /** Event time of the newest tick (ms; NaN before the first). */
  lastTsMs = NaN;
  typicalMs = 0;
  /** The divisor of the last gap, and the ticks after it that it still applies to. */
  divisor = 1;
  ticksLeft = 0;
  /** EW share of intervals within GRID_TOLERANCE × n of a whole number n ≥ 1 of typical intervals. */
  onGrid = 0;
  /** The hours the feed reads in (open-hours.ts): learned from the first tick when the clock is made with them, else from the first tick asked to use them (else null). */
  hours: OpenHours | null = null;

  /** `openHours`: learn them from the first tick, whether or not `tick` uses them (a snapshot then restores into the instance). */
  constructor(openHours = false) {
    if (openHours) this.hours = new OpenHours();
  }

  /** Whether the series is read on a clock (the share of its intervals on one reaches GRID_SHARE). */
  get onClock(): boolean {
    return this.onGrid >= GRID_SHARE;
  }

  /**
   * What a tick at `tsMs` ends or follows (GapTick). `missedTicks`: whether late ticks report the
   * readings they follow (off: they are ordinary ticks, as before the thirteenth round);
   * `openHours`: whether the clock reports no reading missed in hours the feed is closed, learning
   * them if it does not yet (open-hours.ts; the window store's `openHours`). A clock made with them
   * learns them either way.
   */
  tick(tsMs: number, gapFactor: number, holdTicks: number, missedTicks = true, openHours = false): GapTick {
    const prevMs = this.lastTsMs;
    const ratio = this.ratio(tsMs);
    const learned = Number.isFinite(tsMs) ? (openHours ? (this.hours ??= new OpenHours()) : this.hours) : null;
    const hours = openHours ? learned : null;
    if (gapFactor > 0 && ratio > gapFactor) {
      const closure = hours !== null && this.onClock && hours.closedBetween(prevMs, tsMs, Math.round(ratio));
      learned?.note(tsMs, tsMs - prevMs, 0);
      this.divisor = Math.sqrt(ratio);
      this.ticksLeft = holdTicks;
      return { divisor: this.divisor, intervals: closure ? 0 : ratio, missed: 0, closed: closure ? ratio : 0 };
    }
    const whole = Math.round(ratio);
    const near = whole >= 1 && Math.abs(ratio - whole) <= GRID_TOLERANCE * whole;
    if (Number.isFinite(tsMs)) this.onGrid += 0.05 * ((near ? 1 : 0) - this.onGrid);
    const late = missedTicks && gapFactor > 0 && whole >= 2 && near && this.onClock;
    const missed = late && !(hours?.closedBetween(prevMs, tsMs, whole) ?? false) ? whole - 1 : 0;
    learned?.note(tsMs, tsMs - prevMs, near ? whole : 0);
    if (this.ticksLeft === 0 && !late) return NO_GAP;
    let divisor = late ? Math.sqrt(ratio) : 1;
    if (this.ticksLeft > 0) {
      this.ticksLeft--;
      divisor = Math.max(divisor, this.divisor);
    }
    return { divisor, intervals: 0, missed, closed: 0 };
  }

  /** Typical intervals since the newest tick seen (1 without event times or before the second tick). */
  private ratio(tsMs: number): number {
    if (!Number.isFinite(tsMs)) return 1;
    const dt = tsMs - this.lastTsMs;
    if (!(dt > 0)) {
      if (Number.isNaN(this.lastTsMs)) this.lastTsMs = tsMs;
      return 1;
    }
    this.lastTsMs = tsMs;
    if (this.typicalMs <= 0) this.typicalMs = dt;
    const ratio = dt / this.typicalMs;
    this.typicalMs *= dt > this.typicalMs ? STEP_UP : dt < this.typicalMs ? STEP_DOWN : 1;
    return ratio;
  }
}
