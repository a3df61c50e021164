/**
 * `npm run bench:m4-ensemble -- a.json b.json …` — score ensembles of M4 Hourly forecasts saved by
 * `npm run bench:m4 -- --save-forecasts f.json`: each file's seeds alone, each file's seed mean,
 * and the mean (and the median) of every seed of every file, with seasonal naive recomputed in the
 * same run as the protocol check. Combining runs is post-hoc: the files must come from runs whose
 * choices were made on validation, not on these test scores. When every file also holds its runs'
 * validation forecasts (bench:m4 writes them since the tenth session), each row shows the
 * validation task's sMAPE / MASE too, so an ensemble can be chosen on validation.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { combineForecasts as combine, loadM4Hourly, scoreM4, seasonalNaive, validationSeries, type SavedM4Forecasts } from './m4-data.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = process.env.TICKCAST_M4_DIR ?? resolve(repoRoot, '../shared/data/m4');
const files = process.argv.slice(2).filter((f) => f !== '--');
if (files.length === 0 || files.some((f) => f === '--help' || f === '-h')) {
  console.error('usage: npm run bench:m4-ensemble -- a.json [b.json …]   (files written by npm run bench:m4 -- --save-forecasts a.json)');
  process.exit(files.length === 0 ? 2 : 0);
}
const series = loadM4Hourly(DIR);
const valSeries = validationSeries(series);
const ids = series.map((s) => s.id).join(',');
const saved = files.map((f) => {
  const s = JSON.parse(readFileSync(f, 'utf8')) as SavedM4Forecasts;
  if (s.ids.join(',') !== ids) throw new Error(`${f}: its series are not M4 Hourly's in this order`);
  return s;
});
const withVal = saved.every((s) => s.validation !== undefined);
type Runs = readonly (readonly ArrayLike<number>[])[];
type Forecast = Float64Array[];
/** One row: a forecast scored on test, and on the validation task first when every file has it. */
const show = (name: string, test: Forecast, val?: Forecast) => {
  const s = scoreM4(series, test);
  const v = withVal && val ? scoreM4(valSeries, val) : null;
  console.log(`| ${name} | ${v ? `${v.smape.toFixed(3)} / ${v.mase.toFixed(3)} | ` : ''}${s.smape.toFixed(3)} | ${s.mase.toFixed(3)} |`);
};
/** The runs combined (mean or median), then scored. */
const row = (name: string, test: Runs, val?: Runs, how: 'mean' | 'median' = 'mean') => show(name, combine(test, how), val && combine(val, how));
console.log(withVal ? '| forecasts | validation sMAPE / MASE | sMAPE | MASE |\n|---|---:|---:|---:|' : '| forecasts | sMAPE | MASE |\n|---|---:|---:|');
const naive = (x: typeof series) => [x.map((s) => seasonalNaive(s))];
row('seasonal naive (24), protocol check 13.912 / 1.193', naive(series), naive(valSeries));
const all: number[][][] = [];
const allVal: number[][][] = [];
const perFile: Float64Array[][] = [];
const perFileVal: Float64Array[][] = [];
saved.forEach((s) => {
  const scale = (s.scale && s.scale !== 'series' ? `, scale ${s.scale}` : '') + (s.emaEpochs ? `, EMA ${s.emaEpochs} epochs` : '');
  const label = s.model === 'linear' ? `linear, L=${s.window}, ${s.transform}` : `hybrid, L=${s.window}, patches ${s.patch}, training windows every ${s.stride} steps, ${s.transform}${scale}`;
  s.forecasts.forEach((r, j) => row(s.model === 'linear' ? label : `${label}, seed ${s.seeds.split(',')[j]}`, [r], s.validation ? [s.validation[j]] : undefined));
  const mean = combine(s.forecasts);
  const meanVal = s.validation && combine(s.validation);
  if (s.forecasts.length > 1) show(`${label}: mean of its ${s.forecasts.length} seeds`, mean, meanVal);
  all.push(...s.forecasts);
  perFile.push(mean);
  if (s.validation && meanVal) {
    allVal.push(...s.validation);
    perFileVal.push(meanVal);
  }
});
if (files.length > 1) {
  row(`all ${all.length} runs: mean`, all, allVal);
  row(`all ${all.length} runs: median`, all, allVal, 'median');
  row(`the ${files.length} files' means, averaged (each file weighs the same)`, [combine(perFile)], [combine(perFileVal)]);
}
