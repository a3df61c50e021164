/**
 * CSV file → split, normalised, windowed arrays: the data preparation `train`, `backtest` and the
 * accuracy benchmark share, so all three cut and scale a file identically.
 */
import { dataError, readCsvFile } from '../data/csv.ts';
import { applyZScore, fitZScore, selectStats, type ZScoreStats } from '../data/normalise.ts';
import { splitBorders, windowRange, type SplitBorders, type SplitSpec, type WindowRange } from '../data/split.ts';
import { selectColumns, type ColumnSelection, type SeriesTable } from '../data/table.ts';
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

export async function loadTable(path: string, selection: ColumnSelection, signal?: AbortSignal): Promise<SeriesTable> {
  return selectColumns(await readCsvFile(path, signal), selection);
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

/** The table's columns in model space: ln of each column in `logFeatures`, which must be > 0 everywhere. */
function modelColumns(table: SeriesTable, logFeatures: readonly string[]): Float64Array[] {
  if (logFeatures.length === 0) return table.columns;
  return table.columns.map((col, f) => {
    if (!logFeatures.includes(table.features[f])) return col;
    const bad = col.findIndex((v) => !inLogDomain(v));
    if (bad >= 0) throw dataError(ErrorCodes.DATA_OUT_OF_DOMAIN, `${table.path}: column "${table.features[f]}" has ${col[bad]} at data row ${bad + 1}; a column modelled as ln(value) (--log) must be > 0 and finite everywhere`);
    return col.map(Math.log);
  });
}
