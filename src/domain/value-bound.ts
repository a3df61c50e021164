/**
 * The one bound on the magnitude of any value tickcast accepts (a tick's features, a REST window).
 *
 * Why: the window store's exponentially weighted variance and the REST window's z-normalisation
 * square deviations. A finite 1e308 squares to Infinity, and an Infinity variance never decays back
 * (half-life ~2,000 ticks), so every later forecast of the series came out with null quantiles.
 * 1e150 is the largest decade whose square (1e300), summed over thousands of rows, still fits a
 * 64-bit float (max ~1.8e308); no real metric comes near it.
 */
export const MAX_ABS_VALUE = 1e150;

/** True when `v` is beyond ±MAX_ABS_VALUE. NaN (a carried-forward gap) is not out of bounds. */
export function beyondValueBound(v: number): boolean {
  return Math.abs(v) > MAX_ABS_VALUE;
}
