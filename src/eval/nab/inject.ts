/**
 * The injected-anomaly corpus: a second, larger labelled corpus made in code from real series
 * (M4 Hourly, the bundled nyc_taxi sample), so a detector change can be checked on data it was
 * not tuned on. Each file gets anomalies of ONE kind (its category) at seeded positions after
 * NAB's probation; windows are laid out as NAB lays them out (10 % of the file length shared
 * among its anomalies, centred on each onset), so the NAB scorer applies unchanged. A `none`
 * category holds untouched series: false positives there cost as they do in NAB.
 *
 * Magnitudes are in units of the series' own local spread (std over the 168 ticks before the
 * onset), drawn from ranges that make some anomalies obvious and some subtle. Deterministic:
 * same inputs and seed, same corpus.
 */
import type { NabRow } from './io.ts';
import { mulberry32, randInt, randReal, type Rng } from './rng.ts';
import { probationLength, type WindowLimits } from './sweeper.ts';

export const INJECTION_KINDS = ['spike', 'dip', 'level_shift', 'variance', 'flatline', 'frequency'] as const;
export type InjectionKind = (typeof INJECTION_KINDS)[number];

export interface InjectedFile {
  /** "<category>/<id>.csv": the category is the injection kind, or `none`. */
  name: string;
  rows: NabRow[];
  windows: WindowLimits[];
}

export interface SourceSeries {
  id: string;
  values: readonly number[];
  /** Row timestamps ("YYYY-MM-DD HH:MM:SS"); hourly from 2020-01-01 when absent. */
  timestamps?: readonly string[];
}

function localStd(x: readonly number[], at: number): number {
  const lo = Math.max(0, at - 168);
  let m = 0;
  for (let i = lo; i < at; i++) m += x[i];
  m /= Math.max(1, at - lo);
  let v = 0;
  for (let i = lo; i < at; i++) v += (x[i] - m) ** 2;
  const s = Math.sqrt(v / Math.max(1, at - lo));
  return s > 0 ? s : Math.abs(m) * 0.05 || 1;
}

function centredMean(x: readonly number[], i: number, half: number): number {
  let s = 0;
  let n = 0;
  for (let k = Math.max(0, i - half); k <= Math.min(x.length - 1, i + half); k++) { s += x[k]; n++; }
  return s / n;
}

/** Apply one anomaly of `kind` at `at` in place; returns how many ticks it spans. */
export function injectAt(x: number[], kind: InjectionKind, at: number, rng: Rng): number {
  const sd = localStd(x, at);
  const sign = rng() < 0.5 ? -1 : 1;
  const maxLen = Math.max(1, Math.floor((x.length - at) / 2) - 1);
  switch (kind) {
    case 'spike':
    case 'dip': {
      const len = randInt(rng, 1, 3);
      const m = randReal(rng, 2.5, 6) * sd * (kind === 'spike' ? 1 : -1);
      for (let i = at; i < Math.min(x.length, at + len); i++) x[i] += m;
      return len;
    }
    case 'level_shift': {
      const m = sign * randReal(rng, 1.5, 3.5) * sd;
      for (let i = at; i < x.length; i++) x[i] += m;
      return x.length - at;
    }
    case 'variance': {
      const len = Math.min(maxLen, randInt(rng, 24, 96));
      const f = randReal(rng, 2.5, 5);
      const base = x.slice(at, at + len).map((_, k) => centredMean(x, at + k, 12));
      for (let k = 0; k < len; k++) x[at + k] = base[k] + f * (x[at + k] - base[k]);
      return len;
    }
    case 'flatline': {
      const len = Math.min(maxLen, randInt(rng, 24, 72));
      for (let k = 1; k < len; k++) x[at + k] = x[at];
      return len;
    }
    case 'frequency': {
      const len = Math.min(maxLen, randInt(rng, 24, 72));
      const src = x.slice(at, at + 2 * len);
      // Twice as fast (every other tick of the next 2·len), or half as fast (each tick twice).
      const fast = rng() < 0.5;
      for (let k = 0; k < len; k++) x[at + k] = fast ? src[Math.min(src.length - 1, 2 * k)] : src[k >> 1];
      return len;
    }
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "YYYY-MM-DD HH:MM:SS" of 2020-01-01 00:00 UTC + i hours. */
export function hourlyTimestamp(i: number): string {
  return rowTimestamp(Date.UTC(2020, 0, 1) + i * 3_600_000);
}

/** A NAB data-file timestamp ("YYYY-MM-DD HH:MM:SS", UTC) for epoch milliseconds. */
export function rowTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * One file: `count` anomalies of `kind` (0 for `none`) at positions after the probation, spaced
 * so their windows do not overlap.
 */
export function injectFile(src: SourceSeries, kind: InjectionKind | 'none', count: number, seed: number): InjectedFile {
  const rng = mulberry32(seed);
  const x = [...src.values];
  const n = x.length;
  const ts = src.timestamps ?? x.map((_, i) => hourlyTimestamp(i));
  const name = `${kind}/${src.id}.csv`;
  const rows = (): NabRow[] => x.map((value, i) => ({ timestamp: ts[i], value }));
  if (kind === 'none' || count === 0) return { name, rows: rows(), windows: [] };
  const width = Math.max(2, Math.floor((0.1 * n) / count));
  const first = Math.max(probationLength(n) + width, Math.floor(0.2 * n));
  const span = Math.floor((n - 1 - width - first) / count);
  const starts: number[] = [];
  for (let k = 0; k < count; k++) starts.push(first + k * span + randInt(rng, 0, Math.max(0, span - width)));
  for (const at of starts) injectAt(x, kind, at, rng);
  const windows: WindowLimits[] = starts.map((at) => {
    const lo = Math.max(0, at - Math.floor(width / 2));
    return [ts[lo], ts[Math.min(n - 1, lo + width - 1)]] as const;
  });
  return { name, rows: rows(), windows };
}

export interface InjectedCorpusOptions {
  /** M4-like series: `perKind` of them per kind and `perKind` untouched (`none`), chosen by seed. */
  m4: readonly SourceSeries[];
  perKind: number;
  /** Longer series (the bundled sample): one file per kind + one `none`, `longCount` anomalies each. */
  long?: readonly SourceSeries[];
  longCount?: number;
  seed?: number;
}

/** The whole corpus, deterministic in its inputs and seed. */
export function buildInjectedCorpus(o: InjectedCorpusOptions): InjectedFile[] {
  const seed = o.seed ?? 13;
  const rng = mulberry32(seed);
  const pool = o.m4.filter((s) => s.values.length >= 300);
  // Seeded Fisher–Yates shuffle, then consecutive slices per category.
  const order = pool.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const cats: Array<InjectionKind | 'none'> = [...INJECTION_KINDS, 'none'];
  const out: InjectedFile[] = [];
  cats.forEach((kind, c) => {
    for (let k = 0; k < o.perKind; k++) {
      const s = pool[order[(c * o.perKind + k) % order.length]];
      out.push(injectFile(s, kind, 1, seed * 7919 + c * 104729 + k));
    }
    for (const [j, s] of (o.long ?? []).entries()) {
      out.push(injectFile({ ...s, id: `${s.id}-${kind}` }, kind, o.longCount ?? 3, seed * 31 + c * 1009 + j));
    }
  });
  return out;
}
