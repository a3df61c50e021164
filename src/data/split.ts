/**
 * Chronological train / validation / test split, as row borders. Nothing is shuffled across
 * borders: the model never sees a row from a later span while fitting an earlier one.
 *
 * Window starts follow the Informer/Autoformer/DLinear loaders: a span's *targets* lie inside
 * the span, while its input windows may reach back `window` rows into the previous span (so
 * the first validation forecast is for the first validation row). With ETTh1, window 96 and
 * horizon 96 this gives exactly 2785 test windows.
 */
import { ErrorCodes } from '../errors/index.ts';
import { dataError } from './csv.ts';

/** `{ kind: 'ett' }`: 12/4/4 months of 30 days each (the ETT benchmark protocol). */
export type SplitSpec = { kind: 'fractions'; train: number; val: number; test: number } | { kind: 'ett' };

/** Half-open row ranges: train [0, trainEnd), val [trainEnd, valEnd), test [valEnd, testEnd). */
export interface SplitBorders {
  trainEnd: number;
  valEnd: number;
  testEnd: number;
}

export type SpanName = 'train' | 'val' | 'test';

/** Parse "--split": "ett" or three fractions "0.7,0.1,0.2" (summing to at most 1). */
export function parseSplit(text: string): SplitSpec {
  if (text.trim().toLowerCase() === 'ett') return { kind: 'ett' };
  const parts = text.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0) || parts[0] <= 0 || parts[2] <= 0 || parts[0] + parts[1] + parts[2] > 1 + 1e-9) {
    throw dataError(ErrorCodes.CLI_USAGE, `--split must be "ett" or three fractions train,val,test that sum to at most 1 (e.g. 0.7,0.1,0.2); got ${JSON.stringify(text)}`);
  }
  return { kind: 'fractions', train: parts[0], val: parts[1], test: parts[2] };
}

export function formatSplit(spec: SplitSpec): string {
  return spec.kind === 'ett' ? 'ett' : `${spec.train},${spec.val},${spec.test}`;
}

const DAY_MS = 86_400_000;

export function splitBorders(rows: number, spec: SplitSpec, stepMs: number): SplitBorders {
  if (spec.kind === 'ett') {
    if (!Number.isFinite(stepMs) || stepMs <= 0 || (30 * DAY_MS) % stepMs !== 0) {
      throw dataError(ErrorCodes.DATA_BAD_TIME, `--split ett needs evenly spaced timestamps that divide a 30-day month; got a spacing of ${stepMs} ms. Use fractions, e.g. --split 0.6,0.2,0.2`);
    }
    const month = (30 * DAY_MS) / stepMs;
    const b = { trainEnd: 12 * month, valEnd: 16 * month, testEnd: 20 * month };
    if (b.testEnd > rows) {
      throw dataError(ErrorCodes.DATA_TOO_SHORT, `--split ett needs 20 months (${b.testEnd} rows at this spacing) but the file has ${rows}; use fractions, e.g. --split 0.6,0.2,0.2`);
    }
    return b;
  }
  // The epsilon keeps 0.7 + 0.1 (= 0.7999…) from losing a row to floating point.
  const cut = (frac: number): number => Math.min(rows, Math.floor(rows * frac + 1e-6));
  const trainEnd = cut(spec.train);
  const valEnd = cut(spec.train + spec.val);
  const testEnd = cut(spec.train + spec.val + spec.test);
  return { trainEnd, valEnd, testEnd };
}

/** Inclusive range of window start rows for one span; `count` = last - first + 1. */
export interface WindowRange {
  first: number;
  last: number;
  count: number;
}

export function windowRange(b: SplitBorders, span: SpanName, window: number, horizon: number): WindowRange {
  const [lo, hi] = span === 'train' ? [0, b.trainEnd] : span === 'val' ? [b.trainEnd - window, b.valEnd] : [b.valEnd - window, b.testEnd];
  const first = Math.max(0, lo);
  const last = hi - window - horizon;
  return { first, last, count: Math.max(0, last - first + 1) };
}

/** Like windowRange, but fails with a message that says which span is too short and what to change. */
export function requireWindows(b: SplitBorders, span: SpanName, window: number, horizon: number, min = 1): WindowRange {
  const r = windowRange(b, span, window, horizon);
  if (r.count < min) {
    throw dataError(
      ErrorCodes.DATA_TOO_SHORT,
      `the ${span} span has room for ${r.count} windows of ${window} + ${horizon} rows (need ${min}); use a shorter --window or --horizon, more data, or a larger ${span} fraction in --split`,
      { span, window, horizon, borders: b },
    );
  }
  return r;
}
