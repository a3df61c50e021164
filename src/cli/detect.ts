/**
 * `tickcast detect --data file.csv --out results.csv`: stream a NAB-format CSV (`timestamp,value`)
 * tick by tick through the service's own code path (./detect-pipeline.ts) and write NAB results
 * (`timestamp,value,anomaly_score`); a long-format file (`timestamp,series,value`: --series-col, or a
 * column named `series`) is scored with one detector per series, its results led by the series id
 * (`series,timestamp,value,anomaly_score`; ./detect-series.ts). The model: --model (a `train --out` directory or a service
 * checkpoint store, opened read-only), else TICKCAST_MODEL_DIR the same way, else the shipped
 * pretrained model (or a bootstrap model where it does not fit the configuration), as the service
 * starts — never written to. Rows the service refuses score 0 and are reported on stderr; when it
 * refuses every row the command fails (exit 65) and writes nothing.
 */
import { Writable } from 'node:stream';
import { loadConfig } from '../config/load.ts';
import type { ConfigInput } from '../config/schema.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { createLogger } from '../telemetry/logger.ts';
import { dataError, shownPath } from '../data/csv.ts';
import { csvCell } from '../data/csv-cells.ts';
import { footerNote, readNoteLines, reversedNote, skippedNote } from './read-notes.ts';
import { orderRows, pipeNewestFirstNote, type OrderedRows } from './detect-order.ts';
import { DECIMAL_FLAG, FREQUENCY_FLAG, SKIP_ROWS_FLAG, decimalOption, frequencyOption, formatHelp, missingPolicy, parseOptions, type OptionTable } from './args.ts';
import { createPipelineDetect, type PipelineDetector } from './detect-pipeline.ts';
import { openDetectRows, RefusedRows, shownValue, type DetectSource } from './detect-rows.ts';
import { writeJson, type CliIo } from './io.ts';
import { loadModelOrStore } from './load-model.ts';
import type { LoadedModel } from './model-dir.ts';
import { checkOutputFile, openOutputFile, stdoutOutput, type OutputFile } from './outputs.ts';

export { createPipelineDetect, detectThroughPipeline, type PipelineDetector } from './detect-pipeline.ts';

const OPTIONS = {
  data: { type: 'string', required: true, help: '- for stdin, or a NAB-format CSV: timestamp,value, or timestamp,series,value (timestamps as train reads them: "YYYY-MM-DD HH:MM:SS", ISO-8601, epoch s/ms)', placeholder: 'file.csv' },
  'time-col': { type: 'string', help: 'timestamp column (default: timestamp, any case)', placeholder: 'name' },
  'value-col': { type: 'string', help: 'value column (default: value, any case)', placeholder: 'name' },
  'series-col': { type: 'string', help: 'series id column of a long-format file (timestamp,series,value): one detector per series, as the service keys them (default: a column named series, any case, when there is one; none: score the file as one series; a name in double quotes is read exactly: \'"none"\' for a column named none)', placeholder: 'name|none' },
  'max-series': { type: 'number', default: 10_000, integer: true, min: 1, help: 'most series a file may hold (each keeps its own window and detector; the service\'s windows.maxSeries default)' },
  out: { type: 'string', required: true, help: 'results CSV to write (timestamp,value,anomaly_score; series first with a series column); - for stdout (the JSON result then goes to stderr)', placeholder: 'results.csv' },
  model: { type: 'string', help: 'model directory written by "tickcast train", or a service checkpoint directory (its newest good version), opened read-only (default: TICKCAST_MODEL_DIR, else the shipped pretrained model, as the service starts); by the detector defaults the scores do not depend on it (docs/cli.md)', placeholder: 'dir' },
  decimal: DECIMAL_FLAG,
  'skip-rows': SKIP_ROWS_FLAG,
  frequency: FREQUENCY_FLAG,
  missing: { type: 'string', default: 'skip', help: 'a value cell that is empty, NA, NaN or null: skip (a missed reading, as the service treats a tick without its value: not scored, 0 in the results, counted as missing) or error (stop, exit 65)', placeholder: 'skip|error' },
  chunk: { type: 'number', default: 256, integer: true, min: 1, help: 'rows handed to the pipeline at once (batching only; scoring stays causal)' },
} satisfies OptionTable;

