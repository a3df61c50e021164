/**
 * M4 Hourly reader for the injected-anomaly corpus: one row per series (`"V1"` = id, then values,
 * ragged). Train and test rows are joined so each series is as long as the competition gives it.
 */
import { readFileSync } from 'node:fs';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';

export interface NamedSeries {
  id: string;
  values: number[];
}

/** Parse one M4 CSV (quoted cells allowed); empty cells at the end of a row are dropped. */
export function parseM4Csv(text: string, name = 'm4'): NamedSeries[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const out: NamedSeries[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',').map((c) => c.replace(/"/g, '').trim());
    const values: number[] = [];
    for (let k = 1; k < cells.length; k++) {
      if (cells[k] === '') continue;
      const v = Number(cells[k]);
      if (!Number.isFinite(v)) throw new TickcastError(ErrorCodes.DATA_NOT_NUMERIC, `${name}:${i + 1}: cell ${k + 1} is not a number ("${cells[k]}")`);
      values.push(v);
    }
    out.push({ id: cells[0], values });
  }
  return out;
}

/** Hourly-train.csv + Hourly-test.csv of a folder, joined per series id. */
export function readM4Hourly(dir: string): NamedSeries[] {
  const train = parseM4Csv(readFileSync(`${dir}/Hourly-train.csv`, 'utf8'), 'Hourly-train.csv');
  const test = new Map(parseM4Csv(readFileSync(`${dir}/Hourly-test.csv`, 'utf8'), 'Hourly-test.csv').map((s) => [s.id, s.values]));
  return train.map((s) => ({ id: s.id, values: [...s.values, ...(test.get(s.id) ?? [])] }));
}
