/**
 * `tickcast train`: CSV → chronological train/val/test split → z-score with training statistics
 * → windows → fit → model directory. Prints one JSON result on stdout; progress on stderr.
 *
 * --arch hybrid (default) trains the BiLSTM+Transformer model of src/model with early stopping on
 * validation pinball loss; --arch linear fits the closed-form NLinear-style baseline (seconds,
 * no tfjs), which is also the yardstick every hybrid model should beat.
 */
import { shownPath } from '../data/csv.ts';
import { formatSplit, parseSplit, requireWindows } from '../data/split.ts';
import { windowStarts } from '../data/windows.ts';
import { describeStep } from '../data/calendar-step.ts';
import { fitLinearBaselineAsync } from '../eval/linear-baseline.ts';
import { copySpec } from '../domain/model-spec.ts';
import { closuresIn, trainedAcrossClosures } from '../domain/closures.ts';
import { FILL_MISSED_DEFAULT } from '../config/schema/stream.ts';
import type { ModelSpec } from '../domain/types.ts';
import { DECIMAL_FLAG, FREQUENCY_FLAG, SKIP_ROWS_FLAG, decimalOption, frequencyOption, formatHelp, missingNote, missingPolicy, parseList, parseNumberList, parseOptions, usageError, type OptionTable } from './args.ts';
import { noteNoneTime, readColumnFlag, timeColOf } from './column-flag.ts';
import { checkLogDomain, loadTable, prepare, type PreparedData } from './dataset.ts';
import { fillGaps } from '../data/missing-cells.ts';
import type { MissingPolicy } from '../data/missing-marks.ts';
import { TIME_NAMES, type SeriesTable } from '../data/table.ts';
import { writeReadNotes } from './read-notes.ts';
import { defaultTargetWhy } from '../data/default-target.ts';
import { throwIfInterrupted, writeJson, type CliIo } from './io.ts';
import { saveLinearModel, type DataProvenance } from './model-dir.ts';
import { ProgressBar } from './progress.ts';
import { checkModelOutput, type ModelOutput } from './outputs.ts';
import type { BackendPreference } from '../model/backend.ts';

/** The names initBackend accepts; a type-only import, so a linear fit never loads tfjs. */
const BACKENDS = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const satisfies readonly BackendPreference[];
// Compile-time check that the list is complete: this fails to type-check when BackendPreference gains a name.
type MissingBackend = Exclude<BackendPreference, (typeof BACKENDS)[number]>;
const backendsComplete: [MissingBackend] extends [never] ? true : MissingBackend = true;
void backendsComplete;

