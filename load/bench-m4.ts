/**
 * `npm run bench:m4` — M4 Hourly (414 series, 48 steps ahead, sMAPE/MASE as in
 * ../shared/data/m4/README.md), one global model over all series, in one run: naive, seasonal
 * naive (must reproduce 13.912 / 1.193), the closed-form linear model fitted on every series'
 * windows (z-scored per series), zero-shot the shipped pretrained model and the per-file bootstrap
 * model (what `npm start` trained before; both window 64 / horizon 8, run recursively to 48), and
 * the global hybrid trained on M4 itself with early stopping, for each seed. Published: ES-RNN
 * (Smyl, winner) 9.328 / 0.893. Each row is printed (and appended to --jsonl) as soon as it is done,
 * so a run cut short still reports what finished.
 *
 * Options: --window 336 --seeds 1,2,3 --epochs 10 --patience 2 --batch 64 --lr 3e-4 --stride 4 (the defaults are the settings of the figures in docs/accuracy.md)
 *   --transform log|none (default log: every model sees ln(value), z-scored per series; the
 *   naive rows do not depend on it) --scale series|level|joint (default series: z-score each series;
 *   level: subtract its level only, so the loss is in ln(value) units, the units sMAPE weighs;
 *   joint: ln units, each series weighted by what an error costs in sMAPE plus in MASE;
 *   each hybrid seed also reports its validation sMAPE / MASE, the last 48 training hours)
 *   --no-warm-start (hybrid: linear skip from the global
 *   least-squares fit, default on, kept when no epoch beats it on validation)
 *   --patch 24/12 (patch length/stride; default the model's 16/8) --save-forecasts f.json (each
 *   seed's forecasts, for `npm run bench:m4-ensemble`; the linear phase's go to f.linear.json)
 *   --budget-min m (per seed; off by default) --phases baselines,linear,zeroshot,hybrid --jsonl out.jsonl
 *   --pretrained DIR (zero-shot phase: a `npm run pretrain -- --out DIR` output instead of the
 *   shipped model). Skips when the data is absent.
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ModelSpec } from '../src/domain/types.ts';
import { fitLinearBaseline, LinearBaselinePredictor, type LinearBaselineState } from '../src/eval/linear-baseline.ts';
import { initBackend } from '../src/model/backend.ts';
import { BOOTSTRAP_SAMPLE, readValueColumn, trainBootstrap } from '../src/model/bootstrap.ts';
import { DEFAULT_SPEC, resolveHybridConfig } from '../src/model/config.ts';
import { createModel, HybridModel } from '../src/model/hybrid-model.ts';
import { TfjsPredictor } from '../src/model/predictor.ts';
import { loadPretrained } from '../src/model/pretrained.ts';
import { setLinearSkip } from '../src/cli/hybrid.ts';
import type { Dataset } from '../src/model/train.ts';
import { describeFit, fitGlobal } from './global-fit.ts';
import { combineForecasts, forecastM4, loadM4Hourly, M4_H, scoreM4, seasonalNaive, validationSeries, type M4Series, type SavedM4Forecasts } from './m4-data.ts';
import { meanSd } from './seed-stats.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = process.env.TICKCAST_M4_DIR ?? resolve(repoRoot, '../shared/data/m4');
const { values: a } = parseArgs({
  options: {
    window: { type: 'string', default: '336' },
    /** Zero-shot phase: the pretrained model to score (a `npm run pretrain -- --out DIR` output; default the shipped one). */
    pretrained: { type: 'string' },
    seeds: { type: 'string', default: '1,2,3' },
    epochs: { type: 'string', default: '10' },
    patience: { type: 'string', default: '2' },
    batch: { type: 'string', default: '64' },
    lr: { type: 'string', default: '3e-4' },
    /** Validate and keep the moving average of the weights (time constant in epochs); 0 = off. */
    'ema-epochs': { type: 'string', default: '0' },
    stride: { type: 'string', default: '4' },
    /** Wall-clock cap per seed (minutes; a run cut by it says so and keeps its best weights). Off by default. */
    'budget-min': { type: 'string' },
    phases: { type: 'string', default: 'baselines,linear,zeroshot,hybrid' },
    transform: { type: 'string', default: 'log' },
    /** series: z-score each series (default); level: subtract its level only, so the loss is in ln(value) units; joint: ln units weighted per series by what an error costs in sMAPE plus in MASE (load/m4-data.ts). */
    scale: { type: 'string', default: 'series' },
    'no-warm-start': { type: 'boolean', default: false },
    jsonl: { type: 'string' },
    /** Patch tokens as length/stride (default: the model's default, 16/8). */
    patch: { type: 'string' },
    /** Write each seed's test forecasts (original units) to this JSON file, for ensembles across runs (load/m4-ensemble.ts). */
    'save-forecasts': { type: 'string' },
  },
});
const W = Number(a.window);
const EMA = Number(a['ema-epochs']);
const phases = new Set(a.phases!.split(','));

