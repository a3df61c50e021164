/**
 * Picks the time, feature and target columns out of a parsed CSV and turns them into numbers.
 *
 * Defaults (the CLI flags --time-col, --features, --target map onto ColumnSelection):
 * - time: the first column named as TIME_NAMES (any case, punctuation alike: ./column-name.ts), else column 0;
 *   null means the file has no time column (rows are taken as equally spaced, in file order) —
 *   `--time-col none` (../cli/column-flag.ts); a string is always a column's name, `"none"` too;
 * - features: every numeric column except the time column and those of one value throughout
 *   (./constant-columns.ts: an OECD file's UNIT_MULT, DECIMALS; since 7 Dec 2026), in file order;
 * - targets: the numeric column named as a price or value (Adj Close, Close, price, value …), else
 *   the last numeric column (./default-target.ts), of those that vary when any does. Targets not listed in `features` are appended
 *   to them (the model reads its targets' past values; see ModelSpec).
 */
import { beyondValueBound, MAX_ABS_VALUE } from '../domain/value-bound.ts';
import { ErrorCodes } from '../errors/index.ts';
import { dataError, type FooterLines, type RawCsv } from './csv.ts';
import { notNumberHint, notUtf8Hint, numberCell } from './csv-cells.ts';
import type { MissingPolicy } from './missing-marks.ts';
import type { DecimalOption } from './csv-decimal.ts';
import { rawColumns, type BadCell, type CsvColumns } from './columns.ts';
import { typicalStepMs } from './time.ts';
import { defaultTargetIndex } from './default-target.ts';
import { isNamedAs } from './column-name.ts';
import { parseTimes, TIME_NAMES } from './table-times.ts';
import type { SkippedLines } from './csv-title-lines.ts';
import type { OnsFrequency } from './ons-layout.ts';
import { constantColumns, constantNote } from './constant-columns.ts';

export interface ColumnSelection {
  /** The time column's name; null: none (rows in file order); undefined: found by name (TIME_NAMES), else column 0. */
  timeCol?: string | null;
  features?: readonly string[];
  targets?: readonly string[];
  /**
   * Where `features` and `targets` came from, for messages: 'flags' (--features/--target, the
   * default) or 'model' (backtest: the saved model's columns, which no flag of that command names).
   */
  from?: 'flags' | 'model';
  /** Where `timeCol` came from, for messages, when not from --time-col (backtest: the model's training data). */
  timeColFrom?: string;
  /** `timeCol` is the model's (backtest without --time-col): a file without it may have its own (../cli/column-map.ts). */
  timeColFromModel?: boolean;
  /**
   * Missing cells (empty, `NA`, `NaN`, …) in a column read: 'error' (the default) stops at the first
   * (TC_DATA_NOT_NUMERIC); otherwise they are NaN in the table, for ./missing-cells.ts to drop or
   * fill. A column with no number at all is an error either way.
   */
  missing?: MissingPolicy;
  /** The file's decimal mark (--decimal; ./csv-decimal.ts): `auto` (the default) tells it from the file. */
  decimal?: DecimalOption;
  /** Lines above the header not read (--skip-rows). */
  skipRows?: number;
  /** An ONS file's block to read (--frequency; ./ons-layout.ts); the finest when not given. */
  frequency?: OnsFrequency;
}

/** A multivariate series, sorted by time, ready for splitting and windowing. */
export interface SeriesTable {
  path: string;
  timeCol: string | null;
  /** Epoch ms per row; strictly increasing. Row index × 1 h when there is no time column. */
  timesMs: Float64Array;
  /** Most common spacing between rows in ms (NaN when there is no time column). */
  stepMs: number;
  features: string[];
  targets: string[];
  /** Index of each target in `features`. */
  targetIndex: number[];
  /** columns[f][row] in `features` order. */
  columns: Float64Array[];
  rows: number;
  /** The file's rows were newest first (an SDW download): they are here in reverse, oldest first (since 7 Dec 2026). */
  reversed?: boolean;
  /** Lines above the header not read (--skip-rows, title lines), for a note on stderr. */
  skipped?: SkippedLines;
  /** Numeric columns of one value throughout, left out of the default features, in words (./constant-columns.ts). */
  constantNote?: string;
  /** Footnote lines below the rows not read (./csv-footer.ts), for a note on stderr. */
  footer?: FooterLines;
  /** The decimal mark `auto` took with no number telling it (a `;` file's commas), for a note on stderr (./csv-decimal.ts `note`). */
  decimalNote?: string;
}

export { TIME_NAMES };

/**
 * A default feature: its first non-empty cell is a number (an empty first cell does not drop a
 * numeric column; an empty cell further down is then reported with its line, not skipped).
 */
