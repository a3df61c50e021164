/**
 * A stand-in for the service's model on NAB, to measure the detector's model view (where the
 * value falls in a forecast band) before the pipeline path exists: the project's closed-form
 * linear baseline (src/eval/linear-baseline.ts), fitted per file on the probation rows only
 * (causal: NAB lets a detector learn there), z-normalised with probation statistics, forecasting
 * one step ahead with p10/p50/p90 calibrated on the last 30 % of the probation windows.
 * Every expectation for row t is computed from rows before t only.
 */
import type { Expectation } from '../../domain/anomaly/index.ts';
import { fitLinearBaseline, LinearBaselinePredictor } from '../linear-baseline.ts';
import type { NabRow } from './io.ts';
import { probationLength } from './sweeper.ts';

export interface LinearExpectationOptions {
  /** Look-back in rows (default 64). */
  window?: number;
}

/** One expectation per row (null for the first `window` rows, or when the probation is too short). */
export async function linearExpectations(rows: readonly NabRow[], opts: LinearExpectationOptions = {}): Promise<(Expectation | null)[]> {
  const w = opts.window ?? 64;
  const n = rows.length;
  const p = probationLength(n);
  const out: (Expectation | null)[] = new Array(n).fill(null);
  const starts = p - w; // windows s with target row s + w < p
  if (starts < 20) return out;
  let mean = 0;
  for (let i = 0; i < p; i++) mean += rows[i].value;
  mean /= p;
  let sd = 0;
  for (let i = 0; i < p; i++) sd += (rows[i].value - mean) ** 2;
  sd = Math.sqrt(sd / p) || 1;
  const z = Float32Array.from(rows, (r) => (r.value - mean) / sd);
  const cut = Math.floor(starts * 0.7);
  const fitStarts = Int32Array.from({ length: cut }, (_, i) => i);
  const calibrationStarts = Int32Array.from({ length: starts - cut }, (_, i) => cut + i);
  const state = fitLinearBaseline({
    values: z, features: ['value'], targets: ['value'], window: w, horizon: 1, quantiles: [0.1, 0.5, 0.9], fitStarts, calibrationStarts,
  });
  const model = new LinearBaselinePredictor(state);
  // All windows at once: the model is fixed after the probation, so batching changes nothing
  // about causality (row t's forecast reads rows t−w … t−1).
  const batch = n - w;
  const x = new Float32Array(batch * w);
  for (let b = 0; b < batch; b++) x.set(z.subarray(b, b + w), b * w);
  const { y } = await model.predict({ x, batch });
  for (let b = 0; b < batch; b++) {
    const lo = y[b * 3] * sd + mean;
    const mid = y[b * 3 + 1] * sd + mean;
    const hi = y[b * 3 + 2] * sd + mean;
    out[b + w] = { lower: lo, p50: mid, upper: hi };
  }
  await model.dispose();
  return out;
}
