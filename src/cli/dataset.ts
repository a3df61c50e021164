/**
 * CSV file → split, normalised, windowed arrays: the data preparation `train`, `backtest` and the
 * accuracy benchmark share, so all three cut and scale a file identically.
 */
import { readCsvFile } from '../data/csv.ts';
import { applyZScore, fitZScore, selectStats, type ZScoreStats } from '../data/normalise.ts';
import { splitBorders, windowRange, type SplitBorders, type SplitSpec, type WindowRange } from '../data/split.ts';
import { selectColumns, type ColumnSelection, type SeriesTable } from '../data/table.ts';

export interface PreparedData {
  table: SeriesTable;
  borders: SplitBorders;
  /** Statistics used to normalise `values` (training span unless given from an artifact). */
  stats: ZScoreStats;
  /** Normalised series, row-major [rows, features]. */
  values: Float32Array;
  ranges: { train: WindowRange; val: WindowRange; test: WindowRange };
}

export async function loadTable(path: string, selection: ColumnSelection): Promise<SeriesTable> {
  return selectColumns(await readCsvFile(path), selection);
}

/**
 * Split and normalise a table. With `stats` (from a saved model) those are applied as they are,
 * so a backtest feeds the model exactly what training did; otherwise they are fitted on the
 * training rows only.
 */
export function prepare(table: SeriesTable, split: SplitSpec, window: number, horizon: number, stats?: ZScoreStats): PreparedData {
  const borders = splitBorders(table.rows, split, table.stepMs);
  const used = stats ? selectStats(stats, table.features) : fitZScore(table.features, table.columns, borders.trainEnd);
  return {
    table,
    borders,
    stats: used,
    values: applyZScore(table.columns, used),
    ranges: {
      train: windowRange(borders, 'train', window, horizon),
      val: windowRange(borders, 'val', window, horizon),
      test: windowRange(borders, 'test', window, horizon),
    },
  };
}