function isNumericColumn(csv: CsvColumns, c: number): boolean {
  const first = csv.firstCell(c);
  return first !== undefined && Number.isFinite(numberCell(first));
}

/**
 * The index of the time column the selection asks for: -1 for none (null) or a --time-col the header
 * lacks (selectColumns reports that); else the first column named as TIME_NAMES, else column 0.
 */
export function timeColumnOf(header: readonly string[], sel: ColumnSelection = {}): number {
  if (sel.timeCol === null) return -1;
  if (sel.timeCol !== undefined) return header.indexOf(sel.timeCol);
  const named = header.findIndex((h) => isNamedAs(h, TIME_NAMES));
  return named >= 0 ? named : 0;
}

/** A column that would be numeric but for a decimal comma, named with its first cell; '' when none. */
function decimalCommaNote(csv: CsvColumns, timeIdx: number): string {
  for (let i = 0; i < csv.header.length; i++) {
    const first = i === timeIdx ? undefined : csv.firstCell(i);
    const hint = first === undefined ? '' : notNumberHint(first);
    if (hint !== '') return ` (column ${JSON.stringify(csv.header[i])} has ${JSON.stringify(first)}${hint})`;
  }
  return '';
}

/** Pick and read the columns of a file: its text (RawCsv), or its columns parsed as read (./columns.ts `readCsvColumns`, given `timeColumnOf`). */
export function selectColumns(input: RawCsv | CsvColumns, sel: ColumnSelection = {}): SeriesTable {
  const csv = 'cells' in input ? rawColumns(input) : input;
  const { header, path } = csv;
  const fromModel = sel.from === 'model';
  if (csv.rows === 0) throw dataError(ErrorCodes.DATA_TOO_SHORT, `${path}: no data rows after the header`);
  const require = (name: string, flag: string): number => {
    const i = header.indexOf(name);
    if (i < 0) {
      const origin = flag === '--time-col' ? (sel.timeColFrom ?? 'from --time-col') : fromModel ? 'a column the model reads' : `from ${flag}`;
      throw dataError(
        ErrorCodes.DATA_COLUMN_MISSING,
        `${path}: no column named ${JSON.stringify(name)} (${origin}); the header has: ${header.join(', ')}${notUtf8Hint(header)}`,
        { column: name, header },
      );
    }
    return i;
  };

  const timeIdx = typeof sel.timeCol === 'string' ? require(sel.timeCol, '--time-col') : timeColumnOf(header, sel);

  const numericCols = header
    .map((_, i) => i)
    .filter((i) => i !== timeIdx && isNumericColumn(csv, i));
  const givenTargets = sel.targets !== undefined && sel.targets.length > 0;
  const givenFeatures = sel.features !== undefined && sel.features.length > 0;
  const constant = givenTargets && givenFeatures ? [] : constantColumns(csv, numericCols);
  const varying = numericCols.filter((i) => !constant.includes(i));
  const targetIdx = givenTargets ? sel.targets!.map((t) => require(t, '--target')) : [defaultTarget(csv, timeIdx, numericCols, varying)];
  let featureIdx: number[] = givenFeatures ? sel.features!.map((f) => require(f, '--features')) : [...varying];
  for (const t of targetIdx) if (!featureIdx.includes(t)) featureIdx = [...featureIdx, t];
  for (const i of [...featureIdx, ...targetIdx]) {
    if (i === timeIdx) {
      const what = fromModel ? 'the model reads it as a feature' : 'it cannot be a feature or target';
      throw dataError(ErrorCodes.DATA_COLUMN_MISSING, `${path}: column ${JSON.stringify(header[i])} is the time column and ${what}; pick another --time-col`);
    }
  }
  if (new Set(targetIdx).size !== targetIdx.length) {
    throw dataError(ErrorCodes.DATA_COLUMN_MISSING, `${path}: a column is listed twice in --target; list each once`);
  }
  if (new Set(featureIdx).size !== featureIdx.length) {
    throw dataError(ErrorCodes.DATA_COLUMN_MISSING, `${path}: a column is listed twice in --features; list each once`);
  }

  refuseNotUtf8(path, [...featureIdx, timeIdx].filter((i) => i >= 0).map((i) => header[i]));
  const columns = featureIdx.map((c) => numberColumn(csv, c, fromModel, sel.missing ?? 'error'));

  const { values: timesMs, descending: reversed } = timeIdx < 0 ? { values: Float64Array.from({ length: csv.rows }, (_, r) => r * 3_600_000), descending: false } : parseTimes(csv, timeIdx, sel.timeCol === undefined);
  // A newest-first file (SDW's downloads) is read oldest first: every column reversed, once all were checked in file order.
  if (reversed) for (const col of [timesMs, ...columns]) col.reverse();
  const features = featureIdx.map((i) => header[i]);
  const targets = targetIdx.map((i) => header[i]);
  const constantSaid = givenFeatures ? undefined : constantNote(csv, constant.filter((i) => !featureIdx.includes(i)));
  return {
    path,
    timeCol: timeIdx < 0 ? null : header[timeIdx],
    timesMs,
    stepMs: timeIdx < 0 ? Number.NaN : typicalStepMs(timesMs),
    features,
    targets,
    targetIndex: targets.map((t) => features.indexOf(t)),
    columns,
    rows: csv.rows,
    ...(reversed ? { reversed } : {}), ...(csv.skipped && { skipped: csv.skipped }), ...(constantSaid !== undefined && { constantNote: constantSaid }), ...(csv.footer && { footer: csv.footer }), ...(csv.decimalNote !== undefined && { decimalNote: csv.decimalNote }),
  };
}