export const TRAIN_OPTIONS = {
  data: { type: 'string', required: true, help: 'CSV file with a header row (- for stdin)', placeholder: 'file.csv' },
  out: { type: 'string', required: true, help: 'directory to write the model to', placeholder: 'dir' },
  'time-col': { type: 'string', help: `time column; none if there is none; a name in double quotes is read exactly: '"none"' for a column named none (default: the first named ${TIME_NAMES.join('/')}, any case, punctuation alike, else column 0)`, placeholder: 'name|none' },
  target: { type: 'string', help: 'column(s) to forecast, comma-separated (default: the column named Adj Close, Close, price, last or value …, else the last numeric column)', placeholder: 'a[,b]' },
  features: { type: 'string', help: 'input columns, comma-separated (default: all numeric columns; targets are always included)', placeholder: 'a,b' },
  log: { type: 'string', help: 'model these columns as ln(value), for positive series (prices, counts, load): "targets", "all" or a comma-separated list; forecasts come back in data units', placeholder: 'cols' },
  arch: { type: 'string', default: 'hybrid', help: 'hybrid (BiLSTM+Transformer, tfjs) or linear (closed-form NLinear baseline)', placeholder: 'hybrid|linear' },
  window: { type: 'number', default: 96, integer: true, min: 2, help: 'look-back length in rows' },
  horizon: { type: 'number', default: 24, integer: true, min: 1, help: 'rows to forecast' },
  quantiles: { type: 'string', default: '0.1,0.5,0.9', help: 'quantile levels, ascending, including 0.5', placeholder: 'list' },
  split: { type: 'string', default: '0.7,0.1,0.2', help: 'train,val,test fractions by time, or "ett" (12/4/4 months of 30 days)', placeholder: 'spec' },
  decimal: DECIMAL_FLAG,
  'skip-rows': SKIP_ROWS_FLAG,
  frequency: FREQUENCY_FLAG,
  missing: { type: 'string', default: 'fill', help: 'empty, NA, NaN, null cells in a column read: fill (carry the value before, as the service carries a feature a tick lacks; a row missing every column is a lost reading, filled as --fill-missed fills one), skip (drop each row that has one) or error (stop, exit 65)', placeholder: 'fill|skip|error' },
  'fill-missed': { type: 'number', default: FILL_MISSED_DEFAULT, integer: true, min: 0, help: 'fill up to this many rows the file lost on its clock, as the service fills readings a feed misses (windows.fillMissed), so training sees the windows the model is served; 0 = rows as they came' },
  epochs: { type: 'number', default: 20, integer: true, min: 1, help: 'maximum training epochs (hybrid)' },
  patience: { type: 'number', default: 3, integer: true, min: 1, help: 'stop after this many epochs without a better validation loss (hybrid)' },
  'batch-size': { type: 'number', default: 64, integer: true, min: 1, help: 'training batch size (hybrid)' },
  lr: { type: 'number', default: 1e-3, min: 0, help: 'Adam learning rate (hybrid)' },
  'ema-epochs': { type: 'number', default: 0, min: 0, help: 'validate and keep a moving average of the weights with this time constant in epochs, e.g. 0.5; 0 = the last weights (hybrid)' },
  'max-train-windows': { type: 'number', integer: true, min: 1, help: 'use at most this many training windows, evenly spaced over the training span (hybrid; speeds up big files)' },
  'max-val-windows': { type: 'number', default: 2000, integer: true, min: 1, help: 'validation windows per epoch, evenly spaced (hybrid)' },
  'd-model': { type: 'number', default: 32, integer: true, min: 1, help: 'width of the input projection and Transformer (hybrid)' },
  'hidden-size': { type: 'number', integer: true, min: 1, help: 'LSTM units per direction (hybrid; default round(1.5 * d-model))' },
  'lstm-layers': { type: 'number', default: 2, integer: true, min: 1, help: 'LSTM layers (hybrid)' },
  dropout: { type: 'number', default: 0.2, min: 0, max: 0.95, help: 'dropout between LSTM layers (hybrid)' },
  'transformer-layers': { type: 'number', default: 1, integer: true, min: 0, help: 'Transformer encoder layers (hybrid)' },
  heads: { type: 'number', default: 4, integer: true, min: 1, help: 'attention heads (hybrid)' },
  ffn: { type: 'number', integer: true, min: 1, help: 'Transformer feed-forward width (hybrid; default 2 * d-model)' },
  'no-revin': { type: 'boolean', help: 'turn off per-window instance normalisation (hybrid)' },
  'no-warm-start': { type: 'boolean', help: 'start the linear skip as "repeat last value" instead of the least-squares fit (hybrid)' },
  'time-budget-min': { type: 'number', min: 0, help: 'stop training after this many minutes, keeping the best weights (hybrid)' },
  backend: { type: 'string', default: 'auto', help: 'tfjs backend: auto, tfjs-node-gpu, tfjs-node, wasm or cpu (hybrid)', placeholder: 'name' },
  seed: { type: 'number', default: 42, integer: true, help: 'random seed (weights, shuffling)' },
  ridge: { type: 'number', default: 1e-4, min: 0, help: 'ridge penalty, relative to the mean diagonal of XᵀX (linear)' },
  force: { type: 'boolean', help: 'overwrite --out if it already holds a model' },
} satisfies OptionTable;

export const TRAIN_SUMMARY = 'Train a forecaster on a CSV file: chronological split, z-score with training statistics, early stopping; writes a model directory and prints a JSON result.';

export type TrainOptions = ReturnType<typeof parseOptions<typeof TRAIN_OPTIONS>>;

