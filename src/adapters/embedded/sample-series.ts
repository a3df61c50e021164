/**
 * Reads the CSV embedded mode replays (NAB format `timestamp,value`, or a time column first and a
 * column per feature) into arrays, for the features of the model served. Timestamps without a zone are UTC.
 */
import { fileURLToPath } from 'node:url';
import { readCsvFileSync, type RawCsv } from '../../data/csv.ts';
import { featureColumns, type FeatureColumnsMissing } from '../../data/feature-columns.ts';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import { parseTimestamp } from '../../domain/tick-codec.ts';

export const SAMPLE_FILE = fileURLToPath(new URL('./sample/nyc_taxi.csv', import.meta.url));

/** What the replay sends: one column per feature, row by row. */
export interface ReplayData {
  ts: Float64Array;
  columns: Float64Array[];
  /** The feature names, sent as `values`; null: one column, sent as `value` (a univariate model takes it whatever its feature's name). */
  names: readonly string[] | null;
}

/** The file cannot feed a model of several features: these have no column of their name. */
export type ReplayMismatch = FeatureColumnsMissing;

/**
 * The model's features from `file`, by the columns data/feature-columns.ts picks (the bootstrap
 * model learns from the same); a file without one of them gives a ReplayMismatch (every tick
 * replayed from it would be a dead letter).
 */
export function readReplayData(file: string, features: readonly string[]): ReplayData | ReplayMismatch {
  let csv: RawCsv;
  let picked: Float64Array[] | ReplayMismatch;
  try {
    csv = readCsvFileSync(file, 'embedded.dataFile');
    picked = featureColumns(csv, features);
  } catch (err) {
    throw new TickcastError(ErrorCodes.CONFIG_INVALID, `embedded.dataFile: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(picked)) return picked;
  const columns = picked;
  const ts = new Float64Array(columns[0].length);
  for (let r = 0; r < ts.length; r++) {
    const ms = parseTimestamp(csv.cells[0][r]);
    if (ms === null) throw new TickcastError(ErrorCodes.CONFIG_INVALID, `${file}:${csv.lines[r]}: expected "timestamp,value"; "${csv.cells[0][r]}" is not a timestamp`);
    ts[r] = ms;
  }
  if (ts.length < 2) throw new TickcastError(ErrorCodes.CONFIG_INVALID, `${file}: needs at least 2 rows`);
  return { ts, columns, names: features.length > 1 ? features : null };
}
