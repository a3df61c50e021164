/**
 * `tickcast backtest`: rolling-origin evaluation of a saved model on a CSV file over the test
 * span of the same split the model was trained with (or --split). Prints one JSON result on
 * stdout; writes a plot with --plot (.png or .html).
 *
 * Normalisation: by default the model's own training statistics (what it was trained on and
 * what serving uses). --renormalise refits them on this file's training span instead, for a
 * model applied to a different series of the same shape; metrics are then on that file's scale.
 */
import { writeReadNotes } from './read-notes.ts';
import { extname } from 'node:path';
import { parseSplit, windowRange, type SplitBorders, type SplitSpec, type WindowRange } from '../data/split.ts';
import { dataError, shownPath } from '../data/csv.ts';
import { ErrorCodes } from '../errors/index.ts';
import { detectSeason, formatStep } from '../data/time.ts';
import { describeStep } from '../data/calendar-step.ts';
import { logMask } from '../domain/model-spec.ts';
import type { ModelSpec } from '../domain/types.ts';
import type { ZScoreStats } from '../data/normalise.ts';
import { runBacktest, type BacktestReport } from '../eval/backtest.ts';
import { renderHtml, renderPng } from '../eval/plot.ts';
import { DECIMAL_FLAG, FREQUENCY_FLAG, SKIP_ROWS_FLAG, decimalOption, frequencyOption, formatHelp, missingNote, missingPolicy, parseOptions, usageError, type OptionTable } from './args.ts';
import { fillGaps, type GapFilledTable } from '../data/missing-cells.ts';
import type { MissingPolicy } from '../data/missing-marks.ts';
import type { DecimalOption } from '../data/csv-decimal.ts';
import type { OnsFrequency } from '../data/ons-layout.ts';
import type { ColumnSelection } from '../data/table.ts';
import { noteNoneTime, readColumnFlag, timeColOf, type ColumnFlag } from './column-flag.ts';
import { loadMappedTable, parseColFlags, resolveColumnMap, type ColumnMap } from './column-map.ts';
import { checkLogDomain, prepare } from './dataset.ts';
import { windowStarts, withKnownTargets } from '../data/windows.ts';
import { writeJson, type CliIo } from './io.ts';
import { loadModelOrStore } from './load-model.ts';
import type { LoadedModel } from './model-dir.ts';
import { ProgressBar } from './progress.ts';
import { checkOutputFile, writeOutputFile } from './outputs.ts';

export const BACKTEST_OPTIONS = {
  data: { type: 'string', required: true, help: 'CSV file with the model\'s feature columns (- for stdin)', placeholder: 'file.csv' },
  model: { type: 'string', required: true, help: 'model directory written by "tickcast train", or a service checkpoint directory (its newest good version), opened read-only', placeholder: 'dir' },
  'time-col': { type: 'string', help: 'time column; none if there is none; a name in double quotes is read exactly: \'"none"\' for a column named none (default: as in training, else auto)', placeholder: 'name|none' },
  col: { type: 'strings', help: 'read the model\'s feature from this file\'s column of another name, e.g. --col value=price (default: the column of the feature\'s own name)', placeholder: 'feature=column' },
  'value-col': { type: 'string', help: 'for a model of one feature: the column to read it from (--col <feature>=<column> in short)', placeholder: 'column' },
  split: { type: 'string', help: 'train,val,test fractions or "ett" (default: the split the model was trained with)', placeholder: 'spec' },
  stride: { type: 'number', default: 1, integer: true, min: 1, help: 'rows between forecast origins (1 = every window, the ETT protocol)' },
  season: { type: 'string', default: 'auto', help: 'seasonal period in rows for MASE and seasonal-naive; auto: 24 for hourly, 288 for 5-minute, ... from the timestamps', placeholder: 'auto|n' },
  decimal: DECIMAL_FLAG,
  'skip-rows': SKIP_ROWS_FLAG,
  frequency: FREQUENCY_FLAG,
  missing: { type: 'string', default: 'fill', help: 'empty, NA, NaN, null cells in a column read: fill (carried forward, or a row missing every column filled in as a lost row, as in training), skip (drop each row that has one) or error (stop, exit 65); windows forecasting a filled target are not scored', placeholder: 'fill|skip|error' },
  'batch-size': { type: 'number', default: 256, integer: true, min: 1, help: 'windows per predict call' },
  renormalise: { type: 'boolean', help: 'refit z-score statistics on this file\'s training span instead of using the model\'s' },
  plot: { type: 'string', help: 'write a plot of actual vs p50 with the band: .png or .html', placeholder: 'out.png|out.html' },
  'plot-rows': { type: 'number', integer: true, min: 1, help: 'rows of the test span to plot, ending at its end (default: 8 horizons, at least 336)' },
} satisfies OptionTable;

