/**
 * Counts are judged in log space. Event counts per tick (mentions, requests, errors) are
 * non-negative integers whose noise grows with their level and whose bursts are multiplicative:
 * a burst of 10× at night and one at noon are the same news, which a residual in the series' own
 * units cannot say. So a scored feature whose first `learningTicks` values are all non-negative
 * integers with a right skew (sample skewness ≥ COUNT_MIN_SKEW: bursts, not a symmetric cycle) is
 * scored on sign(x)·ln(1 + |x|) from its first tick on; any other feature stays in its own units.
 *
 * The decision needs those ticks, and every view must see the same values from the start, so the
 * gate keeps them (values and event times) and the detector replays them into a fresh state once
 * it decides (detector.ts). The learning period scores 0 anyway, so nothing emitted changes. The
 * replay has no model expectations: the model's earned trust (`modelWeight` > 0 only) starts
 * counting after the decision.
 * Measured on the three corpora of `bench:nab` (docs/anomaly-rounds.md, eighth round).
 */
import { OWN_ARRAYS, type ArrayAlloc } from '../arena.ts';

/** Smallest sample skewness of the first ticks for a count series to be judged in log space. */
export const COUNT_MIN_SKEW = 1;

export const GATE_UNDECIDED = 0;
export const GATE_RAW = 1;
export const GATE_LOG = 2;

export class CountGate {
  readonly values: Float64Array;
  readonly ts: Float64Array;
  n = 0;
  mode: number;

  /** `ticks`: how many first values decide (0: never: the feature stays in its own units). */
  constructor(ticks: number, alloc: ArrayAlloc = OWN_ARRAYS) {
    this.values = alloc.f64(ticks);
    this.ts = alloc.f64(ticks);
    this.mode = ticks > 0 ? GATE_UNDECIDED : GATE_RAW;
  }

  /**
   * Keep one raw tick while undecided; the last one needed sets `mode`. True when that decision is
   * log space: the caller then replays `values`/`ts` into a fresh state.
   */
  note(value: number, tsMs: number): boolean {
    this.values[this.n] = value;
    this.ts[this.n] = tsMs;
    this.n++;
    if (this.n < this.values.length) return false;
    this.mode = isSkewedCounts(this.values) ? GATE_LOG : GATE_RAW;
    return this.mode === GATE_LOG;
  }
}

function isSkewedCounts(x: Float64Array): boolean {
  let mean = 0;
  for (const v of x) {
    if (!(v >= 0) || !Number.isInteger(v)) return false;
    mean += v;
  }
  mean /= x.length;
  let m2 = 0;
  let m3 = 0;
  for (const v of x) {
    const d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= x.length;
  m3 /= x.length;
  return m2 > 0 && m3 / m2 ** 1.5 >= COUNT_MIN_SKEW;
}

/** Into log space: sign(x)·ln(1 + |x|) (defined for every value, monotone, 0 → 0). */
export function toLogSpace(x: number): number {
  return x < 0 ? -Math.log1p(-x) : Math.log1p(x);
}

/** Back to the series' units. */
export function fromLogSpace(y: number): number {
  return y < 0 ? -Math.expm1(-y) : Math.expm1(y);
}
