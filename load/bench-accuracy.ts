/**
 * `npm run bench:accuracy` — forecast accuracy on ETTh1 under the standard protocol
 * (../shared/data/ett/README.md): 12/4/4-month split, z-score with training statistics, horizon
 * 96, every test window (stride 1; 2785 windows at look-back 96), MSE/MAE on the z-scale.
 *
 * Settings: S (OT → OT) and M (7 columns → the same 7). In the same run, on the same windows:
 * repeat-last, the closed-form NLinear-style linear baseline at look-back 96 and 336, and the
 * hybrid tfjs model trained under a time budget. Published figures (DLinear and PatchTST papers)
 * are printed beside ours with their look-back, because only equal look-backs compare fairly.
 *
 * Options (after `--`): --budget-min 15 (whole run), --skip-hybrid, --settings S,M,
 *   --window 96 --d-model 16 --epochs 6 --lr 3e-4 --batch-size 32 --patience 2
 *   --max-train-windows n --no-warm-start (hybrid; default all windows, warm start),
 *   --patch 16/8 (default: the model's default patches) --seeds 1,2,3 (mean ± sd row), --json out.json,
 *   --channel-independent (M: one univariate hybrid over all 7 channels, each forecast from its own
 *   past with shared weights — PatchTST's recipe; warm start from the same shared linear map),
 *   --cycle 24 (residual cycle forecasting, CycleNet's RCF: every model reads the series minus a
 *   learned per-channel cycle of that period, fitted on the training rows in closed form — phase
 *   means, then one least-squares refinement against the linear map — and the cycle is added back
 *   to every forecast; the repeat-last and seasonal-naive rows are left out, since they would read the residual).
 * Skips (exit 0) with a message when ../shared/data/ett/ETTh1.csv is absent.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepare, loadTable, type PreparedData } from '../src/cli/dataset.ts';
import { evenlySpaced, makeWindows, windowStarts } from '../src/data/windows.ts';
import { runBacktest, type BacktestReport } from '../src/eval/backtest.ts';
import { fitLinearBaseline, LinearBaselinePredictor } from '../src/eval/linear-baseline.ts';
import type { Predictor } from '../src/pipeline/ports.ts';
import { describeError } from '../src/errors/index.ts';
import { meanSd } from './seed-stats.ts';
import { setLinearSkip } from '../src/cli/hybrid.ts';
import { ChannelIndependentPredictor } from '../src/eval/channel-independent.ts';
import { MeanPredictor } from '../src/eval/mean-predictor.ts';
import { initBackend, type BackendPreference } from '../src/model/backend.ts';
import { createModel } from '../src/model/hybrid-model.ts';
import { TfjsPredictor } from '../src/model/predictor.ts';
import { describeFit, fitGlobal } from './global-fit.ts';
import { phaseMeans, refineCycle, removeCycle } from '../src/eval/residual-cycle.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ETT = resolve(process.env.TICKCAST_ETT_DIR ?? resolve(repoRoot, '../shared/data/ett'), 'ETTh1.csv');
const COLUMNS = ['HUFL', 'HULL', 'MUFL', 'MULL', 'LUFL', 'LULL', 'OT'];
const HORIZON = 96;
const QUANTILES = [0.1, 0.5, 0.9];

/** Published ETTh1 h=96 figures (MSE, MAE) with the look-back each paper used. */
const PUBLISHED = {
  S: [
    { model: 'NLinear', lookBack: 336, mse: 0.053, mae: 0.177, source: 'DLinear paper (Zeng et al. 2023), Table univariate' },
    { model: 'DLinear', lookBack: 336, mse: 0.056, mae: 0.18, source: 'DLinear paper' },
    { model: 'Autoformer', lookBack: 96, mse: 0.071, mae: 0.206, source: 'DLinear paper' },
    { model: 'Informer', lookBack: 96, mse: 0.193, mae: 0.377, source: 'DLinear paper' },
  ],
  M: [
    { model: 'PatchTST/64', lookBack: 512, mse: 0.37, mae: 0.4, source: 'PatchTST paper (Nie et al. 2023)' },
    { model: 'NLinear', lookBack: 336, mse: 0.374, mae: 0.394, source: 'DLinear paper' },
    { model: 'DLinear', lookBack: 336, mse: 0.375, mae: 0.399, source: 'DLinear paper' },
    { model: 'Autoformer', lookBack: 96, mse: 0.449, mae: 0.459, source: 'DLinear paper' },
    { model: 'Informer', lookBack: 96, mse: 0.865, mae: 0.713, source: 'DLinear paper' },
    { model: 'Repeat (last value)', lookBack: 1, mse: 1.295, mae: 0.713, source: 'DLinear paper' },
  ],
} as const;

