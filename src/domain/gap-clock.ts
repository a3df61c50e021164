/**
 * Gaps in a series' event time: the typical interval between ticks (a running median: a 5 %
 * multiplicative step toward each new interval, so one outage barely moves it; a reset clock's
 * first interval and a new cadence far off it are taken at once, below), and the residual divisor of each tick. A tick more than
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
 *
 * Learning the typical interval fast where the 5 % steps would be slow (docs/anomaly.md, "Gaps"):
 * - A second interval more than `gapFactor` times shorter than the first replaces it: the first
 *   was a pause, or a reading stamped on a reset clock (a device whose clock read 2000-01-01 on its
 *   first reading after a reboot made 27 years the typical interval, and no gap or missed reading
 *   was seen for the next ~330 ticks while the 5 % steps walked it down).
 * - A new cadence: on a series read on a clock (`onClock` when the run starts), `CADENCE_RUN`
 *   intervals in a row that agree with one another (within GRID_TOLERANCE) and are all more than
 *   `gapFactor` (at most CADENCE_FACTOR) times shorter, or all longer, than the typical interval are the series' new
 *   spacing, taken at once (a sensor from every 60 s to every 10 s: ~30 ticks of 5 % steps with no
 *   gap seen; from 10 s to 60 s: 14 ticks each reported as a gap). A single outage, outages of
 *   different lengths, and a feed with no clock (ticks when something happens: three short
 *   intervals in a row are chance there) are no run.
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
/** Intervals in a row, all far off the typical one the same way and agreeing, that are a new cadence. */
export const CADENCE_RUN = 3;
/** How far off (× or ÷) the typical interval those must be: `gapFactor`, at most this (the window store's clock runs with gapFactor fillMissed + 1). */
export const CADENCE_FACTOR = 3;
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
  /** Whether `typicalMs` rests on the series' first interval alone (a shorter second one may replace it). */
  firstOnly = false;
  /** The run of intervals that may be a new cadence: the first of it (ms; 0: none) and its length. */
  runMs = 0;
  run = 0;
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
    const ratio = this.ratio(tsMs, gapFactor);
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

  /**
   * The series stepped back onto its true clock at `tsMs` (its newest tick was stamped ahead of
   * when it was sent: docs/schemas.md § Event time): the clock goes on from `tsMs`, so the next
   * ticks are measured against it — waiting at the fast stamp, no gap or missed reading was seen
   * until real time caught up with it. The step back itself teaches no spacing.
   */
  stepBack(tsMs: number): void {
    if (tsMs < this.lastTsMs) this.lastTsMs = tsMs;
  }

  /** Typical intervals since the newest tick seen (1 without event times or before the second tick). */
  private ratio(tsMs: number, gapFactor: number): number {
    if (!Number.isFinite(tsMs)) return 1;
    const dt = tsMs - this.lastTsMs;
    if (!(dt > 0)) {
      if (Number.isNaN(this.lastTsMs)) this.lastTsMs = tsMs;
      return 1;
    }
    this.lastTsMs = tsMs;
    const first = this.typicalMs <= 0;
    if (first || this.relearn(dt, gapFactor)) this.typicalMs = dt;
    this.firstOnly = first;
    const ratio = dt / this.typicalMs;
    this.typicalMs *= dt > this.typicalMs ? STEP_UP : dt < this.typicalMs ? STEP_DOWN : 1;
    return ratio;
  }

  /** Whether an interval of `dt` ms is the series' spacing at once (the file comment: after a first interval that was a pause, or at a new cadence). */
  private relearn(dt: number, gapFactor: number): boolean {
    if (!(gapFactor > 0)) return false;
    if (this.firstOnly && dt * gapFactor < this.typicalMs) return true;
    const k = Math.min(gapFactor, CADENCE_FACTOR);
    const off = dt * k < this.typicalMs ? -1 : dt > k * this.typicalMs ? 1 : 0;
    const inRun = off !== 0 && this.run > 0 && Math.sign(this.runMs - this.typicalMs) === off && Math.abs(dt / this.runMs - 1) <= GRID_TOLERANCE;
    // Per tick: plain assignments, no arrays to destructure.
    if (off !== 0 && inRun) this.run++;
    else if (off !== 0 && this.onClock) {
      this.runMs = dt;
      this.run = 1;
    } else {
      this.runMs = 0;
      this.run = 0;
    }
    if (this.run < CADENCE_RUN) return false;
    this.runMs = 0;
    this.run = 0;
    return true;
  }
}