export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(formatHelp('detect', 'score every row of a NAB-format CSV through the service pipeline', OPTIONS));
    return 0;
  }
  const opts = parseOptions('detect', OPTIONS, argv);
  const missing = missingPolicy(opts.missing, ['skip', 'error']) as 'skip' | 'error';
  // `--out -`: the results go to stdout, so the JSON result goes to stderr (stdout holds one document: the results).
  const toStdout = opts.out === '-';
  if (!toStdout) await checkOutputFile(opts.out, '--out');
  const overrides: ConfigInput = { logLevel: 'warn', http: { enabled: false } };
  const config = loadConfig({ overrides });
  // The header and first row are checked before the model loads; the rest is read as it is scored.
  const rules = { pattern: new RegExp(config.input.seriesPattern), max: opts['max-series'] };
  const source = await openDetectRows(opts.data, io.signal, { time: opts['time-col'], value: opts['value-col'], series: opts['series-col'], missing, decimal: decimalOption(opts.decimal), skipRows: opts['skip-rows'], frequency: frequencyOption(opts.frequency) }, rules);
  if (source.skipped !== undefined) io.stderr.write(`${skippedNote('detect', shownPath(opts.data), source.skipped)}\n`);
  if (source.note !== undefined) io.stderr.write(`detect: ${source.note}\n`);
  let ordered: OrderedRows | undefined;
  try {
    // A newest-first file is scored in reverse (./detect-order.ts), as train and backtest read it.
    ordered = await orderRows(opts.data, source.rows);
    if (ordered.reversed) io.stderr.write(`${reversedNote('detect', shownPath(opts.data))}\n`);
    if (ordered.pipeNewestFirst) io.stderr.write(`${pipeNewestFirstNote(shownPath(opts.data))}\n`);
    const t0 = performance.now();
    // A model directory is opened read-only here; the model service below would add checkpoints to it.
    const dir = opts.model ?? (config.model.dir || undefined);
    const loaded = dir === undefined ? undefined : await openForDetect(dir).catch((err: unknown) => Promise.reject(opts.model === undefined ? fromConfig(err) : err));
    const quiet = new Writable({ write: (_c, _e, cb) => cb() });
    const logger = createLogger({ level: 'warn', name: 'tickcast-detect', destination: quiet });
    const d = await createPipelineDetect(config, logger, opts.chunk, loaded?.predictor, source.series ? rules.max : undefined);
    try {
      const { rows, refused, missing: gaps, maxScore } = await scoreInto(d, { ...source, rows: ordered.rows }, toStdout ? stdoutOutput(io.stdout) : opts.out, shownPath(opts.data), io.signal);
      const decimal = source.decimalNote();
      if (decimal !== undefined) io.stderr.write(readNoteLines('detect', decimal));
      const footer = source.footer();
      if (footer !== undefined) io.stderr.write(`${footerNote('detect', shownPath(opts.data), footer)}\n`);
      if (refused.count > 0) io.stderr.write(refused.report(shownPath(opts.data), rows) + '\n');
      if (gaps > 0) io.stderr.write(`detect: ${shownPath(opts.data)}: ${gaps} of ${rows} rows have no value (empty, NA, NaN…): skipped as missed readings, 0 in the results (--missing skip)\n`);
      const seconds = (performance.now() - t0) / 1000;
      writeJson(toStdout ? io.stderr : io.stdout, {
        rows,
        refused: refused.count,
        missing: gaps,
        out: opts.out,
        model: d.predictor.version,
        modelDir: loaded?.dir ?? null,
        engine: d.predictor.engine,
        seconds: Number(seconds.toFixed(2)),
        maxScore,
        ...(source.series && { series: source.series.ids.count, seriesCol: source.series.column }),
      });
    } finally {
      await d.close();
    }
  } finally {
    await ordered?.close(); // a newest-first file's temporary file, when the run stopped before reading it back
    await source.close();
  }
  return 0;
}