export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(formatHelp('train', TRAIN_SUMMARY, TRAIN_OPTIONS));
    return 0;
  }
  const opts = parseOptions('train', TRAIN_OPTIONS, argv);
  if (opts.arch !== 'hybrid' && opts.arch !== 'linear') throw usageError(`--arch must be hybrid or linear; got ${JSON.stringify(opts.arch)}`);
  const quantiles = parseNumberList('quantiles', opts.quantiles);
  if (!quantiles.includes(0.5) || quantiles.some((q, i) => q <= 0 || q >= 1 || (i > 0 && q <= quantiles[i - 1]))) {
    throw usageError(`--quantiles must be ascending levels in (0,1) including 0.5; got ${opts.quantiles}`);
  }
  if (!(BACKENDS as readonly string[]).includes(opts.backend)) throw usageError(`--backend must be one of ${BACKENDS.join(', ')}; got ${JSON.stringify(opts.backend)}`);
  const split = parseSplit(opts.split);
  const missing = missingPolicy(opts.missing, ['fill', 'skip', 'error']);
  // Checked before reading the data; the model is written beside --out and swapped in only after training succeeded.
  const output = await checkModelOutput(opts.out, opts.force);

  const t0 = performance.now();
  const raw = await readTable(opts, missing, io);
  const spec = copySpec({ window: opts.window, horizon: opts.horizon, features: raw.features, targets: raw.targets, quantiles, logFeatures: logColumns(opts.log, raw.features, raw.targets) });
  checkLogDomain(raw, spec.logFeatures); // on the rows as read: the row and value named are the file's, not a filled row's
  const fill = fillGaps(raw, missing, opts['fill-missed'], spec.logFeatures);
  const table = fill.table;
  const data = prepare(table, split, opts.window, opts.horizon, { logFeatures: spec.logFeatures });
  const train = requireWindows(data.borders, 'train', opts.window, opts.horizon);
  const val = requireWindows(data.borders, 'val', opts.window, opts.horizon);
  io.stderr.write(
    `train: ${table.rows} rows every ${describeStep(raw)}, features [${table.features.join(', ')}] → targets [${table.targets.join(', ')}], ` +
      `windows train ${train.count} / val ${val.count} / test ${data.ranges.test.count}` +
      (fill.count > 0 ? `; ${fill.count} rows the file lost on its clock filled in (--fill-missed ${opts['fill-missed']})` : '') +
      missingNote(fill.missing) +
      '\n',
  );
  const provenance = { ...provenanceOf(opts.data, data, formatSplit(split), raw), fillMissed: opts['fill-missed'], filledRows: fill.count };
  if (trainedAcrossClosures(provenance.closures)) {
    io.stderr.write(`train: ${provenance.closures!.closed} of the file's ${provenance.closures!.late} late rows follow hours it is never read in (nights, weekends): the model learns its time as the rows came; the service serves it windows the same way (windows.openHours auto)\n`);
  }

  let training: Record<string, unknown>;
  if (opts.arch === 'linear') {
    const bar = new ProgressBar(io, 'fit linear', 1);
    // Sliced, giving the event loop a turn every ~50 ms: a Ctrl-C during the fit (seconds to minutes on a large file) stops it there.
    const state = await fitLinearBaselineAsync({
      values: data.values,
      features: table.features,
      targets: table.targets,
      window: opts.window,
      horizon: opts.horizon,
      quantiles,
      fitStarts: windowStarts(train.first, train.last),
      calibrationStarts: windowStarts(val.first, val.last),
      ridge: opts.ridge,
      logFeatures: spec.logFeatures,
    }, io.signal);
    bar.update(1);
    bar.finish();
    training = { arch: 'linear', ridge: opts.ridge, fitWindows: train.count, calibrationWindows: val.count };
    await throwIfInterrupted(io.signal); // a Ctrl-C during the residual calibration (after the last slice) writes no model either
    await output.write((dir) => saveLinearModel(dir, state, data.stats, provenance, training));
  } else {
    training = await trainHybrid({ opts, spec, data, provenance, io, output });
  }
  writeJson(io.stdout, {
    ok: true,
    out: opts.out,
    arch: opts.arch,
    spec,
    data: provenance,
    normalisation: data.stats,
    training,
    missing: fill.missing,
    elapsedMs: Math.round(performance.now() - t0),
  });
  return 0;
}