function report(model: string, s: { smape: number; mase: number }, note = ''): void {
  console.log(`| ${model} | ${s.smape.toFixed(3)} | ${s.mase.toFixed(3)} | ${note} |`);
  if (a.jsonl) appendFileSync(a.jsonl, JSON.stringify({ model, ...s, note, at: new Date().toISOString() }) + '\n');
}

/** Window starts of one series inside the concatenated z array, windows fully inside [from, to). */
function starts(offset: number, from: number, to: number, stride: number): number[] {
  const out: number[] = [];
  for (let s = from; s + W + M4_H <= to; s += stride) out.push(offset + s);
  return out;
}

/** All series' z-rows back to back, with the offset of each. */
function concatZ(series: M4Series[]): { values: Float32Array; offsets: number[] } {
  const offsets: number[] = [];
  let n = 0;
  for (const s of series) {
    offsets.push(n);
    n += s.z.length;
  }
  const values = new Float32Array(n);
  series.forEach((s, i) => values.set(s.z, offsets[i]));
  return { values, offsets };
}

function pairs(values: Float32Array, st: number[]): Dataset {
  const x = new Float32Array(st.length * W);
  const y = new Float32Array(st.length * M4_H);
  st.forEach((s, i) => {
    x.set(values.subarray(s, s + W), i * W);
    y.set(values.subarray(s + W, s + W + M4_H), i * M4_H);
  });
  return { x, y, n: st.length };
}

async function main(): Promise<void> {
  if (!existsSync(`${DIR}/Hourly-train.csv`)) {
    console.log(`bench:m4 skipped: ${DIR}/Hourly-train.csv not found (see ../shared/data/m4/README.md)`);
    return;
  }
  await initBackend({ prefer: 'wasm' });
  if (a.transform !== 'log' && a.transform !== 'none') throw new Error(`--transform must be log or none; got ${a.transform}`);
  if (a.scale !== 'series' && a.scale !== 'level' && a.scale !== 'joint') throw new Error(`--scale must be series, level or joint; got ${a.scale}`);
  // Both are in ln units; on raw values they would weigh series by their size.
  if (a.scale !== 'series' && a.transform !== 'log') throw new Error(`--scale ${a.scale} needs --transform log`);
  const series = loadM4Hourly(DIR, { log: a.transform === 'log', scale: a.scale });
  const space = a.transform === 'log' ? 'ln(value)' : 'value';
  console.log(`# M4 Hourly: ${series.length} series, horizon ${M4_H}, look-back ${W} (global models on ${space}, z-scored per series); published ES-RNN 9.328 / 0.893`);
  console.log('| model | sMAPE | MASE | note |\n|---|---:|---:|---|');
  if (phases.has('baselines')) {
    report('naive (repeat last)', scoreM4(series, series.map((s) => new Float64Array(M4_H).fill(s.train[s.train.length - 1]))));
    report('seasonal naive (24)', scoreM4(series, series.map(seasonalNaive)), 'protocol check: published 13.912 / 1.193');
  }
  const spec: ModelSpec = { window: W, features: ['v'], targets: ['v'], horizon: M4_H, quantiles: [0.1, 0.5, 0.9] };
  const { values, offsets } = concatZ(series);
  // Training windows end before the last 48 training values; those 48 are the validation targets.
  const trainStarts = series.flatMap((s, i) => starts(offsets[i], 0, s.z.length - M4_H, Number(a.stride)));
  const valStarts = series.map((s, i) => offsets[i] + s.z.length - M4_H - W);
  const warm = !a['no-warm-start'];
  const lin = phases.has('linear') || (phases.has('hybrid') && warm) ? fitLinearBaseline({ values, features: ['v'], targets: ['v'], window: W, horizon: M4_H, quantiles: spec.quantiles, fitStarts: Int32Array.from(series.flatMap((s, i) => starts(offsets[i], 0, s.z.length, 1))), calibrationStarts: Int32Array.from(valStarts) }) : null;
  if (phases.has('linear') && lin) {
    const f = await forecastM4(series, new LinearBaselinePredictor(lin));
    report(`linear (closed form, global, L=${W}, ${space})`, scoreM4(series, f), 'fitted on every training window of every series');
    // Beside the hybrid's file: a.json → a.linear.json.
    if (a['save-forecasts']) saveForecasts(a['save-forecasts'].replace(/(\.json)?$/, '.linear.json'), 'linear', series, [f]);
  }
  if (phases.has('zeroshot')) {
    const pre = await loadPretrained(resolveHybridConfig({}), DEFAULT_SPEC, a.pretrained);
    if (pre.ok) {
      const p = new TfjsPredictor(HybridModel.fromWeights(resolveHybridConfig({}), DEFAULT_SPEC, pre.weights), { version: pre.version, backend: 'wasm' });
      report(`zero-shot: shipped ${pre.version} (L=64, h=8 recursive)`, scoreM4(series, await forecastM4(series, p)), 'never saw M4');
      await p.dispose();
    } else console.log(`| zero-shot pretrained | — | — | not available: ${pre.reason} |`);
    const boot = await trainBootstrap(readValueColumn(BOOTSTRAP_SAMPLE), resolveHybridConfig({}), DEFAULT_SPEC, { epochs: 3, budgetMs: 35_000, seed: 42 });
    const bp = new TfjsPredictor(boot.model, { version: 'bootstrap', backend: 'wasm' });
    report('zero-shot: per-file bootstrap (nyc_taxi, 35 s budget, L=64, h=8 recursive)', scoreM4(series, await forecastM4(series, bp)), `${boot.steps} steps`);
    await bp.dispose();
  }
  if (phases.has('hybrid')) await hybridPhase(series, pairs(values, trainStarts), pairs(values, valStarts), spec, warm ? lin : null);
}