export const BACKTEST_SUMMARY = 'Rolling-origin backtest of a saved model on the test span of a CSV file: MSE, MAE, RMSE (z-normalised), MASE against seasonal-naive, p10-p90 coverage, naive baselines on the same windows; prints JSON.';

export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(formatHelp('backtest', BACKTEST_SUMMARY, BACKTEST_OPTIONS));
    return 0;
  }
  const opts = parseOptions('backtest', BACKTEST_OPTIONS, argv);
  const plotKind = opts.plot === undefined ? null : extname(opts.plot).toLowerCase();
  if (plotKind !== null && plotKind !== '.png' && plotKind !== '.html' && plotKind !== '.htm') {
    throw usageError(`--plot must end in .png or .html; got ${JSON.stringify(opts.plot)}`);
  }
  // Before the model loads and the backtest runs: a plot path that cannot be written must not cost the result.
  if (opts.plot !== undefined) await checkOutputFile(opts.plot, '--plot');
  const seasonArg = seasonOption(opts.season);
  const missing = missingPolicy(opts.missing, ['fill', 'skip', 'error']);

  const colPairs = parseColFlags(opts.col);
  const model = await loadModelOrStore(opts.model);
  try {
    const spec = model.predictor.spec;
    const split: SplitSpec = parseSplit(opts.split ?? model.data?.split ?? '0.7,0.1,0.2');
    const columns = resolveColumnMap(colPairs, opts['value-col'], spec.features);
    const fill = await readFile(opts.data, model, columns, { timeCol: readColumnFlag(opts['time-col']), missing, decimal: decimalOption(opts.decimal), skipRows: opts['skip-rows'], frequency: frequencyOption(opts.frequency) }, io);
    const table = fill.table;
    const refit = opts.renormalise || model.normalisation === null;
    if (!opts.renormalise && model.normalisation === null) io.stderr.write('backtest: the model artifact has no normalisation statistics; fitting them on this file\'s training span\n');
    const data = prepare(table, split, spec.window, spec.horizon, { stats: refit ? undefined : (model.normalisation ?? undefined), logFeatures: spec.logFeatures });
    const test = testWindows(data.borders, spec, opts.split !== undefined);
    const season = seasonArg ?? autoSeason(table.stepMs, data.borders.trainEnd, io);
    const units = originalUnits(spec, data.stats);
    const windows = scoredWindows(test, opts.stride, fill.filled, spec);
    io.stderr.write(`backtest: ${model.kind} model (${model.predictor.engine}/${model.predictor.backend}), window ${spec.window}, horizon ${spec.horizon}, ${plan(windows, opts.stride, describeStep(table), season, fill.count)}${missingNote(fill.missing)}\n`);
    const bar = new ProgressBar(io, 'backtest', windows.scored, { unit: 'windows' });
    const report = await runBacktest({
      predictor: model.predictor,
      values: data.values,
      timesMs: table.timesMs,
      range: test,
      filled: fill.filled.includes(1) ? fill.filled : undefined,
      stride: opts.stride,
      batchSize: opts['batch-size'],
      season,
      scaleEndRow: data.borders.trainEnd,
      ...units,
      plotRows: plotKind ? (opts['plot-rows'] ?? Math.max(336, 8 * spec.horizon)) : undefined,
      onProgress: (done) => bar.update(done),
      signal: io.signal,
    });
    bar.finish();
    const { plot, ...rest } = report;
    const result = {
      ok: true,
      data: shownPath(opts.data),
      columns: columns.read,
      timeCol: table.timeCol,
      model: { dir: model.dir, kind: model.kind, engine: model.predictor.engine, backend: model.predictor.backend, version: model.predictor.version, spec },
      split: { spec: opts.split ?? model.data?.split ?? '0.7,0.1,0.2', borders: data.borders, testRows: data.borders.testEnd - data.borders.valEnd },
      normalisation: refit ? 'refit on this file\'s training span' : 'model training statistics',
      metricsSpace: metricsSpace(spec, units.targetStd !== undefined),
      windows: rest.windows,
      unscoredWindows: windows.total - rest.windows,
      stride: rest.stride,
      season: rest.season,
      metrics: rest.model,
      baselines: rest.baselines,
      relativeMaeVsSeasonalNaive: rest.relativeMaeVsSeasonalNaive,
      elapsedMs: rest.elapsedMs,
      filledRows: fill.count,
      missing: fill.missing,
      plot: opts.plot ?? null,
    };
    if (plot && opts.plot) await writePlot(opts.plot, plotKind as string, plot, report, result);
    writeJson(io.stdout, result);
    return 0;
  } finally {
    await model.predictor.dispose();
  }
}

