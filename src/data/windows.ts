/**
 * Sliding windows over a normalised series (row-major Float32Array [rows, features]) into the
 * model's training arrays: x [n, window, features] and y [n, horizon, targets], both row-major,
 * the layout of PredictBatch.x and of PredictResult.y without the quantile axis.
 */
export interface WindowSet {
  x: Float32Array;
  y: Float32Array;
  n: number;
  /** Start row of each window's input; the first target row is start + window. */
  starts: Int32Array;
}

export interface WindowShape {
  window: number;
  horizon: number;
  features: number;
  targetIndex: readonly number[];
}

/** Windows starting at first, first+stride, ..., up to last (inclusive). */
export function windowStarts(first: number, last: number, stride = 1): Int32Array {
  if (last < first) return new Int32Array(0);
  const n = Math.floor((last - first) / stride) + 1;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = first + i * stride;
  return out;
}

/**
 * The starts whose forecast rows (start + window … start + window + horizon − 1) hold no row filled
 * in (`filled[row]` = 1: ./fill-rows.ts): their truth is known, not a guess, so only these windows
 * are scored (`tickcast backtest`). All of them without `filled`. Training fits every window:
 * fitting only these was measured worse (docs/model.md § Training data).
 */
export function withKnownTargets(starts: Int32Array, filled: Uint8Array | undefined, window: number, horizon: number): Int32Array {
  return filled ? starts.filter((s) => !filled.subarray(s + window, s + window + horizon).includes(1)) : starts;
}

/** At most `max` of `starts`, evenly spaced so that the whole span stays covered (all when `max` is absent or not smaller). */
export function evenlySpaced(starts: Int32Array, max: number | undefined): Int32Array {
  if (max === undefined || starts.length <= max) return starts;
  return Int32Array.from({ length: max }, (_, i) => starts[Math.floor((i * starts.length) / max)]);
}

export function makeWindows(values: Float32Array, shape: WindowShape, starts: Int32Array): WindowSet {
  const { window: w, horizon: h, features: f, targetIndex } = shape;
  const t = targetIndex.length;
  const n = starts.length;
  const x = new Float32Array(n * w * f);
  const y = new Float32Array(n * h * t);
  for (let i = 0; i < n; i++) {
    const s = starts[i];
    x.set(values.subarray(s * f, (s + w) * f), i * w * f);
    for (let k = 0; k < h; k++) {
      const row = (s + w + k) * f;
      for (let j = 0; j < t; j++) y[(i * h + k) * t + j] = values[row + targetIndex[j]];
    }
  }
  return { x, y, n, starts };
}
