/** Reads a `timestamp,value` CSV (NAB format) into arrays. Timestamps without a zone are UTC. */
import { fileURLToPath } from 'node:url';
import { numericColumn, readCsvFileSync, type RawCsv } from '../../data/csv.ts';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import { parseTimestamp } from '../../domain/tick-codec.ts';

export const SAMPLE_FILE = fileURLToPath(new URL('./sample/nyc_taxi.csv', import.meta.url));

export function readSeriesCsv(file: string): { ts: Float64Array; values: Float64Array } {
  let csv: RawCsv;
  let values: Float64Array;
  try {
    csv = readCsvFileSync(file, 'embedded.dataFile');
    if (csv.header.length < 2) throw new TickcastError(ErrorCodes.DATA_MALFORMED, `${file}: expected "timestamp,value" columns; got "${csv.header.join(',')}"`);
    values = numericColumn(csv, 1);
  } catch (err) {
    throw new TickcastError(ErrorCodes.CONFIG_INVALID, `embedded.dataFile: ${(err as Error).message}`, { cause: err });
  }
  const ts = new Float64Array(values.length);
  for (let r = 0; r < values.length; r++) {
    const ms = parseTimestamp(csv.cells[0][r]);
    if (ms === null) throw new TickcastError(ErrorCodes.CONFIG_INVALID, `${file}:${csv.lines[r]}: expected "timestamp,value"; "${csv.cells[0][r]}" is not a timestamp`);
    ts[r] = ms;
  }
  if (values.length < 2) throw new TickcastError(ErrorCodes.CONFIG_INVALID, `${file}: needs at least 2 rows`);
  return { ts, values };
}
