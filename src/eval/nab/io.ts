/**
 * File I/O for the NAB evaluation: data CSVs (`timestamp,value`), results CSVs
 * (`timestamp,value,anomaly_score`) and labels/combined_windows.json. Synchronous on purpose:
 * this runs in benchmark and CLI scripts, never on the service's hot path.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseCsvText, readCsvFileSync, type RawCsv } from '../../data/csv.ts';
import { columnIndex, numericColumn } from '../../data/csv-cells.ts';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { WindowLimits } from './sweeper.ts';

export interface NabRow {
  timestamp: string;
  value: number;
}

/** Parse a NAB data CSV (header `timestamp,value`); throws with the line number on a bad row. */
export function parseDataCsv(text: string, name = 'data'): NabRow[] {
  return nabRows(parseCsvText(text, name));
}

export function readDataCsv(path: string): NabRow[] {
  return nabRows(readCsvFileSync(path, 'NAB data file'));
}

function nabRows(csv: RawCsv): NabRow[] {
  const ti = columnIndex(csv, 'timestamp', '"timestamp,value"');
  const values = numericColumn(csv, columnIndex(csv, 'value', '"timestamp,value"'));
  return Array.from(values, (value, r) => ({ timestamp: csv.cells[ti][r], value }));
}

/** Parse a results CSV: needs `timestamp` and `anomaly_score` columns. */
export function parseResultsCsv(text: string, name = 'results'): { timestamps: string[]; scores: number[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0].split(',').map((s) => s.trim());
  const ti = header.indexOf('timestamp');
  const si = header.indexOf('anomaly_score');
  if (ti < 0 || si < 0) throw new TickcastError(ErrorCodes.DATA_COLUMN_MISSING, `${name}: header must contain "timestamp" and "anomaly_score"; got "${lines[0]}"`);
  const timestamps: string[] = [];
  const scores: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cols = lines[i].split(',');
    const s = Number(cols[si]);
    if (!Number.isFinite(s)) throw new TickcastError(ErrorCodes.DATA_NOT_NUMERIC, `${name}:${i + 1}: anomaly_score must be a number; got "${cols[si]}"`);
    timestamps.push(cols[ti].trim());
    scores.push(s);
  }
  return { timestamps, scores };
}

/** Results in NAB format. Scores are written with enough digits to keep distinct values distinct. */
export function formatResultsCsv(rows: readonly NabRow[], scores: readonly number[]): string {
  const out = ['timestamp,value,anomaly_score'];
  for (let i = 0; i < rows.length; i++) out.push(`${rows[i].timestamp},${rows[i].value},${scores[i]}`);
  return out.join('\n') + '\n';
}

export function writeResultsCsv(path: string, rows: readonly NabRow[], scores: readonly number[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, formatResultsCsv(rows, scores));
}

/** labels/combined_windows.json: {"<category>/<file>.csv": [[start, end], ...]}. */
export function readWindows(path: string): Record<string, WindowLimits[]> {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const out: Record<string, WindowLimits[]> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (!Array.isArray(v) || v.some((w) => !Array.isArray(w) || w.length !== 2)) {
      throw new TickcastError(ErrorCodes.DATA_MALFORMED, `${path}: "${k}" must map to a list of [start, end] pairs`);
    }
    out[k] = (v as [string, string][]).map(([a, b]) => [a, b] as const);
  }
  return out;
}

/** Data files of a NAB corpus as "<category>/<file>.csv", sorted (labels/ and non-CSV skipped). */
export function listCorpusFiles(dataDir: string): string[] {
  const out: string[] = [];
  for (const cat of readdirSync(dataDir).sort()) {
    const dir = join(dataDir, cat);
    if (cat === 'labels' || !statSync(dir).isDirectory()) continue;
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.csv')) out.push(`${cat}/${f}`);
  }
  return out;
}
