/**
 * Which columns of a time-first CSV (NAB `timestamp,value`, or a time column and a column per
 * feature) hold a model's features. One rule for both readers of `embedded.dataFile`: the embedded
 * replay (what the model is fed) and the bootstrap training at start (what it learns from), so the
 * two never read different columns (until 6 Dec 2026 the bootstrap read the last column whatever
 * the features, and a model of several features was served untrained).
 */
import { ErrorCodes } from '../errors/index.ts';
import { dataError, type RawCsv } from './csv.ts';
import { numericColumn } from './csv-cells.ts';

/** The file cannot feed a model of several features: these have no column of their name. */
export interface FeatureColumnsMissing {
  missing: string[];
  header: string[];
}

/**
 * The columns of `features`, in their order. One feature: the column of its name, else the second
 * (the NAB `timestamp,value` layout). Several: the column of each one's name, or what is missing.
 * Column 0 is the time: a feature never reads it. A file of one column throws TC_DATA_MALFORMED,
 * cells that are not numbers TC_DATA_NOT_NUMERIC (numericColumn).
 */
export function featureColumns(csv: RawCsv, features: readonly string[]): Float64Array[] | FeatureColumnsMissing {
  if (csv.header.length < 2) throw dataError(ErrorCodes.DATA_MALFORMED, `${csv.path}: expected "timestamp,value" columns (the time first, then a column per feature); got "${csv.header.join(',')}"`);
  const named = features.map((f) => csv.header.indexOf(f, 1));
  if (features.length > 1 && named.some((c) => c < 0)) return { missing: features.filter((_, k) => named[k] < 0), header: csv.header };
  return (features.length > 1 ? named : [named[0] > 0 ? named[0] : 1]).map((c) => numericColumn(csv, c));
}

/** Why a file cannot feed `features`, for a log line: the columns missing and the file's own. */
export function describeMissing(file: string, features: readonly string[], m: FeatureColumnsMissing): string {
  return `the model takes ${features.length} features (${features.join(', ')}) but ${file} has no column ${m.missing.map((f) => JSON.stringify(f)).join(', ')} (its columns: ${m.header.join(', ')})`;
}