/** Where a model's data came from (stored beside it). */
/** The file's table for the column flags (--time-col: ./column-flag.ts); says which column is forecast when --target is not given. */
async function readTable(opts: { data: string; 'time-col'?: string; target?: string; features?: string; decimal: string; 'skip-rows': number; frequency?: string }, missing: MissingPolicy, io: CliIo): Promise<SeriesTable> {
  const timeFlag = readColumnFlag(opts['time-col']);
  const selection = { timeCol: timeColOf(timeFlag), targets: parseList(opts.target), features: parseList(opts.features), missing, decimal: decimalOption(opts.decimal), skipRows: opts['skip-rows'], frequency: frequencyOption(opts.frequency) };
  const table = await loadTable(opts.data, selection, io.signal, (header) => noteNoneTime(io, 'train', header, timeFlag));
  writeReadNotes(io, 'train', table);
  // Which column is forecast when --target is not given and there was a choice, and why (../data/default-target.ts).
  if ((selection.targets ?? []).length === 0 && table.features.length > 1) io.stderr.write(`train: no --target: forecasting ${JSON.stringify(table.targets[0])}, ${defaultTargetWhy(table.targets[0])}; give --target to choose another\n`);
  return table;
}

function provenanceOf(file: string, data: PreparedData, split: string, raw: SeriesTable): DataProvenance {
  const { table, borders, ranges } = data;
  const stepMs = Number.isFinite(table.stepMs) ? table.stepMs : null;
  const closures = raw.timeCol === null ? undefined : closuresIn(raw.timesMs, FILL_MISSED_DEFAULT);
  return { path: shownPath(file), rows: table.rows, timeCol: table.timeCol, stepMs, split, borders, windows: { train: ranges.train.count, val: ranges.val.count, test: ranges.test.count }, ...(closures ? { closures } : {}) };
}

/** `--log`: "targets", "all" or a list of columns (each must be a feature); absent: none. */
function logColumns(arg: string | undefined, features: readonly string[], targets: readonly string[]): string[] {
  if (arg === undefined) return [];
  if (arg === 'all') return [...features];
  if (arg === 'targets') return [...targets];
  const cols = parseList(arg) ?? [];
  for (const c of cols) if (!features.includes(c)) throw usageError(`--log names column ${JSON.stringify(c)}, which is not a feature [${features.join(', ')}]; use "targets", "all" or feature names`);
  return cols;
}

interface HybridTrainInput {
  opts: TrainOptions;
  spec: ModelSpec;
  data: PreparedData;
  provenance: DataProvenance;
  io: CliIo;
  output: ModelOutput;
}

/**
 * `tickcast train --arch hybrid`: command-line options → a typed fit request (flag names stop
 * here), fit, save the artifact to --out, summarise. The training code (./hybrid.ts) is loaded
 * only for this architecture (it pulls in tfjs).
 */
async function trainHybrid(input: HybridTrainInput): Promise<Record<string, unknown>> {
  const { opts, data, io } = input;
  const { fitHybrid } = await import('./hybrid.ts');
  const fitted = await fitHybrid({
    data,
    spec: input.spec,
    config: {
      dModel: opts['d-model'],
      lstm: { hiddenSize: opts['hidden-size'] ?? null, numLayers: opts['lstm-layers'], dropout: opts.dropout },
      transformer: { layers: opts['transformer-layers'], heads: opts.heads, ffn: opts.ffn ?? null },
      revin: !opts['no-revin'],
    },
    epochs: opts.epochs,
    batchSize: opts['batch-size'],
    lr: opts.lr,
    emaEpochs: opts['ema-epochs'],
    patience: opts.patience,
    maxTrainWindows: opts['max-train-windows'],
    maxValWindows: opts['max-val-windows'],
    seed: opts.seed,
    backend: opts.backend,
    warmStart: !opts['no-warm-start'],
    timeBudgetMs: opts['time-budget-min'] === undefined ? undefined : opts['time-budget-min'] * 60_000,
    io,
  });
  try {
    await input.output.write((dir) => fitted.save(dir, input.provenance, data.stats));
    return { arch: 'hybrid', ...fitted.summary };
  } finally {
    await fitted.predictor.dispose();
  }
}
