/**
 * Rolling-origin backtest: slide the forecast origin through the test span (every `stride`
 * rows; stride 1 = every window, the ETT protocol), forecast `horizon` steps from the `window`
 * rows before it, and score against what happened. Two naive baselines are scored on exactly the
 * same windows in the same pass: repeat-last (ŷ[t+k] = y[t]) and seasonal-naive
 * (ŷ[t+k] = y[t+k−m·⌈k/m⌉], reading the series itself so the season may exceed the window).
 *
 * All errors are in the normalised space the model works in (z-scores with training statistics),
 * so MSE/MAE are comparable with published ETT numbers; per-target MAE/RMSE in original units
 * are added when the statistics are given.
 */
import type { PredictResult, Predictor } from '../pipeline/ports.ts';
import type { WindowRange } from '../data/split.ts';
import { makeWindows, windowStarts, withKnownTargets } from '../data/windows.ts';
import { ErrorAccumulator, bandIndices, seasonalNaiveScale, type PointMetrics, type TargetMetrics } from './metrics.ts';

export interface BacktestInput {
  predictor: Predictor;
  /** Normalised series, row-major [rows, features] in predictor.spec.features order. */
  values: Float32Array;
  timesMs: Float64Array;
  /** Window start rows of the test span (inclusive range). */
  range: WindowRange;
  /** 1 for a row filled in (../data/fill-rows.ts): a window whose forecast rows hold one is not scored (its truth is a guess). */
  filled?: Uint8Array;
  stride?: number;
  batchSize?: number;
  /** Seasonal period in rows for MASE and the seasonal-naive baseline. */
  season: number;
  /** MASE scale is the seasonal-naive MAE over rows [0, scaleEndRow) (the training span). */
  scaleEndRow: number;
  /** Training std of each target (original units per z unit), for original-unit errors. */
  targetStd?: readonly number[];
  targetMean?: readonly number[];
  /** Collect full-horizon forecasts every `horizon` rows over the last `plotRows` rows for a plot. */
  plotRows?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface ForecasterScore {
  overall: PointMetrics & { coverage: number | null };
  perTarget: (TargetMetrics & { maeOriginal?: number; rmseOriginal?: number })[];
}

export interface PlotSeries {
  target: string;
  timesMs: number[];
  /** Original units when targetStd/targetMean were given, else normalised. */
  actual: number[];
  p50: number[];
  lower: number[];
  upper: number[];
  /** Row offsets (into timesMs) where a new forecast origin starts. */
  origins: number[];
}

export interface BacktestReport {
  windows: number;
  stride: number;
  window: number;
  horizon: number;
  season: number;
  model: ForecasterScore & { maeByStep: number[]; bandQuantiles: [number, number] | null };
  baselines: { repeatLast: ForecasterScore; seasonalNaive: ForecasterScore };
  /** MAE of the model divided by the seasonal-naive MAE on the same windows (< 1 beats it). */
  relativeMaeVsSeasonalNaive: number;
  elapsedMs: number;
  plot?: PlotSeries[];
}

export async function runBacktest(input: BacktestInput): Promise<BacktestReport> {
  const t0 = performance.now();
  const { predictor, values, range, season } = input;
  const { window: w, horizon: h, features, targets, quantiles } = predictor.spec;
  const f = features.length;
  const targetIndex = targets.map((t) => features.indexOf(t));
  const stride = input.stride ?? 1;
  const batchSize = input.batchSize ?? 256;
  const shape = { window: w, horizon: h, features: f, targetIndex };
  const band = bandIndices(quantiles);

  const modelAcc = new ErrorAccumulator(targets, h, quantiles, band);
  const lastAcc = new ErrorAccumulator(targets, h, [0.5], null);
  const seasonAcc = new ErrorAccumulator(targets, h, [0.5], null);
  const starts = withKnownTargets(windowStarts(range.first, range.last, stride), input.filled, w, h);
  const total = starts.length;
  const tCount = targets.length;

  for (let off = 0; off < total; off += batchSize) {
    input.signal?.throwIfAborted();
    const chunk = starts.subarray(off, Math.min(total, off + batchSize));
    const ws = makeWindows(values, shape, chunk);
    const res = await predictor.predict({ x: ws.x, batch: ws.n });
    checkOutput(res, ws.n, h, tCount, quantiles.length);
    modelAcc.add(ws.y, res.y, ws.n);
    const naiveLast = new Float32Array(ws.n * h * tCount);
    const naiveSeason = new Float32Array(ws.n * h * tCount);
    for (let i = 0; i < ws.n; i++) {
      const lastRow = chunk[i] + w - 1;
      for (let k = 0; k < h; k++) {
        const back = season * Math.ceil((k + 1) / season);
        const sRow = lastRow + 1 + k - back;
        for (let j = 0; j < tCount; j++) {
          const c = targetIndex[j];
          const last = values[lastRow * f + c];
          naiveLast[(i * h + k) * tCount + j] = last;
          // Not enough history for one season (only near the start of a file): fall back to repeat-last.
          naiveSeason[(i * h + k) * tCount + j] = sRow >= 0 ? values[sRow * f + c] : last;
        }
      }
    }
    lastAcc.add(ws.y, naiveLast, ws.n);
    seasonAcc.add(ws.y, naiveSeason, ws.n);
    input.onProgress?.(Math.min(total, off + batchSize), total);
  }

  const scales = targetIndex.map((c) => {
    const col = new Float64Array(input.scaleEndRow);
    for (let r = 0; r < input.scaleEndRow; r++) col[r] = values[r * f + c];
    return seasonalNaiveScale(col, season);
  });
  const withOriginal = (s: ReturnType<ErrorAccumulator['result']>): ForecasterScore => ({
    overall: s.overall,
    perTarget: s.perTarget.map((m, j) =>
      input.targetStd ? { ...m, maeOriginal: m.mae * input.targetStd[j], rmseOriginal: m.rmse * input.targetStd[j] } : m,
    ),
  });
  const model = modelAcc.result(scales);
  const seasonal = seasonAcc.result(scales);
  const report: BacktestReport = {
    windows: total,
    stride,
    window: w,
    horizon: h,
    season,
    model: {
      ...withOriginal(model),
      maeByStep: model.maeByStep,
      bandQuantiles: band ? [quantiles[band.lower], quantiles[band.upper]] : null,
    },
    baselines: { repeatLast: withOriginal(lastAcc.result(scales)), seasonalNaive: withOriginal(seasonal) },
    relativeMaeVsSeasonalNaive: model.overall.mae / seasonal.overall.mae,
    elapsedMs: 0,
  };
  if (input.plotRows !== undefined && input.plotRows > 0) report.plot = await collectPlot(input, targetIndex, band);
  report.elapsedMs = Math.round(performance.now() - t0);
  return report;
}

function checkOutput(res: PredictResult, n: number, h: number, t: number, q: number): void {
  if (res.y.length !== n * h * t * q) {
    throw new RangeError(`predictor returned ${res.y.length} values; expected ${n}×${h}×${t}×${q} (batch×horizon×targets×quantiles)`);
  }
}

/**
 * Full-horizon forecasts from origins `horizon` rows apart, tiling the last `plotRows` rows of the
 * test span, so the plot shows what a user would have seen: each block is one forecast.
 */
async function collectPlot(input: BacktestInput, targetIndex: number[], band: { lower: number; upper: number } | null): Promise<PlotSeries[]> {
  const { predictor, values, timesMs, range } = input;
  const { window: w, horizon: h, features, targets, quantiles } = predictor.spec;
  const f = features.length;
  const q = quantiles.length;
  const med = quantiles.indexOf(0.5);
  const blocks = Math.max(1, Math.min(Math.floor((range.last - range.first) / h) + 1, Math.ceil((input.plotRows ?? h) / h)));
  // Align the last block to the end of the test span.
  const firstOrigin = range.last - (blocks - 1) * h;
  const starts = windowStarts(firstOrigin, range.last, h);
  const ws = makeWindows(values, { window: w, horizon: h, features: f, targetIndex }, starts);
  const res = await predictor.predict({ x: ws.x, batch: ws.n });
  checkOutput(res, ws.n, h, targets.length, q);
  const rows = ws.n * h;
  const firstRow = firstOrigin + w;
  return targets.map((target, j) => {
    const c = targetIndex[j];
    const sd = input.targetStd?.[j] ?? 1;
    const mu = input.targetMean?.[j] ?? 0;
    const un = (v: number): number => v * sd + mu;
    const series: PlotSeries = { target, timesMs: [], actual: [], p50: [], lower: [], upper: [], origins: [] };
    for (let r = 0; r < rows; r++) {
      const i = Math.floor(r / h);
      const k = r % h;
      if (k === 0) series.origins.push(r);
      const base = ((i * h + k) * targets.length + j) * q;
      series.timesMs.push(timesMs[firstRow + r]);
      series.actual.push(un(values[(firstRow + r) * f + c]));
      series.p50.push(un(res.y[base + med]));
      series.lower.push(un(res.y[base + (band ? band.lower : med)]));
      series.upper.push(un(res.y[base + (band ? band.upper : med)]));
    }
    return series;
  });
}
