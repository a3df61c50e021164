/**
 * The fast baselines a model forecast competes with, per series (forecast-fusion.ts): naive (the
 * last value), seasonal naive (each step repeats the value one season earlier) and drift (the last
 * value plus the window's average change per tick: the line through the window's first and last
 * values; Hyndman & Athanasopoulos, FPP3 §5.2). Median paths only: a baseline's band comes from
 * the errors it has actually made on the series (forecast-fusion.ts).
 */

/** Candidate order: index 0 is the model, the rest are baselines. */
export const CANDIDATES = ['model', 'naive', 'seasonal-naive', 'drift'] as const;
export type Candidate = (typeof CANDIDATES)[number];
export const MODEL = 0;
export const NAIVE = 1;
const SEASONAL = 2;
const DRIFT = 3;

/**
 * Write the baselines' median paths for one target into `out`: candidate c's step h (0-based) at
 * `at + c·H + h`, for c = 1…3 (index 0 is the model's, the caller's). `x`: the target's last `n`
 * values, oldest first (n ≥ 1). `season`: ticks per season, used when 2 ≤ season ≤ n; otherwise
 * the seasonal-naive path is NaN (not available). Drift needs two values (else NaN).
 */
export function baselinePaths(x: Float64Array, n: number, season: number, H: number, out: number[] | Float64Array, at: number): void {
  const last = x[n - 1];
  const m = season >= 2 && season <= n ? season : 0;
  const slope = n >= 2 ? (last - x[0]) / (n - 1) : Number.NaN;
  for (let h = 0; h < H; h++) {
    out[at + NAIVE * H + h] = last;
    out[at + SEASONAL * H + h] = m > 0 ? x[n - m + (h % m)] : Number.NaN;
    out[at + DRIFT * H + h] = last + (h + 1) * slope;
  }
}

/**
 * The season in ticks for seasonal naive: `configured` when > 0, else one day of ticks at the
 * series' typical spacing (0 when unknown or shorter than two ticks).
 */
export function seasonTicks(configured: number, intervalMs: number): number {
  if (configured > 0) return configured;
  if (!(intervalMs > 0)) return 0;
  const m = Math.round(86_400_000 / intervalMs);
  return m >= 2 ? m : 0;
}
