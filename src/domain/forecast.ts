/**
 * Turn model output (normalised quantiles) back into forecast steps in the series' own units.
 */
import type { ForecastStep, ModelSpec } from './types.ts';
import { quantileKey } from './types.ts';
import { logMask } from './model-spec.ts';
import { atStdFloor } from './norm-std.ts';

/**
 * Read one window's forecast from `y` ([batch, horizon, targets, quantiles], row-major) at batch
 * index `b`, de-normalise with the series statistics of each target feature (then exp for a
 * feature in spec.logFeatures: quantiles map through a monotone function), and stamp step h with
 * `times[h − 1]` (WindowStore.stepTimes: every interval, or the series' next open hours). A constant
 * window (std at its floor) decodes to its level exactly. Returns one array of steps per target, in
 * spec.targets order.
 */
export function decodeForecast(
  y: Float32Array,
  b: number,
  spec: ModelSpec,
  targetIdx: readonly number[],
  mean: ArrayLike<number>,
  std: ArrayLike<number>,
  times: ArrayLike<number>,
  steps = spec.horizon,
): ForecastStep[][] {
  const H = spec.horizon;
  const T = spec.targets.length;
  const Q = spec.quantiles.length;
  const keys = spec.quantiles.map(quantileKey);
  const logs = spec.logFeatures?.length ? logMask(spec, spec.targets) : null;
  const out: ForecastStep[][] = [];
  for (let t = 0; t < T; t++) {
    const f = targetIdx[t];
    const fromModel = logs?.[t] ? Math.exp : (v: number) => v;
    const scale = atStdFloor(std[f], mean[f]) ? 0 : std[f];
    const rows: ForecastStep[] = [];
    for (let h = 0; h < Math.min(steps, H); h++) {
      const step = { step: h + 1, ts: times[h] } as ForecastStep;
      const base = ((b * H + h) * T + t) * Q;
      let prev = -Infinity;
      for (let q = 0; q < Q; q++) {
        // Quantiles are ordered by construction in the model; max() guards float round-off.
        const v = Math.max(prev, fromModel(y[base + q] * scale + mean[f]));
        (step as Record<string, number>)[keys[q]] = v;
        prev = v;
      }
      rows.push(step);
    }
    out.push(rows);
  }
  return out;
}

/** The band used by the anomaly detector: lowest quantile, median, highest quantile. */
export function band(step: ForecastStep, spec: ModelSpec): { lower: number; p50: number; upper: number } {
  const q = spec.quantiles;
  return { lower: step[quantileKey(q[0])], p50: step['p50'], upper: step[quantileKey(q[q.length - 1])] };
}
