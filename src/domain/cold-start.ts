/**
 * Forecasts for cold series: a series whose window is not full yet gets no model forecast, so it
 * gets a fast baseline instead — seasonal naive (each step repeats the value one season earlier;
 * with a season of 1 tick, or fewer ticks than a season, the last value: plain naive).
 *
 * Band: the empirical spread of the same baseline's one-step errors on the ticks seen so far
 * (root mean square of x[t] − x[t − m]), widened per step as for a seasonal naive forecast
 * (Hyndman & Athanasopoulos, FPP3 §5.5: σ_h = σ √(k + 1), k = ⌊(h − 1) / m⌋) and turned into
 * quantiles with the normal distribution. Output records say `"model": "baseline:seasonal-naive"`
 * or `"baseline:naive"`, so consumers can tell them from the model's.
 */
import type { ForecastStep } from './types.ts';
import { quantileKey } from './types.ts';

export const BASELINE_PREFIX = 'baseline:';

export interface ColdStartOptions {
  /** Season length in ticks (1: plain naive). */
  seasonTicks: number;
  /** Ticks a series needs before it gets baseline forecasts (≥ 2: one error to size the band). */
  minTicks: number;
}

/** True for the model label of a baseline forecast. */
export function isBaselineModel(model: string): boolean {
  return model.startsWith(BASELINE_PREFIX);
}

/**
 * Seasonal-naive forecast of `horizon` steps from `values` (one target, oldest first), step h
 * stamped `times[h − 1]` (WindowStore.stepTimes, as the model's forecasts are). Returns null with
 * fewer than `minTicks` values.
 */
export function seasonalNaive(
  values: readonly number[],
  o: ColdStartOptions,
  horizon: number,
  quantiles: readonly number[],
  times: ArrayLike<number>,
): { model: string; steps: ForecastStep[] } | null {
  const n = values.length;
  if (n < Math.max(2, o.minTicks)) return null;
  const m = o.seasonTicks > 1 && n > o.seasonTicks ? o.seasonTicks : 1;
  let sq = 0;
  for (let t = m; t < n; t++) sq += (values[t] - values[t - m]) ** 2;
  const sigma = Math.sqrt(sq / (n - m));
  const z = quantiles.map(probit);
  const keys = quantiles.map(quantileKey);
  const steps: ForecastStep[] = [];
  for (let h = 1; h <= horizon; h++) {
    const k = Math.floor((h - 1) / m);
    const p50 = values[n - m + ((h - 1) % m)];
    const sd = sigma * Math.sqrt(k + 1);
    const step = { step: h, ts: times[h - 1] } as ForecastStep;
    for (let q = 0; q < keys.length; q++) (step as Record<string, number>)[keys[q]] = p50 + z[q] * sd;
    steps.push(step);
  }
  return { model: `${BASELINE_PREFIX}${m > 1 ? 'seasonal-naive' : 'naive'}`, steps };
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation without the refinement step, |error| < 1e-6), exact
 * 0 at 0.5 so the median is the point forecast.
 */
export function probit(p: number): number {
  if (p === 0.5) return 0;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155211027];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo || p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(p < lo ? p : 1 - p));
    const x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    return p < lo ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