/**
 * The file's table for the model, with the rows it lost filled in as training filled them (the
 * artifact's --fill-missed; none before it was recorded). Says on stderr when the time column is
 * the file's own rather than the model's.
 */
async function readFile(path: string, model: LoadedModel, columns: ColumnMap, flags: { timeCol: ColumnFlag; missing: MissingPolicy; decimal: DecimalOption; skipRows: number; frequency?: OnsFrequency }, io: CliIo): Promise<GapFilledTable> {
  const spec = model.predictor.spec;
  const selection = { ...modelSelection(spec, model.data, flags.timeCol), missing: flags.missing, decimal: flags.decimal, skipRows: flags.skipRows, frequency: flags.frequency };
  const raw = await loadMappedTable(path, selection, columns, io.signal, (header) => noteNoneTime(io, 'backtest', header, flags.timeCol));
  writeReadNotes(io, 'backtest', raw);
  if (raw.timeCol !== null && selection.timeCol !== undefined && raw.timeCol !== selection.timeCol) {
    io.stderr.write(`backtest: the file has no column ${JSON.stringify(selection.timeCol)} (the model's time column); reading time from ${JSON.stringify(raw.timeCol)} (name another with --time-col)\n`);
  }
  // Named by the file's columns (the table carries the model's names from here on), before any row is filled in.
  checkLogDomain(raw, spec.logFeatures, { fileColumns: columns.read, byModel: true });
  return fillGaps(raw, flags.missing, model.data?.fillMissed ?? 0, spec.logFeatures);
}

/**
 * --season auto: the step's season (detectSeason), or 1 when the training span does not hold more
 * than one season, said on stderr: the MASE scale is the seasonal-naive error over that span
 * (metrics.ts seasonalNaiveScale), so every MASE would be null. Since 7 Dec 2026, when weekly data
 * got season 52 (1 before): 60 weeks of data (42 training rows) gave MASE null without a word.
 */
function autoSeason(stepMs: number, trainRows: number, io: CliIo): number {
  const season = detectSeason(stepMs);
  if (season === 1 || trainRows > season) return season;
  io.stderr.write(`backtest: season ${season} (rows every ${formatStep(stepMs)}) needs more than ${season} rows in the training span, which has ${trainRows}: season 1 (repeat-last) instead, so MASE has a scale; give --season to choose\n`);
  return 1;
}

/** --season: null for auto, else a whole number >= 1. */
function seasonOption(text: string): number | null {
  if (text === 'auto') return null;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw usageError(`--season must be "auto" or a whole number >= 1; got ${JSON.stringify(text)}`);
  return n;
}

/** The model's columns, and its time column (as in training unless --time-col names one), for loadMappedTable. */
function modelSelection(spec: ModelSpec, data: LoadedModel['data'], flag: ColumnFlag): ColumnSelection & { features: readonly string[]; targets: readonly string[] } {
  const timeColFlag = timeColOf(flag);
  // The model's own: null when it was trained without a time column, else a column's name — a column named "none" too (until 7 Dec 2026 read as no time column).
  const timeCol = timeColFlag !== undefined ? timeColFlag : data?.timeCol;
  const timeColFrom = timeColFlag === undefined ? 'the time column the model was trained with; name another with --time-col' : undefined;
  return { timeCol, features: spec.features, targets: spec.targets, from: 'model', timeColFrom, timeColFromModel: timeColFlag === undefined };
}

