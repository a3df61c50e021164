/**
 * Which columns of a time-first CSV (NAB `timestamp,value`, or a time column and a column per
 * feature) hold a model's features. One rule for both readers of `embedded.dataFile`: the embedded
 * replay (what the model is fed) and the bootstrap training at start (what it learns from), so the
 * two never read different columns (until 6 Dec 2026 the bootstrap read the last column whatever
 * the features, and a model of several features was served untrained).
 */
import { ErrorCodes } from '../errors/index.ts';
import { dataError, type RawCsv } from './csv.ts';
import { notNumberHint, numericColumn } from './csv-cells.ts';

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
  if (features.length === 1 && named[0] < 0) refuseIds(csv, features[0]);
  return (features.length > 1 ? named : [named[0] > 0 ? named[0] : 1]).map((c) => numericColumn(csv, c));
}

/**
 * One feature and no column of its name: the second column is read, unless it holds ids written as
 * flagged numbers (`12 b`, `7 c`; ./csv-flags.ts textColumns), which train does not take for
 * readings either. Until 7 Dec 2026 a file read whole cut them to 12, 7 … and replayed those.
 */
function refuseIds(csv: RawCsv, feature: string): void {
  const first = csv.flagText?.get(1);
  if (first === undefined) return;
  throw dataError(
    ErrorCodes.DATA_NOT_NUMERIC,
    `${csv.path}: no column is named ${JSON.stringify(feature)} (the model's feature), and the second, ${JSON.stringify(csv.header[1])}, has ${JSON.stringify(first)}${notNumberHint(first).replace(': name it with --target or --features if it holds readings', '')}; name the column to read ${JSON.stringify(feature)}`,
    { column: csv.header[1], value: first },
  );
}

/** Why a file cannot feed `features`, for a log line: the columns missing and the file's own. */
export function describeMissing(file: string, features: readonly string[], m: FeatureColumnsMissing): string {
  return `the model takes ${features.length} features (${features.join(', ')}) but ${file} has no column ${m.missing.map((f) => JSON.stringify(f)).join(', ')} (its columns: ${m.header.join(', ')})`;
}
