/**
 * `npm run bench:m4-ensemble -- a.json b.json …` — score ensembles of M4 Hourly forecasts saved by
 * `npm run bench:m4 -- --save-forecasts f.json`: each file's seeds alone, each file's seed mean,
 * and the mean (and the median) of every seed of every file, with seasonal naive recomputed in the
 * same run as the protocol check. Combining runs is post-hoc: the files must come from runs whose
 * choices were made on validation, not on these test scores.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { combineForecasts as combine, loadM4Hourly, scoreM4, seasonalNaive, type SavedM4Forecasts } from './m4-data.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = process.env.TICKCAST_M4_DIR ?? resolve(repoRoot, '../shared/data/m4');
const files = process.argv.slice(2).filter((f) => f !== '--');
if (files.length === 0) throw new Error('usage: npm run bench:m4-ensemble -- a.json [b.json …] (files from bench:m4 --save-forecasts)');
const series = loadM4Hourly(DIR);
const ids = series.map((s) => s.id).join(',');
const row = (name: string, f: Float64Array[]) => {
  const s = scoreM4(series, f);
  console.log(`| ${name} | ${s.smape.toFixed(3)} | ${s.mase.toFixed(3)} |`);
};
console.log('| forecasts | sMAPE | MASE |\n|---|---:|---:|');
row('seasonal naive (24), protocol check 13.912 / 1.193', series.map(seasonalNaive));
const all: number[][][] = [];
const perFile: Float64Array[][] = [];
for (const f of files) {
  const s = JSON.parse(readFileSync(f, 'utf8')) as SavedM4Forecasts;
  if (s.ids.join(',') !== ids) throw new Error(`${f}: its series are not M4 Hourly's in this order`);
  const label = s.model === 'linear' ? `linear, L=${s.window}, ${s.transform}` : `hybrid, L=${s.window}, patches ${s.patch}, training windows every ${s.stride} steps, ${s.transform}`;
  s.forecasts.forEach((r, j) => row(s.model === 'linear' ? label : `${label}, seed ${s.seeds.split(',')[j]}`, r.map((v) => Float64Array.from(v))));
  const fileMean = combine(s.forecasts);
  if (s.forecasts.length > 1) row(`${label}: mean of its ${s.forecasts.length} seeds`, fileMean);
  all.push(...s.forecasts);
  perFile.push(fileMean);
}
if (files.length > 1) {
  row(`all ${all.length} runs: mean`, combine(all, 'mean'));
  row(`all ${all.length} runs: median`, combine(all, 'median'));
  row(`the ${files.length} files' means, averaged (each file weighs the same)`, combine(perFile, 'mean'));
}
