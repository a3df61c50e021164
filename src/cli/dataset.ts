/**
 * CSV file → split, normalised, windowed arrays: the data preparation `train`, `backtest` and the
 * accuracy benchmark share, so all three cut and scale a file identically.
 */
import { dataError } from '../data/csv.ts';
import { readCsvColumns } from '../data/columns.ts';
import { applyZScore, fitZScore, selectStats, type ZScoreStats } from '../data/normalise.ts';
import { splitBorders, windowRange, type SplitBorders, type SplitSpec, type WindowRange } from '../data/split.ts';
import { selectColumns, timeColumnOf, type ColumnSelection, type SeriesTable } from '../data/table.ts';
import { inLogDomain } from '../domain/model-spec.ts';
import { ErrorCodes } from '../errors/index.ts';

export interface PreparedData {
  table: SeriesTable;
  borders: SplitBorders;
  /** Statistics used to normalise `values` (training span unless given from an artifact). */
  stats: ZScoreStats;
  /** Normalised series, row-major [rows, features]. */
  values: Float32Array;
  ranges: { train: WindowRange; val: WindowRange; test: WindowRange };
}

/** Read a file's columns for `selection`, each cell parsed as it is read: no text is held (../data/columns.ts). `seen` is given the header when it is read. */
export async function loadTable(path: string, selection: ColumnSelection, signal?: AbortSignal, seen?: (header: readonly string[]) => void): Promise<SeriesTable> {
  const timeOf = (header: readonly string[]): number => {
    seen?.(header);
    return timeColumnOf(header, selection);
  };
  return selectColumns(await readCsvColumns(path, timeOf, signal, { decimal: selection.decimal, skipRows: selection.skipRows, frequency: selection.frequency }), selection);
}

export interface PrepareOptions {
  /** Statistics from a saved model, applied as they are (a backtest feeds the model what training did). */
  stats?: ZScoreStats;
  /** Columns modelled as ln(value) (spec.logFeatures): transformed before the statistics; must be > 0. */
  logFeatures?: readonly string[];
}

/**
 * Split and normalise a table. With `stats` those are applied as they are; otherwise they are
 * fitted on the training rows only. Columns in `logFeatures` are normalised as ln(value), so
 * `stats` and `values` are in the model's space while `table` keeps the data's units.
 */
export function prepare(table: SeriesTable, split: SplitSpec, window: number, horizon: number, opts: PrepareOptions = {}): PreparedData {
  const borders = splitBorders(table.rows, split, table.stepMs);
  const columns = modelColumns(table, opts.logFeatures ?? []);
  const used = opts.stats ? selectStats(opts.stats, table.features) : fitZScore(table.features, columns, borders.trainEnd);
  return {
    table,
    borders,
    stats: used,
    values: applyZScore(columns, used),
    ranges: {
      train: windowRange(borders, 'train', window, horizon),
      val: windowRange(borders, 'val', window, horizon),
      test: windowRange(borders, 'test', window, horizon),
    },
  };
}

/** How a log-domain error names a column: the file's column of each feature (backtest's --col), and whether the model (not --log) asks for ln. */
export interface LogDomainNames {
  fileColumns?: Readonly<Record<string, string>>;
  byModel?: boolean;
}

/**
 * Every value of a column read as ln(value) is > 0 and finite; TC_DATA_OUT_OF_DOMAIN naming the
 * file's column (and the model's feature it feeds, when they differ) and the data row otherwise.
 * Run it on the table as read, before rows are filled in, so the row and value are the file's.
 */
export function checkLogDomain(table: SeriesTable, logFeatures: readonly string[] = [], names: LogDomainNames = {}): void {
  table.columns.forEach((col, f) => {
    const feature = table.features[f];
    if (!logFeatures.includes(feature)) return;
    const bad = col.findIndex((v) => !inLogDomain(v));
    if (bad < 0) return;
    const column = names.fileColumns?.[feature] ?? feature;
    const fed = column === feature ? '' : ` (read as the model's feature ${JSON.stringify(feature)})`;
    const why = names.byModel
      ? 'the model reads this column as ln(value) (it was trained with --log), so it must be > 0 and finite everywhere'
      : 'a column modelled as ln(value) (--log) must be > 0 and finite everywhere';
    const row = table.reversed === true ? table.rows - bad : bad + 1; // the file's data row, for a newest-first file read in reverse too
    throw dataError(ErrorCodes.DATA_OUT_OF_DOMAIN, `${table.path}: column ${JSON.stringify(column)}${fed} has ${col[bad]} at data row ${row}; ${why}`, { column, feature, row, value: col[bad] });
  });
}

/** The table's columns in model space: ln of each column in `logFeatures`, which must be > 0 everywhere. */
function modelColumns(table: SeriesTable, logFeatures: readonly string[]): Float64Array[] {
  if (logFeatures.length === 0) return table.columns;
  checkLogDomain(table, logFeatures);
  return table.columns.map((col, f) => (logFeatures.includes(table.features[f]) ? col.map(Math.log) : col));
}
