/**
 * Long-cycle filter: a level that matches the same hour one and two long cycles ago is not news.
 *
 * The seasonal view searches periods up to `seasonalMaxPeriod` ticks (340). At 5-minute ticks a
 * week is 2,016 ticks, so a weekday/weekend rhythm is invisible to it, and every weekday/weekend
 * edge fires the forecast and seasonal views (a 5-minute series with a weekday level 6 above the
 * weekend and noise 0.5 alerted at 15 of its 16 edges in 8 weeks). This filter keeps hourly means
 * of the series — hours of event time on the clock of `longCycleTimeZone` (UTC by default;
 * local-hours.ts), so that an edge on the hour falls on a block boundary — in
 * a second seasonal view, which finds a period of up to `maxPeriod` hours (200: a week is 168) by
 * the seasonal view's rules, choosing among the autocorrelation peaks the one whose one-cycle
 * expectation has the smallest error (a daily cycle puts two days and a week at nearly the same
 * height; the week wins when weekends differ).
 *
 * The filter acts only where the tick-level view cannot: the long period must be longer than
 * `seasonalMaxPeriod` typical intervals, and a tick-level period, if any, must span at least
 * MIN_SHORT_HOURS (an hourly mean hides the shape of a shorter cycle). A tick is then "explained"
 * when, for each of the last CYCLES long cycles, it is within `margin` error scales (the EW mean
 * |value − that hour's level-corrected mean one cycle back|) of that hour's level-corrected mean,
 * and so were the `memoryTicks` ticks before it (the views' likelihoods answer a spike over the
 * next ticks, which must keep its evidence); a near miss (within NEAR_MISS margins) is not
 * explained but does not restart that count. The caller (tick-score.ts) leaves out the forecast
 * and seasonal views on an explained tick: they judge the level, which the long cycle explains;
 * the volatility view and the never-seen rules still judge it (a flatline or a burst of noise on
 * the hour of an edge is still news).
 *
 * Causal: a tick is judged before it joins its hour. Without event times nothing is explained,
 * and the detector keeps the filter idle on a feature it scores in log space (detector.ts).
 * Memory: one Float64Array of 2·maxPeriod + LEVEL_HOURS + 1 hourly means per feature; cost per
 * tick O(1), plus the hourly view's update once an hour.
 */
import { OWN_ARRAYS, type ArrayAlloc } from '../arena.ts';
import { localHours } from './local-hours.ts';
import { SeasonalView } from './seasonal-view.ts';

const HOUR_MS = 3_600_000;
/** Long cycles that must agree for a tick to be explained. */
const CYCLES = 2;
/** Hours of the level correction (the level now against the level one cycle back): long, so that a missing bump is not taken for a change of level. */
const LEVEL_HOURS = 24;
/** Tick errors seen before the filter explains anything (its error scale is a mean of at least this many). */
const MIN_ERRORS = 64;
/** Hours between period searches. */
const DETECT_EVERY_HOURS = 24;
/** A tick-level period shorter than this many hours turns the filter off (see the file comment). */
const MIN_SHORT_HOURS = 8;
/**
 * A tick within this many margins of its hours (but beyond one) is a near miss: not explained, so
 * the views judge it, but it leaves the run of explained ticks standing. On a steep stretch of a
 * daily curve a tick at the end of its hour misses the hour's mean by a little more than the
 * margin now and then, and restarting the run there let the edges it covers through (twelfth
 * round: 1.25–1.75 all measured alike).
 */
const NEAR_MISS = 1.5;

export class LongCycle {
  readonly view: SeasonalView;
  /** The hour being filled (local clock time ÷ 1 h) and the sum and count of its values. */
  private hour = -Infinity;
  private sum = 0;
  private values = 0;
  private err = 0;
  private errN = 0;
  /** Ticks in a row explained so far. */
  private run = 0;

  constructor(
    private readonly maxPeriod: number,
    private readonly errAlpha: number,
    private readonly memoryTicks: number,
    alloc: ArrayAlloc = OWN_ARRAYS,
    /** The IANA time zone whose clock hours the means are kept in (local-hours.ts). */
    private readonly zone = 'UTC',
  ) {
    this.view = new SeasonalView({
      maxPeriod, minPeriod: 2, acfWindow: CYCLES * maxPeriod + LEVEL_HOURS, detectEvery: DETECT_EVERY_HOURS, minAcf: 0.3,
      cycles: CYCLES, levelTicks: LEVEL_HOURS, errAlpha, floor: 1, scale: 3, choose: 'error',
    }, alloc);
  }

  /**
   * Whether `value` at event time `tsMs` is explained by the long cycle (see the file comment);
   * then it joins its hour. `reachMs`: the longest period the tick-level view can find
   * (seasonalMaxPeriod × the typical interval); `shortMs`: its period now (0: none).
   */
  explains(value: number, tsMs: number, margin: number, reachMs: number, shortMs: number): boolean {
    // No event time, or ticks so sparse that the tick-level view reaches every period this one could find: idle.
    if (!Number.isFinite(tsMs) || reachMs >= this.maxPeriod * HOUR_MS) return false;
    this.advance(Math.floor(localHours(tsMs, this.zone)));
    const P = this.view.period;
    const active = P > 0 && P * HOUR_MS > reachMs && (shortMs === 0 || shortMs >= MIN_SHORT_HOURS * HOUR_MS);
    const last = active ? this.view.phaseValue(1) : Number.NaN;
    // The largest miss over the cycles (Infinity: not that much history), and the tolerance (−1 while the error scale is young: nothing is explained).
    let worst = Infinity;
    const w = this.errN >= MIN_ERRORS ? margin * this.err : -1;
    if (!Number.isNaN(last)) {
      worst = Math.abs(value - last);
      this.learn(worst);
      for (let c = 2; c <= CYCLES; c++) {
        const e = Math.abs(value - this.view.phaseValue(c));
        worst = e <= worst ? worst : Number.isNaN(e) ? Infinity : e;
      }
    }
    const ok = worst <= w;
    this.sum += value;
    this.values++;
    this.run = ok ? this.run + 1 : worst <= NEAR_MISS * w ? this.run : 0;
    return ok && this.run > this.memoryTicks;
  }

  /**
   * Close the hours before hour `h` (and skip the hours nothing arrived in, so phases stay aligned,
   * the spring's missing local hour included). A late tick — or one in the autumn's repeated local
   * hour — joins the open hour.
   */
  private advance(h: number): void {
    if (h <= this.hour) return;
    if (this.values > 0) {
      this.view.update(this.sum / this.values);
      if (h - this.hour > 1) this.view.skip(h - this.hour - 1);
    }
    this.hour = h;
    this.sum = 0;
    this.values = 0;
  }

  /** The filter's error scale (the EW mean |value − its hour's mean one cycle back|); a tick is explained within `margin` of these. */
  get errorScale(): number {
    return this.err;
  }

  private learn(e: number): void {
    this.errN++;
    const a = Math.max(this.errAlpha, 1 / this.errN);
    this.err += a * (Math.min(e, this.errN > 1 && this.err > 0 ? 10 * this.err : e) - this.err);
  }
}