/** The test span's windows; too few: TC_DATA_TOO_SHORT saying what backtest can change (not the model's window or horizon). */
function testWindows(borders: SplitBorders, spec: ModelSpec, splitGiven: boolean): WindowRange {
  const r = windowRange(borders, 'test', spec.window, spec.horizon);
  if (r.count >= 1) return r;
  const split = splitGiven ? 'a larger test fraction in --split' : 'a larger test fraction with --split (default: the split the model was trained with)';
  throw dataError(
    ErrorCodes.DATA_TOO_SHORT,
    `the test span (${borders.testEnd - borders.valEnd} rows) has room for no window of the model's ${spec.window} + ${spec.horizon} rows; give a file with more rows, or ${split}`,
    { span: 'test', window: spec.window, horizon: spec.horizon, borders },
  );
}

/** What the metrics are measured in. */
function metricsSpace(spec: { logFeatures?: readonly string[] }, original: boolean): string {
  return original ? 'z-normalised (per target: (value - train mean) / train std); *Original fields are in data units' : `z-normalised ln(value) for [${spec.logFeatures}] (the model's space); no *Original fields`;
}

/**
 * The test windows (`total`) and those scored: not one whose forecast span holds a target carried
 * forward or filled in (--missing, --fill-missed). None scored is TC_DATA_TOO_SHORT: until 7 Dec 2026
 * such a run (a target gap in every forecast span) ended "ok" with 0 windows and null metrics.
 */
function scoredWindows(test: WindowRange, stride: number, filled: Uint8Array, spec: ModelSpec): { total: number; scored: number } {
  const starts = windowStarts(test.first, test.last, stride);
  const scored = withKnownTargets(starts, filled.includes(1) ? filled : undefined, spec.window, spec.horizon).length;
  if (scored === 0) {
    const made = filled.subarray(test.first + spec.window).reduce((n, v) => n + v, 0);
    throw dataError(
      ErrorCodes.DATA_TOO_SHORT,
      `none of the ${starts.length} test windows can be scored: each forecasts a target that was carried forward or filled in (${made} such rows in the test span), and no error is measured against a made-up value; give a file with fewer gaps in its test span, or a larger test fraction with --split`,
      { span: 'test', windows: starts.length, madeUpRows: made },
    );
  }
  return { total: starts.length, scored };
}

/** The run's windows (those scored when a gap leaves some out), spacing and season for the stderr line, and the rows filled in. */
function plan(windows: { total: number; scored: number }, stride: number, step: string, season: number, filled: number): string {
  const unscored = windows.total - windows.scored;
  const scored = unscored > 0 ? `, ${windows.scored} scored (${unscored} forecast a carried or filled-in target)` : '';
  const fill = filled > 0 ? `; ${filled} rows the file lost filled in as in training (a window forecasting one is not scored)` : '';
  return `${windows.total} test windows (stride ${stride})${scored}, rows every ${step}, season ${season}${fill}`;
}

async function writePlot(path: string, kind: string, plot: NonNullable<BacktestReport['plot']>, report: BacktestReport, result: unknown): Promise<void> {
  const m = report.model.overall;
  const cov = m.coverage === null ? '' : `  COVERAGE ${(m.coverage * 100).toFixed(1)}%`;
  const band = report.model.bandQuantiles ? `P${Math.round(report.model.bandQuantiles[0] * 100)}-P${Math.round(report.model.bandQuantiles[1] * 100)}` : 'P50';
  const meta = {
    title: `BACKTEST: ${report.windows} WINDOWS, HORIZON ${report.horizon}`,
    subtitle: `MSE ${m.mse.toFixed(3)}  MAE ${m.mae.toFixed(3)}  MASE ${m.mase === null ? '-' : m.mase.toFixed(3)}${cov}  (ERRORS ON Z-SCALE, PLOT IN DATA UNITS)`,
    bandLabel: band,
  };
  if (kind === '.png') await writeOutputFile(path, renderPng(plot, meta), '--plot');
  else await writeOutputFile(path, renderHtml(plot, { ...meta, title: meta.title.toLowerCase(), subtitle: meta.subtitle }, result), '--plot');
}

/** Each target's training mean/std, for errors in data units: only when no target is read as ln(value) (then they are not a linear map). */
function originalUnits(spec: ModelSpec, stats: ZScoreStats): { targetStd?: number[]; targetMean?: number[] } {
  if (logMask(spec, spec.targets).some(Boolean)) return {};
  const at = (t: string) => stats.columns.indexOf(t);
  return { targetStd: spec.targets.map((t) => stats.std[at(t)]), targetMean: spec.targets.map((t) => stats.mean[at(t)]) };
}
