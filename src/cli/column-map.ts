/**
 * Which of a data file's columns each of a saved model's features reads, for `backtest`: by default
 * the column of the feature's own name; `--col feature=column` (repeatable) maps one onto another
 * column, and `--value-col column` does so for a model of one feature (as `detect --value-col`).
 * A column in double quotes is the name inside them, as `detect --value-col` and `--time-col`
 * take it (./column-flag.ts; since 7 Dec 2026, before which the quotes were part of the name).
 * The table is read under the file's names (messages about cells name the file's columns) and
 * handed on under the model's names, so its statistics and ln features apply as in training.
 * The file is read as `train` reads it (src/data/columns.ts: each cell parsed as its line is read,
 * no text kept), so backtest's memory is bounded like train's: the mapping needs the header alone.
 *
 * A malformed, unknown or conflicting mapping is a usage error (exit 64); a column the file lacks
 * is TC_DATA_COLUMN_MISSING (exit 65) naming the flag that asked for it and the header.
 */
import { readCsvColumns } from '../data/columns.ts';
import { dataError } from '../data/csv.ts';
import { isNamedAs } from '../data/column-name.ts';
import { TIME_NAMES, selectColumns, timeColumnOf, type ColumnSelection, type SeriesTable } from '../data/table.ts';
import { ErrorCodes } from '../errors/index.ts';
import { usageError } from './args.ts';
import { unquoted } from './column-flag.ts';

export interface ColumnMap {
  /** Every model feature → the file column it reads. */
  read: Record<string, string>;
  /** The flag that mapped a feature, for messages (absent: read under its own name). */
  given: Record<string, string>;
}

/** `--col` values as [feature, column] pairs: the syntax only, before the model is loaded. */
export function parseColFlags(values: readonly string[]): Array<[string, string]> {
  return values.map((v) => {
    const eq = v.indexOf('=');
    const feature = eq < 0 ? '' : v.slice(0, eq).trim();
    const column = eq < 0 ? '' : unquoted(v.slice(eq + 1).trim());
    if (feature === '' || column === '') throw usageError(`--col must be <feature>=<column> (the model's feature name = this file's column name); got ${JSON.stringify(v)}`);
    return [feature, column];
  });
}

/** The mapping for a model's features from `--col` pairs and `--value-col`; TC_CLI_USAGE when it cannot apply. */
export function resolveColumnMap(pairs: ReadonlyArray<[string, string]>, valueCol: string | undefined, features: readonly string[]): ColumnMap {
  const list = `the model's features: ${features.join(', ')}`;
  if (valueCol !== undefined && pairs.length > 0) throw usageError('--value-col and --col name the same thing; give --col <feature>=<column> for each feature to map');
  if (valueCol !== undefined && features.length !== 1) {
    throw usageError(`--value-col maps the one feature of a univariate model; this model reads ${features.length} features (${features.join(', ')}): map them with --col <feature>=<column>`);
  }
  const given: Record<string, string> = {};
  const read: Record<string, string> = Object.fromEntries(features.map((f) => [f, f]));
  const flags: Array<[string, string, string]> = valueCol !== undefined ? [[features[0], unquoted(valueCol), `--value-col ${valueCol}`]] : pairs.map(([f, c]) => [f, c, `--col ${f}=${c}`]);
  for (const [feature, column, flag] of flags) {
    if (!features.includes(feature)) throw usageError(`${flag}: the model has no feature ${JSON.stringify(feature)}; ${list}`);
    if (given[feature] !== undefined) throw usageError(`${flag}: feature ${JSON.stringify(feature)} is already mapped by ${given[feature]}; map each feature once`);
    given[feature] = flag;
    read[feature] = column;
  }
  for (const [i, f] of features.entries()) {
    const other = features.slice(0, i).find((g) => read[g] === read[f]);
    if (other !== undefined) {
      throw usageError(`features ${JSON.stringify(other)} and ${JSON.stringify(f)} would both read column ${JSON.stringify(read[f])}; map each onto its own column with --col <feature>=<column>`);
    }
  }
  return { read, given };
}

/** Every column the mapping reads is in the file; TC_DATA_COLUMN_MISSING naming the flag (or how to map it) and the header. */
function checkColumns(csv: { path: string; header: string[] }, map: ColumnMap): void {
  for (const [feature, column] of Object.entries(map.read)) {
    if (csv.header.includes(column)) continue;
    const origin = map.given[feature] !== undefined ? `from ${map.given[feature]}` : `a column the model reads; map it onto one of this file's columns with --col ${feature}=<column>`;
    throw dataError(ErrorCodes.DATA_COLUMN_MISSING, `${csv.path}: no column named ${JSON.stringify(column)} (${origin}); the header has: ${csv.header.join(', ')}`, { column, feature, header: csv.header });
  }
}

/**
 * The time column when it is the model's (no --time-col) and this file has none of that name: as
 * `train` finds one, the first column named as TIME_NAMES (any case, punctuation alike) that no
 * feature reads. None either: the model's name stays, and the message says what was looked for
 * and what to give.
 */
function fileTimeColumn(header: readonly string[], selection: ColumnSelection, map: ColumnMap): ColumnSelection {
  const own = selection.timeCol;
  if (!selection.timeColFromModel || own === undefined || own === null || header.includes(own)) return selection;
  const read = new Set(Object.values(map.read));
  const found = header.find((h) => isNamedAs(h, TIME_NAMES) && !read.has(h));
  if (found !== undefined) return { ...selection, timeCol: found };
  const names = TIME_NAMES.join(', ');
  return { ...selection, timeColFrom: `the time column the model was trained with, and the file has no column named ${names} (any case, punctuation and spaces alike) either; name its time column with --time-col, or --time-col none for rows in file order` };
}

/**
 * The file's table for a model: its features and targets read through `map`, named as the model
 * names them. The time column is settled from the header before the rows are read (it is the one
 * column parsed as times); the file's own errors (a ragged row, …) still come before a column the
 * mapping misses, as when the file was read whole first. `seen` is given the header when it is read.
 */
export async function loadMappedTable(path: string, selection: ColumnSelection & { features: readonly string[]; targets: readonly string[] }, map: ColumnMap, signal?: AbortSignal, seen?: (header: readonly string[]) => void): Promise<SeriesTable> {
  let timed: ColumnSelection = selection;
  const timeOf = (header: readonly string[]): number => {
    seen?.(header);
    return timeColumnOf(header, (timed = fileTimeColumn(header, selection, map)));
  };
  const csv = await readCsvColumns(path, timeOf, signal, { decimal: selection.decimal, skipRows: selection.skipRows, frequency: selection.frequency });
  checkColumns(csv, map);
  const table = selectColumns(csv, { ...timed, features: selection.features.map((f) => map.read[f]), targets: selection.targets.map((t) => map.read[t]) });
  const byColumn = new Map(Object.entries(map.read).map(([f, c]) => [c, f]));
  const named = (c: string): string => byColumn.get(c) ?? c;
  return { ...table, features: table.features.map(named), targets: table.targets.map(named) };
}
