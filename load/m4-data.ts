/**
 * M4 Hourly (../shared/data/m4, README there) for the benchmarks: ragged CSV rows → series,
 * per-series z-scoring with the training row's statistics, the competition's sMAPE and MASE
 * (seasonality 24), and a recursive wrapper that turns a short-horizon Predictor into a 48-step
 * forecaster (zero-shot evaluation of the served model). Benchmark code only; never product data.
 */
import { readFileSync } from 'node:fs';
import type { Predictor } from '../src/pipeline/ports.ts';

export const M4_H = 48;
export const M4_SEASON = 24;

export interface M4Series {
  id: string;
  train: Float64Array;
  test: Float64Array;
  mean: number;
  std: number;
  /** Training row z-scored with its own mean/std (of ln(value) when `log`). */
  z: Float32Array;
  /** Whether z lives in log space (forecasts are mapped back with exp). */
  log: boolean;
}

function rows(file: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  for (const line of lines.slice(1)) {
    if (!line.trim()) continue;
    const cells = line.split(',').map((c) => c.replace(/"/g, ''));
    const vals = cells.slice(1).filter((c) => c !== '').map(Number);
    out.set(cells[0], vals);
  }
  return out;
}

/**
 * Every series of M4 Hourly. `log`: z-score ln(value) instead of the value (M4 values are all
 * positive; ES-RNN models the log too): a multiplicative daily cycle becomes additive, and a
 * squared error in log space is a relative error, which is what sMAPE scores.
 */
export type M4Scale = 'series' | 'level' | 'joint';

/** ES-RNN's published sMAPE (in %) and MASE: the yardsticks `joint` weighs the two metrics by. */
const ESRNN = { smape: 9.328, mase: 0.893 };

/**
 * The divisor of a series' centred ln(value) row. 'series': its std (per-series z units). 'level':
 * 1 (ln units, what sMAPE weighs). 'joint': an ln-unit error e on a series costs about
 * e·100 / S of sMAPE and e / (d·M) of MASE, with S and M ES-RNN's figures and d the series' mean
 * |Δ24| in ln units (MASE's scale); dividing by 1 / (1 + S / (100·M·d)) weighs each series'
 * loss by the sum of the two, each metric relative to ES-RNN's, so neither is traded for the other.
 */
function scaleOf(src: readonly number[], mean: number, scale: M4Scale): number {
  if (scale === 'level') return 1;
  if (scale === 'series') return Math.sqrt(src.reduce((a, b) => a + (b - mean) ** 2, 0) / src.length) || 1;
  let d = 0;
  for (let t = M4_SEASON; t < src.length; t++) d += Math.abs(src[t] - src[t - M4_SEASON]);
  d /= src.length - M4_SEASON;
  return d > 0 ? 1 / (1 + ESRNN.smape / 100 / (ESRNN.mase * d)) : 1;
}

export function loadM4Hourly(dir: string, opts: { log?: boolean; scale?: M4Scale } = {}): M4Series[] {
  const log = opts.log ?? false;
  const tr = rows(`${dir}/Hourly-train.csv`);
  const te = rows(`${dir}/Hourly-test.csv`);
  const out: M4Series[] = [];
  for (const [id, train] of tr) {
    const test = te.get(id);
    if (!test) throw new Error(`M4: ${id} has no test row`);
    if (log && train.some((v) => !(v > 0))) throw new Error(`M4: ${id} has a value <= 0; the log transform needs positive values`);
    const src = log ? train.map((v) => Math.log(v)) : train;
    const mean = src.reduce((a, b) => a + b, 0) / src.length;
    const std = scaleOf(src, mean, opts.scale ?? 'series');
    out.push({ id, train: Float64Array.from(train), test: Float64Array.from(test), mean, std, z: Float32Array.from(src, (v) => (v - mean) / std), log });
  }
  return out;
}

/** The validation task: each series' training row without its last 48 values, which become the targets. */
export function validationSeries(series: M4Series[]): M4Series[] {
  return series.map((s) => ({ ...s, train: s.train.subarray(0, s.train.length - M4_H), test: s.train.subarray(s.train.length - M4_H), z: s.z.subarray(0, s.z.length - M4_H) }));
}

/** Mean sMAPE and MASE over series (the competition's definitions; forecasts in original units). */
export function scoreM4(series: M4Series[], forecasts: Float64Array[]): { smape: number; mase: number } {
  let smape = 0;
  let mase = 0;
  series.forEach((s, i) => {
    const f = forecasts[i];
    let a = 0;
    let e = 0;
    for (let k = 0; k < M4_H; k++) {
      a += (2 * Math.abs(s.test[k] - f[k])) / (Math.abs(s.test[k]) + Math.abs(f[k]));
      e += Math.abs(s.test[k] - f[k]);
    }
    let scale = 0;
    for (let t = M4_SEASON; t < s.train.length; t++) scale += Math.abs(s.train[t] - s.train[t - M4_SEASON]);
    scale /= s.train.length - M4_SEASON;
    smape += (100 * a) / M4_H;
    mase += e / M4_H / scale;
  });
  return { smape: smape / series.length, mase: mase / series.length };
}

export function seasonalNaive(s: M4Series): Float64Array {
  const n = s.train.length;
  return Float64Array.from({ length: M4_H }, (_, k) => s.train[n - M4_SEASON + (k % M4_SEASON)]);
}

/**
 * 48-step forecasts of every series from a univariate Predictor, in z-space from the last
 * `window` values of each training row: recursive (the median is appended and the window slides)
 * when the predictor's horizon is shorter than 48. Returns forecasts in original units.
 */
export async function forecastM4(series: M4Series[], p: Predictor): Promise<Float64Array[]> {
  const { window: W, horizon: h, quantiles } = p.spec;
  const Q = quantiles.length;
  const m = quantiles.indexOf(0.5);
  const hist = series.map((s) => Array.from(s.z.subarray(s.z.length - W)));
  const out = series.map(() => [] as number[]);
  while (out[0].length < M4_H) {
    const x = new Float32Array(series.length * W);
    hist.forEach((hs, i) => x.set(hs.slice(hs.length - W), i * W));
    const { y } = await p.predict({ x, batch: series.length });
    for (let i = 0; i < series.length; i++) {
      for (let k = 0; k < h && out[i].length < M4_H; k++) {
        const v = y[(i * h + k) * Q + m];
        out[i].push(v);
        hist[i].push(v);
      }
    }
  }
  return out.map((f, i) => {
    const s = series[i];
    return Float64Array.from(f, (v) => (s.log ? Math.exp(v * s.std + s.mean) : v * s.std + s.mean));
  });
}

/** What `bench:m4 --save-forecasts` writes and `bench:m4-ensemble` reads: test forecasts (original units) per run. */
export interface SavedM4Forecasts {
  /** Absent in files written before the linear phase could be saved: hybrid. */
  model?: 'hybrid' | 'linear';
  window: number;
  patch: string;
  stride: number;
  transform: string;
  seeds: string;
  /** Series ids, in the order of each run's forecasts. */
  ids: string[];
  /** [run][series][step]. */
  forecasts: number[][][];
  /** Absent in files written before validation forecasts were saved: the same runs' forecasts of the validation task ([run][series][step]), so that ensembles can be chosen on validation. */
  validation?: number[][][];
  /** The loss scale of the runs (`--scale`); absent: series. */
  scale?: string;
  /** The weight average's time constant in epochs (`--ema-epochs`); absent or 0: the last weights. */
  emaEpochs?: number;
}

/** Per series and step, the mean (or median) of several runs' forecasts ([run][series][step]). */
export function combineForecasts(runs: readonly (readonly ArrayLike<number>[])[], how: 'mean' | 'median' = 'mean'): Float64Array[] {
  return runs[0].map((_, i) =>
    Float64Array.from({ length: M4_H }, (_, k) => {
      const v = runs.map((r) => r[i][k]);
      if (how === 'mean') return v.reduce((x, y) => x + y, 0) / v.length;
      v.sort((x, y) => x - y);
      const m = v.length >> 1;
      return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
    }),
  );
}