/** Result lines gathered between writes to the results file (one write per few thousand rows, not per row). */
const WRITE_ROWS = 1024;

/**
 * Score the file's rows as they are read and write each result line as it comes, into a temporary
 * file put in place only when every row was scored (none of it when every row was refused, or a
 * data error or an interrupt stops the run). Memory stays flat whatever the file's length.
 */
async function scoreInto(d: PipelineDetector, source: DetectSource, out: string | OutputFile, data: string, signal?: AbortSignal): Promise<{ rows: number; refused: RefusedRows; missing: number; maxScore: number }> {
  const file = typeof out === 'string' ? await openOutputFile(out, '--out') : out;
  try {
    // With a series column, each result line starts with its series id (a documented column); without, the lines are as before.
    const keyed = source.series !== null;
    const refused = new RefusedRows(keyed, source.unkeyed);
    let rows = 0;
    let missing = 0;
    let maxScore = -Infinity;
    let lines = keyed ? 'series,timestamp,value,anomaly_score\n' : 'timestamp,value,anomaly_score\n';
    for await (const { row, score, refused: reason } of d.scoreRows(source.rows, 'csv', {}, signal)) {
      rows++;
      // A missing reading was refused by the service as a tick without its value: counted as missing, not as refused; its cell is written back as the file had it.
      if (row.missing !== undefined) missing++;
      else if (reason !== null) refused.add(row, reason);
      if (score > maxScore) maxScore = score;
      lines += `${keyed ? `${csvCell(row.series!)},` : ''}${csvCell(row.timestamp)},${row.missing !== undefined ? csvCell(row.missing) : shownValue(row)},${score}\n`;
      if (rows % WRITE_ROWS === 0) {
        await file.write(lines);
        lines = '';
      }
    }
    if (missing === rows) throw noValues(data, source, rows);
    if (refused.count + missing === rows) throw refused.allRefusedError(data, rows);
    await file.write(lines);
    await file.commit();
    return { rows, refused, missing, maxScore };
  } finally {
    await file.abort();
  }
}

/** Every row's value missing: a column with no numbers is an error, as in train (TC_DATA_NOT_NUMERIC, exit 65). */
function noValues(data: string, source: DetectSource, rows: number): Error {
  return dataError(ErrorCodes.DATA_NOT_NUMERIC, `${data}: column ${JSON.stringify(source.valueCol)} has no numbers: all ${rows} rows are empty or mark a missing reading; name the value column with --value-col; nothing was scored, so no results were written`, { rows });
}

/**
 * A model directory detect took from the configuration (TICKCAST_MODEL_DIR, or model.dir in the
 * config file) says so: until 6 Dec 2026 "no model directory at …" named a path the command line
 * never gave. The code (and so the exit code) is kept.
 */
function fromConfig(err: unknown): unknown {
  if (!(err instanceof TickcastError)) return err;
  return new TickcastError(err.code, `${err.message} (the model directory of the configuration, model.dir / TICKCAST_MODEL_DIR, as --model was not given)`, { cause: err, statusCode: err.statusCode });
}

/** A model the pipeline can feed one `value` column to; TC_MODEL_ARTIFACT_MISMATCH (78) otherwise. */
async function openForDetect(dir: string): Promise<LoadedModel> {
  const loaded = await loadModelOrStore(dir);
  const features = loaded.predictor.spec.features;
  if (features.length !== 1) {
    await loaded.predictor.dispose();
    throw new TickcastError(
      ErrorCodes.MODEL_ARTIFACT_MISMATCH,
      `the model in ${JSON.stringify(loaded.dir)} reads ${features.length} features [${features.join(', ')}]; detect feeds it one value column, so give a model trained on one column (tickcast train --features <col> --target <col>)`,
    );
  }
  return loaded;
}