/** The default target (./default-target.ts), of the columns that vary when any does; TC_DATA_NOT_NUMERIC when there is no numeric column. */
function defaultTarget(csv: CsvColumns, timeIdx: number, numericCols: readonly number[], varying: readonly number[]): number {
  if (numericCols.length === 0) {
    throw dataError(ErrorCodes.DATA_NOT_NUMERIC, `${csv.path}: no numeric column besides the time column${decimalCommaNote(csv, timeIdx)}; name the target with --target`);
  }
  return defaultTargetIndex(csv.header, varying.length > 0 ? varying : numericCols);
}

/**
 * TC_DATA_MALFORMED when a column read (a feature, a target, the time) has a name with bytes that are
 * not UTF-8: a model would carry that mangled name as its feature's, which no tick can match
 * (until 6 Dec 2026 `train` wrote such a model).
 */
function refuseNotUtf8(path: string, names: readonly string[]): void {
  const hint = notUtf8Hint(names);
  if (hint !== '') throw dataError(ErrorCodes.DATA_MALFORMED, `${path}: the header is not UTF-8${hint}`);
}

/**
 * A feature column as numbers: TC_DATA_NOT_NUMERIC at its first cell that is not a finite number,
 * TC_DATA_OUT_OF_DOMAIN at its first value beyond ±MAX_ABS_VALUE (the bound every tick and window
 * the service takes is held to: until 6 Dec 2026 `train` took 1e300, its z-score came out
 * Infinity/NaN and it wrote a model that forecasts nothing, with "ok": true), each with its line.
 */
function numberColumn(csv: CsvColumns, c: number, fromModel: boolean, missing: MissingPolicy): Float64Array {
  const { header, path } = csv;
  const parsed = csv.numbers(c);
  const { values } = parsed;
  const fix = fromModel ? ' (the model reads this column)' : ', or leave the column out with --features';
  if (parsed.missing === csv.rows) {
    const marker = parsed.firstMissing?.text ?? '';
    throw dataError(ErrorCodes.DATA_NOT_NUMERIC, `${path}: column ${JSON.stringify(header[c])} has no numbers: all ${csv.rows} of its cells are empty or mark a missing reading (${JSON.stringify(marker)})${fix}`, { column: header[c] });
  }
  // Under 'error' a missing cell stops the run as a bad one does (the earlier of the two is named).
  const stop = missing === 'error' ? earliest(parsed.bad, parsed.firstMissing) : parsed.bad;
  if (stop !== null) {
    const line = csv.line(stop.row);
    const gaps = stop === parsed.firstMissing ? '; or read the file with its gaps: --missing fill (the default) or skip' : '';
    throw dataError(
      ErrorCodes.DATA_NOT_NUMERIC,
      `${path}:${line}: column ${JSON.stringify(header[c])} has ${JSON.stringify(stop.text)}, not a finite number${notNumberHint(stop.text)}; fill or drop that row${fix}${gaps}`,
      { line, column: header[c], value: stop.text },
    );
  }
  const r = values.findIndex(beyondValueBound);
  if (r >= 0) {
    const line = csv.line(r);
    throw dataError(
      ErrorCodes.DATA_OUT_OF_DOMAIN,
      `${path}:${line}: column ${JSON.stringify(header[c])} has ${values[r]}; tickcast takes values with |value| ≤ ${MAX_ABS_VALUE} (the service refuses larger ones); rescale the column, or fix or drop that row${fix}`,
      { line, column: header[c], value: values[r] },
    );
  }
  return values;
}

function earliest(a: BadCell | null, b: BadCell | null): BadCell | null {
  return a === null || (b !== null && b.row < a.row) ? b : a;
}
