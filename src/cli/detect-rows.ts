/**
 * The rows `tickcast detect` scores, and what it says about those the service refused. Timestamps
 * are read as `train` reads them (../data/time.ts: NAB's `YYYY-MM-DD HH:MM:SS`, ISO-8601 with `Z` or
 * an offset, epoch seconds or ms); a row whose timestamp is none of these is sent as the service
 * would get it and refused there (TC_RECORD_BAD_TS), and reported.
 */
import { dataError, numericColumn, readCsvFile, type RawCsv } from '../data/csv.ts';
import { parseTimestamp } from '../data/time.ts';
import { ErrorCodes } from '../errors/index.ts';
import type { NabRow } from '../eval/nab/io.ts';
import type { RefusedRow } from './detect-pipeline.ts';

export interface DetectRows {
  rows: NabRow[];
  /** lines[i]: the 1-based file line of rows[i]. */
  lines: number[];
}

/** The columns to read: --time-col and --value-col when given. */
export interface DetectColumns {
  time?: string;
  value?: string;
}

/**
 * The index of a column: a name given by its flag exactly; the default name (NAB's `timestamp`,
 * `value`) in any case. TC_DATA_COLUMN_MISSING naming the header and the flag otherwise.
 */
function findColumn(csv: RawCsv, given: string | undefined, fallback: string, flag: string): number {
  const name = given ?? fallback;
  const i = given !== undefined ? csv.header.indexOf(given) : csv.header.findIndex((h) => h.toLowerCase() === fallback);
  if (i >= 0) return i;
  const origin = given !== undefined ? `from ${flag}` : `the default; name the column to read with ${flag}`;
  throw dataError(ErrorCodes.DATA_COLUMN_MISSING, `${csv.path}: no column named ${JSON.stringify(name)} (${origin}); the header has: ${csv.header.join(', ')}`, { column: name, header: csv.header });
}

/** A NAB-format CSV (`timestamp,value`, or the columns named); TC_DATA_TOO_SHORT with no data rows, as `train`. */
export async function readDetectRows(path: string, signal?: AbortSignal, columns: DetectColumns = {}): Promise<DetectRows> {
  const csv = await readCsvFile(path, signal);
  const ti = findColumn(csv, columns.time, 'timestamp', '--time-col');
  const values = numericColumn(csv, findColumn(csv, columns.value, 'value', '--value-col'));
  if (csv.lines.length === 0) throw dataError(ErrorCodes.DATA_TOO_SHORT, `${path}: no data rows after the header`);
  return { rows: Array.from(values, (value, r) => ({ timestamp: csv.cells[ti][r], value })), lines: csv.lines };
}

/** Why a row was refused, in words: an unreadable timestamp names the forms that are read. */
function describe(r: RefusedRow, input: DetectRows): string {
  const ts = input.rows[r.index].timestamp;
  if (!Number.isFinite(parseTimestamp(ts))) return `timestamp ${JSON.stringify(ts)} is not "YYYY-MM-DD HH:MM:SS", ISO-8601 or epoch seconds/ms`;
  return `${r.reason} (timestamp ${JSON.stringify(ts)})`;
}

const SHOWN = 5;

/** One stderr line: how many rows were refused, the first few with file line and reason. */
export function refusedReport(path: string, refused: readonly RefusedRow[], input: DetectRows): string {
  const first = refused.slice(0, SHOWN).map((r) => `line ${input.lines[r.index]}: ${describe(r, input)}`);
  const more = refused.length > SHOWN ? `; ${refused.length - SHOWN} more` : '';
  return `detect: ${path}: the service refused ${refused.length} of ${input.rows.length} rows (scored 0 in the results): ${first.join('; ')}${more}`;
}

/** Every row refused: TC_DATA_BAD_TIME when no timestamp could be read, else TC_DATA_MALFORMED; exit 65. */
export function allRefusedError(path: string, refused: readonly RefusedRow[], input: DetectRows): Error {
  const badTime = refused.every((r) => !Number.isFinite(parseTimestamp(input.rows[r.index].timestamp)));
  const report = refusedReport(path, refused, input).replace(/^detect: /, '');
  return dataError(badTime ? ErrorCodes.DATA_BAD_TIME : ErrorCodes.DATA_MALFORMED, `${report}; nothing was scored, so no results were written`, { path, refused: refused.length });
}
