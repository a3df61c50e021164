/**
 * `npm run bench:zeroshot-ett` — the served model zero-shot on ETTh1 univariate (OT, horizon 96,
 * every test window of the standard split): the shipped pretrained model and the per-file bootstrap
 * model (trained on nyc_taxi for 35 s, what `npm start` did before), both window 64 / horizon 8
 * run recursively (load/recursive-predictor.ts), next to repeat-last and seasonal naive (24 h) on the
 * same windows. Neither model saw ETT. Skips when ETTh1 is absent.
 *
 * Options: --pretrained DIR (a `npm run pretrain -- --out DIR` output; default the shipped one)
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadTable, prepare } from '../src/cli/dataset.ts';
import { runBacktest } from '../src/eval/backtest.ts';
import { initBackend } from '../src/model/backend.ts';
import { BOOTSTRAP_SAMPLE, readValueColumn, trainBootstrap } from '../src/model/bootstrap.ts';
import { DEFAULT_SPEC, resolveHybridConfig } from '../src/model/config.ts';
import { HybridModel } from '../src/model/hybrid-model.ts';
import { TfjsPredictor } from '../src/model/predictor.ts';
import { loadPretrained } from '../src/model/pretrained.ts';
import type { Predictor } from '../src/pipeline/ports.ts';
import { RecursivePredictor } from './recursive-predictor.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: a } = parseArgs({ options: { pretrained: { type: 'string' } } });
const ETT = resolve(process.env.TICKCAST_ETT_DIR ?? resolve(repoRoot, '../shared/data/ett'), 'ETTh1.csv');

async function main(): Promise<void> {
  if (!existsSync(ETT)) return console.log(`bench:zeroshot-ett skipped: ${ETT} not found`);
  await initBackend({ prefer: 'wasm' });
  const data = prepare(await loadTable(ETT, { timeCol: 'date', features: ['OT'], targets: ['OT'] }), { kind: 'ett' }, DEFAULT_SPEC.window, 96);
  const score = async (p: Predictor) => runBacktest({ predictor: p, values: data.values, timesMs: data.table.timesMs, range: data.ranges.test, season: 24, scaleEndRow: data.borders.trainEnd, batchSize: 256 });
  const config = resolveHybridConfig({});
  const spec = { ...DEFAULT_SPEC, features: ['OT'], targets: ['OT'] };
  console.log('| model (ETTh1 S, h=96, zero-shot) | MSE | MAE |\n|---|---:|---:|');
  const pre = await loadPretrained(config, DEFAULT_SPEC, a.pretrained);
  if (!pre.ok) throw new Error(pre.reason);
  const p = new RecursivePredictor(new TfjsPredictor(HybridModel.fromWeights(config, spec, pre.weights), { version: pre.version, backend: 'wasm' }), 96);
  const r = await score(p);
  console.log(`| repeat-last | ${r.baselines.repeatLast.overall.mse.toFixed(4)} | ${r.baselines.repeatLast.overall.mae.toFixed(4)} |`);
  console.log(`| seasonal naive (24 h) | ${r.baselines.seasonalNaive.overall.mse.toFixed(4)} | ${r.baselines.seasonalNaive.overall.mae.toFixed(4)} |`);
  console.log(`| shipped ${pre.version} (L=64, h=8 recursive) | ${r.model.overall.mse.toFixed(4)} | ${r.model.overall.mae.toFixed(4)} |`);
  await p.dispose();
  const boot = await trainBootstrap(readValueColumn(BOOTSTRAP_SAMPLE), config, DEFAULT_SPEC, { epochs: 3, budgetMs: 35_000, seed: 42 });
  const bw = boot.model.getWeights();
  boot.model.dispose();
  const b = new RecursivePredictor(new TfjsPredictor(HybridModel.fromWeights(config, spec, bw), { version: 'bootstrap', backend: 'wasm' }), 96);
  const rb = await score(b);
  console.log(`| per-file bootstrap (nyc_taxi, ${boot.steps} steps in 35 s; L=64, h=8 recursive) | ${rb.model.overall.mse.toFixed(4)} | ${rb.model.overall.mae.toFixed(4)} |`);
  await b.dispose();
}

await main();
