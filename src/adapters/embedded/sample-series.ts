/** Reads a `timestamp,value` CSV (NAB format) into arrays. Timestamps without a zone are UTC. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import { parseTimestamp } from '../../domain/tick-codec.ts';

export const SAMPLE_FILE = fileURLToPath(new URL('./sample/nyc_taxi.csv', import.meta.url));

export function readSeriesCsv(file: string): { ts: Float64Array; values: Float64Array } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TickcastError(ErrorCodes.CONFIG_INVALID, `cannot read embedded.dataFile "${file}"`, { cause: err });
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const ts: number[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const [t, v] = lines[i].split(',');
    const ms = parseTimestamp(t);
    const x = Number(v);
    if (ms === null || !Number.isFinite(x)) {
      throw new TickcastError(ErrorCodes.CONFIG_INVALID, `${file}:${i + 1}: expected "timestamp,value"; got "${lines[i].slice(0, 80)}"`);
    }
    ts.push(ms);
    values.push(x);
  }
  if (values.length < 2) throw new TickcastError(ErrorCodes.CONFIG_INVALID, `${file}: needs at least 2 rows`);
  return { ts: Float64Array.from(ts), values: Float64Array.from(values) };
}