type Setting = 'S' | 'M';

interface Row {
  setting: Setting;
  model: string;
  lookBack: number;
  windows: number;
  mse: number;
  mae: number;
  coverage: number | null;
  fitSeconds: number;
  evalSeconds: number;
  note?: string;
}

const { values: args } = parseArgs({
  options: {
    'budget-min': { type: 'string', default: '15' },
    'skip-hybrid': { type: 'boolean', default: false },
    'no-warm-start': { type: 'boolean', default: false },
    settings: { type: 'string', default: 'S,M' },
    window: { type: 'string', default: '96' },
    'd-model': { type: 'string', default: '16' },
    epochs: { type: 'string', default: '6' },
    'max-train-windows': { type: 'string' },
    'batch-size': { type: 'string', default: '32' },
    lr: { type: 'string', default: '3e-4' },
    /** Validate and keep the moving average of the weights (time constant in epochs); 0 = off. */
    'ema-epochs': { type: 'string', default: '0' },
    patience: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'auto' },
    /** Patch length/stride of the hybrid, e.g. 16/8 (default: the model default). */
    patch: { type: 'string' },
    /** Comma-separated seeds: one hybrid per seed, mean ± sd reported (issue 12: 1,2,3). */
    seeds: { type: 'string', default: '42' },
    json: { type: 'string' },
    'channel-independent': { type: 'boolean', default: false },
    /** Turn off the per-window instance normalisation (RevIN) around the network. */
    'no-revin': { type: 'boolean', default: false },
    /** Residual cycle period in rows (0 = off). */
    cycle: { type: 'string', default: '0' },
  },
});

/** The hybrid architecture every row trains (from --d-model, --patch, --no-revin). */
function hybridConfig() {
  return { dModel: Number(args['d-model']), transformer: { layers: 1, heads: 2, ffn: null }, revin: !args['no-revin'], ...patchInput() };
}

function log(line: string): void {
  process.stderr.write(`[bench:accuracy] ${line}\n`);
}

const prepared = new Map<string, PreparedData>();

async function setting(s: Setting, window: number): Promise<PreparedData> {
  const key = `${s}/${window}`;
  const cached = prepared.get(key);
  if (cached) return cached;
  const sel = s === 'S' ? { features: ['OT'], targets: ['OT'] } : { features: COLUMNS, targets: COLUMNS };
  const data = prepare(await loadTable(ETT, { timeCol: 'date', ...sel }), { kind: 'ett' }, window, HORIZON);
  const out = Number(args.cycle) > 0 ? withoutCycle(data, window, Number(args.cycle)) : data;
  prepared.set(key, out);
  return out;
}

function cycleNote(): string {
  return Number(args.cycle) > 0 ? `, on the residual of a ${args.cycle}-row cycle (RCF)` : '';
}

