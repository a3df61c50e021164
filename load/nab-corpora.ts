/**
 * The two labelled corpora of `npm run bench:nab`, loaded once: the NAB development subset
 * (../shared/data/nab) and the injected-anomaly corpus (src/eval/nab/inject.ts) built from M4
 * Hourly (../shared/data/m4) and the bundled nyc_taxi sample. Both are scored by the same NAB
 * rules; `evaluate` runs one detector over a corpus and scores it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  buildInjectedCorpus, burstyCounts, listCorpusFiles, mulberry32, quantiseRows, readDataCsv, readM4Hourly, readWindows, scoreCorpus, withMissedReadings, withOutages,
  type NabRow, type ProfileResult, type ScoredFile, type SourceSeries, type WindowLimits,
} from '../src/eval/nab/index.ts';

export interface LabelledCorpus {
  label: string;
  names: string[];
  rows: Map<string, NabRow[]>;
  windows: Record<string, WindowLimits[]>;
  ticks: number;
}

/** Scores for one file's rows, one per row, from a fresh detector. */
export type FileDetector = (rows: readonly NabRow[], name: string) => number[];

export function loadNabDev(dataDir: string): LabelledCorpus | null {
  const labelsPath = join(dataDir, 'labels', 'combined_windows.json');
  if (!existsSync(labelsPath)) return null;
  const windows = readWindows(labelsPath);
  const names = listCorpusFiles(dataDir).filter((n) => n in windows);
  const rows = new Map(names.map((n) => [n, readDataCsv(join(dataDir, n))]));
  return { label: 'NAB dev subset', names, rows, windows, ticks: names.reduce((s, n) => s + rows.get(n)!.length, 0) };
}

/**
 * The injected corpus; null when M4 is absent. `perKind` M4 series per kind (seeded choice).
 * `bursty`: every source series is first made into bursty counts (src/eval/nab/bursts.ts, seeded
 * per series), then the same anomalies are injected at the same positions.
 */
export function loadInjected(m4Dir: string, samplePath: string, perKind = 20, seed = 13, bursty = false): LabelledCorpus | null {
  if (!existsSync(join(m4Dir, 'Hourly-train.csv'))) return null;
  let m4: SourceSeries[] = readM4Hourly(m4Dir);
  let long: SourceSeries[] = existsSync(samplePath) ? [readDataCsv(samplePath)].map((r) => ({ id: 'nyc_taxi', values: r.map((x) => x.value), timestamps: r.map((x) => x.timestamp) })) : [];
  if (bursty) {
    const burst = (s: SourceSeries, i: number): SourceSeries => ({ ...s, values: burstyCounts(s.values, mulberry32(seed * 65537 + i)) });
    m4 = m4.map(burst);
    long = long.map((s, i) => burst(s, m4.length + i));
  }
  const files = buildInjectedCorpus({ m4, perKind, long, longCount: 3, seed });
  const rows = new Map(files.map((f) => [f.name, f.rows]));
  const windows = Object.fromEntries(files.map((f) => [f.name, f.windows]));
  const names = files.map((f) => f.name);
  const label = `${bursty ? 'bursty ' : ''}injected corpus (seed ${seed})`;
  return { label, names, rows, windows, ticks: names.reduce((s, n) => s + rows.get(n)!.length, 0) };
}

/** The same corpus read at a coarse resolution: each file rounded to k × its median |Δ| (src/eval/nab/quantise.ts). */
export function quantisedCorpus(corpus: LabelledCorpus, k: number): LabelledCorpus {
  const rows = new Map(corpus.names.map((n) => [n, quantiseRows(corpus.rows.get(n)!, k).rows]));
  return { ...corpus, label: `${corpus.label} rounded to ${k} × median |Δ|`, rows };
}

/** The same corpus with sensor outages cut out of every file (src/eval/nab/outages.ts), seeded. */
export function withOutagesCorpus(corpus: LabelledCorpus, seed: number): LabelledCorpus & { removed: number } {
  const rng = mulberry32(seed);
  let removed = 0;
  const rows = new Map<string, NabRow[]>();
  for (const name of corpus.names) {
    const cut = withOutages(corpus.rows.get(name)!, corpus.windows[name], rng);
    rows.set(name, cut.rows);
    removed += cut.removed;
  }
  const ticks = corpus.names.reduce((s, n) => s + rows.get(n)!.length, 0);
  return { ...corpus, label: `${corpus.label} with outages`, rows, ticks, removed };
}

/** The same corpus with each reading lost with probability `rate`, and the rest ± `jitter` of an interval off their clock (src/eval/nab/missed-readings.ts), seeded. */
export function withMissedReadingsCorpus(corpus: LabelledCorpus, rate: number, seed: number, jitter = 0): LabelledCorpus {
  const rng = mulberry32(seed);
  const rows = new Map(corpus.names.map((n) => [n, withMissedReadings(corpus.rows.get(n)!, corpus.windows[n], rate, rng, jitter)]));
  const ticks = corpus.names.reduce((s, n) => s + rows.get(n)!.length, 0);
  const jittered = jitter > 0 ? `, ±${Math.round(jitter * 100)} % clock jitter` : '';
  return { ...corpus, label: `${corpus.label}, ${Math.round(rate * 100)} % of readings lost${jittered}`, rows, ticks };
}

export function defaultPaths(): { nab: string; m4: string; sample: string } {
  const shared = join(process.cwd(), '..', 'shared', 'data');
  return {
    nab: resolve(process.env.NAB_DIR ?? join(shared, 'nab')),
    m4: resolve(process.env.M4_DIR ?? join(shared, 'm4')),
    sample: resolve(join(process.cwd(), 'src', 'adapters', 'embedded', 'sample', 'nyc_taxi.csv')),
  };
}

export interface Evaluation {
  files: ScoredFile[];
  results: ProfileResult[];
  /** Wall time of the detector alone, µs per tick. */
  usPerTick: number;
}

export function evaluate(corpus: LabelledCorpus, detect: FileDetector): Evaluation {
  let ms = 0;
  const files: ScoredFile[] = corpus.names.map((name) => {
    const rows = corpus.rows.get(name)!;
    const t0 = performance.now();
    const anomalyScores = detect(rows, name);
    ms += performance.now() - t0;
    return { name, timestamps: rows.map((r) => r.timestamp), anomalyScores, windows: corpus.windows[name] };
  });
  return { files, results: scoreCorpus(files), usPerTick: (ms * 1000) / corpus.ticks };
}
