/**
 * The resolution of a series (ninth round, docs/anomaly-rounds.md): values that come in steps — integer
 * mph, whole seconds, a gauge read to one decimal — cannot be forecast closer than the step. A
 * forecaster that has been right to the digit for a while has an error scale near 0, and the next
 * one-step move is then "many σ"; the seasonal view, comparing a value with the same phase of the
 * last cycles, does the same. So both error scales are floored at what rounding alone costs:
 * q/4 for a forecast (the mean |error| of rounding to a grid of step q) and q/3 for the seasonal
 * view (the mean |difference| of two rounded values).
 *
 * q is learnt causally: the smallest non-zero |Δ| seen so far, capped at 3 × the mean |Δ| (a
 * series with a few levels — a square wave, a config value — moves rarely and by whole levels;
 * its "step" is not a resolution). It counts only when it is visible: at least a tenth of the
 * mean |Δ|. A continuous series, whose smallest move is a tiny fraction of its typical one, gets
 * q = 0 and scores exactly as without this. q is in the units the views judge in (log space for
 * counts), so the scores stay invariant to the units of the series.
 */
import { OWN_ARRAYS, type ArrayAlloc } from '../arena.ts';

/** The cap on the step, in mean |Δ|. */
const MAX_STEP_PER_MEAN = 3;
/** Below this share of the mean |Δ| the step is not a resolution (a continuous series). */
const MIN_STEP_PER_MEAN = 0.1;

export class Resolution {
  /** [smallest non-zero |Δ|, previous value, EW mean |Δ|, differences seen]. */
  readonly s: Float64Array;

  constructor(
    /** EW weight of the mean |Δ| (bias-corrected at start). */
    private readonly alpha: number,
    alloc: ArrayAlloc = OWN_ARRAYS,
  ) {
    this.s = alloc.f64(4);
    this.s[0] = Infinity;
    this.s[1] = NaN;
  }

  /** The step q of the values seen so far (0: none visible). */
  get step(): number {
    const min = this.s[0]; // (not destructured: a typed array's iterator was 1–2 % of a tick)
    const mean = this.s[2];
    const q = Math.min(min, MAX_STEP_PER_MEAN * mean);
    return Number.isFinite(q) && q >= MIN_STEP_PER_MEAN * mean ? q : 0;
  }

  /** Learn one value (after it was scored). */
  learn(value: number): void {
    const s = this.s;
    const d = Math.abs(value - s[1]);
    s[1] = value;
    if (!(d >= 0)) return;
    if (d > 0 && d < s[0]) s[0] = d;
    s[3]++;
    s[2] += Math.max(this.alpha, 1 / s[3]) * (d - s[2]);
  }
}
