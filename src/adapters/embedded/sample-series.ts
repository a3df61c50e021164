/**
 * Reads the CSV embedded mode replays (NAB format `timestamp,value`, or a time column first and a
 * column per feature) into arrays, for the features of the model served. Timestamps without a zone are UTC.
 */
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsvFileSync, type RawCsv } from '../../data/csv.ts';
import { featureColumns, type FeatureColumnsMissing } from '../../data/feature-columns.ts';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import { parseTimestamp } from '../../domain/tick-timestamp.ts';

export const SAMPLE_FILE = fileURLToPath(new URL('./sample/nyc_taxi.csv', import.meta.url));

/**
 * The prefix of the replayed series' ids: the data file's name without its extension
 * (nyc_taxi.csv → nyc_taxi-0, nyc_taxi-1, …; ETTh1.csv → ETTh1-0, …), characters the default
 * input.seriesPattern refuses as `_`, at most 100 characters (an id holds 128), `series` when
 * nothing usable is left. Until 7 Dec 2026 every file's series were named nyc_taxi-N.
 */
export function replayPrefix(file: string): string {
  const name = basename(file, extname(file)).replace(/[^A-Za-z0-9._:@-]/g, '_').slice(0, 100);
  return name === '' || /^\.{1,2}$/.test(name) ? 'series' : name;
}

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