/** The same data with a learned cycle removed (--cycle; see src/eval/residual-cycle.ts): models train and are scored on the residual. */
function withoutCycle(data: PreparedData, window: number, period: number): PreparedData {
  const t0 = performance.now();
  const f = data.table.features.length;
  const fitStarts = windowStarts(data.ranges.train.first, data.ranges.train.last);
  let cycle = phaseMeans(data.values, f, data.borders.trainEnd, period);
  const linear = fitLinearBaseline({ values: removeCycle(data.values, f, cycle), features: data.table.features, targets: data.table.targets, window, horizon: HORIZON, quantiles: [0.5], fitStarts, calibrationStarts: new Int32Array(0) });
  const targetIndex = data.table.targets.map((t) => data.table.features.indexOf(t));
  cycle = refineCycle(cycle, { values: data.values, features: f, targetIndex, window, horizon: HORIZON, weights: linear.weights, fitStarts });
  log(`residual cycle of ${period} rows fitted on the training rows at look-back ${window} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { ...data, values: removeCycle(data.values, f, cycle) };
}

async function evaluate(s: Setting, name: string, data: PreparedData, predictor: Predictor, fitSeconds: number, note?: string): Promise<{ row: Row; report: BacktestReport }> {
  const t0 = performance.now();
  const report = await runBacktest({ predictor, values: data.values, timesMs: data.table.timesMs, range: data.ranges.test, season: 24, scaleEndRow: data.borders.trainEnd, batchSize: 256 });
  const m = report.model.overall;
  const row: Row = { setting: s, model: name, lookBack: predictor.spec.window, windows: report.windows, mse: m.mse, mae: m.mae, coverage: m.coverage, fitSeconds, evalSeconds: (performance.now() - t0) / 1000, note };
  log(`${s} ${name} L=${row.lookBack}: MSE ${m.mse.toFixed(4)} MAE ${m.mae.toFixed(4)} over ${report.windows} windows (fit ${fitSeconds.toFixed(1)} s, eval ${row.evalSeconds.toFixed(1)} s)`);
  return { row, report };
}

async function linearRows(s: Setting, window: number): Promise<Row[]> {
  const data = await setting(s, window);
  const t0 = performance.now();
  const state = fitLinearBaseline({
    values: data.values,
    features: data.table.features,
    targets: data.table.targets,
    window,
    horizon: HORIZON,
    quantiles: QUANTILES,
    fitStarts: windowStarts(data.ranges.train.first, data.ranges.train.last),
    calibrationStarts: windowStarts(data.ranges.val.first, data.ranges.val.last),
  });
  const fitSeconds = (performance.now() - t0) / 1000;
  const { row, report } = await evaluate(s, 'linear (closed form, NLinear-style)', data, new LinearBaselinePredictor(state), fitSeconds);
  const rows = [row];
  if (Number(args.cycle) > 0) row.model = `linear (closed form) on the residual of a ${args.cycle}-row cycle (CycleNet/Linear)`;
  else if (window === 96) {
    const r = report.baselines.repeatLast.overall;
    rows.unshift({ setting: s, model: 'repeat-last', lookBack: 1, windows: report.windows, mse: r.mse, mae: r.mae, coverage: null, fitSeconds: 0, evalSeconds: 0 });
    const sn = report.baselines.seasonalNaive.overall;
    rows.unshift({ setting: s, model: 'seasonal-naive (24 h)', lookBack: 24, windows: report.windows, mse: sn.mse, mae: sn.mae, coverage: null, fitSeconds: 0, evalSeconds: 0 });
  }
  return rows;
}

function patchInput(): { patch?: { length: number; stride: number } } {
  if (!args.patch) return {};
  const [length, stride] = args.patch.split('/').map(Number);
  return { patch: { length, stride: stride || length } };
}

/** One row per seed, then a "mean ± sd" row over the seeds that finished and their ensemble (mean forecast). */
async function hybridRows(s: Setting, budgetMs: number): Promise<Row[]> {
  const seeds = (args.seeds ?? '42').split(',').map(Number);
  const rows: Row[] = [];
  const trained: Predictor[] = [];
  const t0 = performance.now();
  try {
    // Each seed gets an equal share of what is left of the budget.
    for (const [i, seed] of seeds.entries()) {
      const r = await hybridRow(s, Math.max(60_000, (budgetMs - (performance.now() - t0)) / (seeds.length - i)), seed);
      rows.push(r.row);
      if (r.predictor) trained.push(r.predictor);
    }
    const ok = rows.filter((r) => Number.isFinite(r.mse));
    if (seeds.length > 1 && ok.length > 0) {
      const mse = meanSd(ok.map((r) => r.mse));
      const mae = meanSd(ok.map((r) => r.mae));
      rows.push({ ...ok[0], model: `hybrid mean ± sd over ${ok.length} of ${seeds.length} seeds`, mse: mse.m, mae: mae.m, note: `MSE sd ${mse.sd.toFixed(4)}, MAE sd ${mae.sd.toFixed(4)}` });
    }
    if (trained.length > 1) {
      const data = await setting(s, Number(args.window));
      const ensemble = new MeanPredictor(trained);
      rows.push((await evaluate(s, `hybrid ensemble of the ${trained.length} seeds (mean forecast)`, data, ensemble, 0, 'no extra training: the seeds above, averaged')).row);
    }
    return rows;
  } finally {
    await Promise.all(trained.map((p) => p.dispose()));
  }
}

/** One seed's row, and its predictor (the caller disposes it) unless training failed. */
async function hybridRow(s: Setting, budgetMs: number, seed = 42): Promise<{ row: Row; predictor: Predictor | null }> {
  const window = Number(args.window);
  const data = await setting(s, window);
  const t0 = performance.now();
  try {
    if (s === 'M' && args['channel-independent']) return await channelIndependentRow(data, budgetMs, seed);
    const { fitHybrid } = await import('../src/cli/hybrid.ts');
    const fitted = await fitHybrid({
      data,
      spec: { window, horizon: HORIZON, features: data.table.features, targets: data.table.targets, quantiles: QUANTILES },
      config: hybridConfig(),
      epochs: Number(args.epochs),
      batchSize: Number(args['batch-size']),
      lr: Number(args.lr),
      emaEpochs: Number(args['ema-epochs']),
      patience: Number(args.patience),
      maxTrainWindows: args['max-train-windows'] === undefined ? undefined : Number(args['max-train-windows']),
      maxValWindows: 500,
      seed,
      backend: args.backend ?? 'auto',
      timeBudgetMs: budgetMs,
      warmStart: !args['no-warm-start'],
      io: { stdout: process.stdout, stderr: process.stderr },
    });
    try {
      const summary = fitted.summary;
      const note = `seed ${seed}${cycleNote()}, patches ${fitted.summary.patch ?? args.patch ?? 'default'}, ${args['no-warm-start'] ? 'cold start, ' : ''}d_model ${args['d-model']}, ${summary.epochsRun} epochs (best ${summary.bestEpoch}), ${summary.trainWindowsUsed} train windows, backend ${fitted.predictor.backend}${summary.stoppedBy ? `, stopped by ${summary.stoppedBy}` : ''}`;
      return { row: (await evaluate(s, 'hybrid BiLSTM+Transformer (tfjs)', data, fitted.predictor, (performance.now() - t0) / 1000, note)).row, predictor: fitted.predictor };
    } catch (err) {
      await fitted.predictor.dispose();
      throw err;
    }
  } catch (err) {
    log(`${s} hybrid: not measured: ${describeError(err)}`);
    return { row: { setting: s, model: 'hybrid BiLSTM+Transformer (tfjs)', lookBack: window, windows: 0, mse: Number.NaN, mae: Number.NaN, coverage: null, fitSeconds: (performance.now() - t0) / 1000, evalSeconds: 0, note: `not measured: ${describeError(err)}` }, predictor: null };
  }
}

/**
 * M with channel independence: the 7 z-scored columns laid end to end as 7 univariate series
 * (windows never cross from one to the next), one univariate hybrid trained on all of them, and
 * served through ChannelIndependentPredictor on the same test windows as every other M row.
 */
async function channelIndependentRow(data: PreparedData, budgetMs: number, seed: number): Promise<{ row: Row; predictor: Predictor }> {
  const t0 = performance.now();
  const window = Number(args.window);
  const C = data.table.features.length;
  const rows = data.values.length / C;
  const series = new Float32Array(rows * C);
  for (let r = 0; r < rows; r++) for (let k = 0; k < C; k++) series[k * rows + r] = data.values[r * C + k];
  const perChannel = (first: number, last: number, max: number | undefined): Int32Array => {
    const one = evenlySpaced(windowStarts(first, last), max === undefined ? undefined : Math.ceil(max / C));
    return Int32Array.from({ length: one.length * C }, (_, i) => one[i % one.length] + Math.floor(i / one.length) * rows);
  };
  const trainStarts = perChannel(data.ranges.train.first, data.ranges.train.last, args['max-train-windows'] === undefined ? undefined : Number(args['max-train-windows']));
  const valStarts = perChannel(data.ranges.val.first, data.ranges.val.last, 500 * C);
  const spec = { window, horizon: HORIZON, features: ['v'], targets: ['v'], quantiles: QUANTILES };
  const shape = { window, horizon: HORIZON, features: 1, targetIndex: [0] };
  const train = makeWindows(series, shape, trainStarts);
  const val = makeWindows(series, shape, valStarts);
  const backend = await initBackend({ prefer: (args.backend ?? 'auto') as BackendPreference });
  const model = createModel(hybridConfig(), spec, seed);
  const warm = !args['no-warm-start'];
  if (warm) setLinearSkip(model, fitLinearBaseline({ values: series, features: ['v'], targets: ['v'], window, horizon: HORIZON, quantiles: [0.5], fitStarts: trainStarts, calibrationStarts: new Int32Array(0) }));
  log(`M channel-independent hybrid, seed ${seed}: ${model.parameterCount()} parameters on ${backend.name}; ${train.n} train / ${val.n} val windows (${C} channels)`);
  const g = await fitGlobal(model, train, val, { epochs: Number(args.epochs), batchSize: Number(args['batch-size']), lr: Number(args.lr), emaEpochs: Number(args['ema-epochs']), patience: Number(args.patience), seed, budgetMs,
    onEpoch: (e, loss, val) => log(`  epoch ${e}: train loss ${loss.toFixed(4)}, val pinball ${val.toFixed(4)}`),
  }).catch((err: unknown) => {
    model.dispose();
    throw err;
  });
  const predictor = new ChannelIndependentPredictor(new TfjsPredictor(model, { version: `ci-${seed}`, backend: backend.name }), data.table.features);
  try {
    const note = `seed ${seed}${cycleNote()}, channel-independent, patches ${model.config.patch.length}/${model.config.patch.stride}, ${warm ? '' : 'cold start, '}d_model ${args['d-model']}, ${train.n} train windows, ${describeFit(g)}, lr ${args.lr}`;
    const { row, report } = await evaluate('M', 'hybrid BiLSTM+Transformer (tfjs), channel-independent', data, predictor, (performance.now() - t0) / 1000, note);
    // The OT column alone: the same z-scale and test windows as setting S, read from OT's own past.
    const ot = report.model.perTarget.find((m) => m.target === 'OT');
    if (ot) {
      log(`M channel-independent, OT column alone: MSE ${ot.mse.toFixed(4)} MAE ${ot.mae.toFixed(4)} (compare setting S)`);
      row.note += `; OT column alone ${ot.mse.toFixed(4)} / ${ot.mae.toFixed(4)}`;
    }
    return { row, predictor };
  } catch (err) {
    await predictor.dispose();
    throw err;
  }
}

function table(rows: Row[], s: Setting): string {
  const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '—');
  const lines = [
    `ETTh1, setting ${s} (${s === 'S' ? 'OT → OT' : '7 → 7'}), horizon ${HORIZON}`,
    '| model | look-back | MSE | MAE | p10–p90 coverage | source |',
    '|---|---:|---:|---:|---:|---|',
  ];
  for (const r of rows.filter((x) => x.setting === s)) {
    lines.push(`| ${r.model} | ${r.lookBack} | ${fmt(r.mse)} | ${fmt(r.mae)} | ${r.coverage === null ? '—' : `${(r.coverage * 100).toFixed(1)} %`} | this run, ${r.windows} windows${r.note ? `; ${r.note}` : ''} |`);
  }
  for (const p of PUBLISHED[s]) lines.push(`| ${p.model} | ${p.lookBack} | ${p.mse.toFixed(3)} | ${p.mae.toFixed(3)} | — | published: ${p.source} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(ETT)) {
    process.stdout.write(`bench:accuracy skipped: ${ETT} not found. It needs the ETTh1 file from ../shared/data/ett (see its README), or TICKCAST_ETT_DIR pointing at a folder holding ETTh1.csv.\n`);
    return;
  }
  const started = performance.now();
  const budgetMs = Number(args['budget-min']) * 60_000;
  const settings = (args.settings ?? 'S,M').split(',').map((x) => x.trim().toUpperCase()) as Setting[];
  log(`ETTh1 from ${ETT}; settings ${settings.join(',')}; budget ${args['budget-min']} min`);
  const rows: Row[] = [];
  for (const s of settings) for (const w of new Set([96, 336, Number(args.window)])) rows.push(...(await linearRows(s, w)));
  if (!args['skip-hybrid']) {
    for (const [i, s] of settings.entries()) {
      const left = budgetMs - (performance.now() - started);
      // Share what is left between the remaining settings; keep ~1 min for evaluation per setting.
      const share = Math.max(60_000, left / (settings.length - i) - 60_000);
      log(`${s} hybrid: window ${args.window}, d_model ${args['d-model']}, up to ${args.epochs} epochs, lr ${args.lr}, batch ${args['batch-size']}, ${args['max-train-windows'] ?? 'all'} train windows, training budget ${(share / 60_000).toFixed(1)} min`);
      rows.push(...(await hybridRows(s, share)));
    }
  }
  const out = settings.map((s) => table(rows, s)).join('\n\n');
  process.stdout.write(`${out}\n\ntotal ${((performance.now() - started) / 60_000).toFixed(1)} min on ${process.arch}, node ${process.version}\n`);
  if (args.json) await writeFile(args.json, JSON.stringify({ dataset: 'ETTh1', horizon: HORIZON, rows, published: PUBLISHED }, null, 2));
}

await main();