/** Test (and validation) forecasts (original units) per run, for load/m4-ensemble.ts. */
function saveForecasts(file: string, model: 'hybrid' | 'linear', series: M4Series[], runs: Float64Array[][], validation?: Float64Array[][]): void {
  const seeds = model === 'linear' ? 'closed form' : a.seeds!.split(',').slice(0, runs.length).join(',');
  const plain = (r: Float64Array[][]) => r.map((f) => f.map((v) => Array.from(v)));
  const saved: SavedM4Forecasts = { model, window: W, patch: a.patch ?? 'default', stride: Number(a.stride), transform: a.transform, scale: a.scale, ...(EMA > 0 ? { emaEpochs: EMA } : {}), seeds, ids: series.map((s) => s.id), forecasts: plain(runs), ...(validation ? { validation: plain(validation) } : {}) };
  writeFileSync(file, JSON.stringify(saved));
}

/** `--patch L/S` as a model config override ({} = the defaults). */
function patchConfig(): { patch?: { length: number; stride: number } } {
  if (!a.patch) return {};
  const [length, stride] = a.patch.split('/').map(Number);
  if (!(length >= 1 && stride >= 1)) throw new Error(`--patch must be length/stride, e.g. 24/12; got ${a.patch}`);
  return { patch: { length, stride } };
}

/** One global hybrid per seed, then the mean ± sd over seeds and the ensemble (mean of the seeds' forecasts). */
async function hybridPhase(series: M4Series[], train: Dataset, val: Dataset, spec: ModelSpec, lin: LinearBaselineState | null): Promise<void> {
  const runs: { score: { smape: number; mase: number }; forecasts: Float64Array[]; validation: Float64Array[] }[] = [];
  const valSeries = validationSeries(series);
  for (const seed of a.seeds!.split(',').map(Number)) {
    const model = createModel(patchConfig(), spec, seed);
    if (lin) setLinearSkip(model, lin);
    const g = await fitGlobal(model, train, val, { epochs: Number(a.epochs), batchSize: Number(a.batch), lr: Number(a.lr), emaEpochs: EMA, patience: Number(a.patience), seed, budgetMs: a['budget-min'] ? Number(a['budget-min']) * 60_000 : undefined });
    const p = new TfjsPredictor(model, { version: `m4-${seed}`, backend: 'wasm' });
    const forecasts = await forecastM4(series, p);
    const validation = await forecastM4(valSeries, p);
    const valScore = scoreM4(valSeries, validation);
    await p.dispose();
    const score = scoreM4(series, forecasts);
    runs.push({ score, forecasts, validation });
    // After every seed, so a run cut short still leaves the seeds it finished.
    if (a['save-forecasts']) saveForecasts(a['save-forecasts'], 'hybrid', series, runs.map((r) => r.forecasts), runs.map((r) => r.validation));
    report(`hybrid global, patches ${model.config.patch.length}/${model.config.patch.stride}, seed ${seed}`, score, `${train.n} train windows, ${lin ? 'warm start, ' : ''}${describeFit(g)}, lr ${a.lr}, scale ${a.scale}${EMA > 0 ? `, weights averaged (EMA, ${EMA} epochs)` : ''}, validation sMAPE / MASE ${valScore.smape.toFixed(3)} / ${valScore.mase.toFixed(3)}, ${g.minutes.toFixed(1)} min`);
  }
  if (runs.length < 2) return;
  const sm = meanSd(runs.map((r) => r.score.smape));
  const ma = meanSd(runs.map((r) => r.score.mase));
  report(`hybrid global, mean ± sd over ${runs.length} seeds`, { smape: sm.m, mase: ma.m }, `sd ${sm.sd.toFixed(3)} / ${ma.sd.toFixed(3)}`);
  report(`hybrid global, ensemble of the ${runs.length} seeds (mean forecast)`, scoreM4(series, combineForecasts(runs.map((r) => r.forecasts))), 'no extra training: the seeds above, averaged');
}

await main();
