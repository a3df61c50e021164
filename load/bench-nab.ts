/**
 * npm run bench:nab — detect + score over the NAB subset in ../shared/data/nab.
 *
 * Every file is streamed tick by tick, in file order, through the anomaly detector with ONE
 * parameter set (the defaults in src/domain/anomaly/config.ts): no per-file tuning, no
 * look-ahead. Results are written in NAB format (timestamp,value,anomaly_score) under an out
 * dir, scored with our NAB scorer (src/eval/nab: all three profiles, one threshold per profile
 * optimised over the whole corpus, normalised null = 0 / perfect = 100) and printed next to the
 * published references for this subset, with the detector's time per tick and a baseline loop
 * timed in the same run.
 *
 * Paths:
 *  - detector: AnomalyDetector with expected = null (its own analogue forecaster) — always run;
 *  - detector + model stand-in: `expected` from the project's closed-form linear baseline fitted
 *    per file on the probation rows only (src/eval/nab/linear-expectation.ts) — measures the
 *    model view until the real model can be run here (NAB_STANDIN=0 skips it);
 *  - pipeline: the service path (window store → micro-batcher → model → detector), run when the
 *    module at NAB_PIPELINE_MODULE (default src/cli/detect.ts) exists and exports
 *    `detectThroughPipeline: PipelineDetect` (see src/eval/nab/detect.ts and docs/anomaly.md).
 *
 * Env: NAB_DIR (data dir), NAB_OUT (results dir, default a new temp dir), NAB_FILES=1 (per-file
 * table), ANOMALY_CONFIG (JSON overrides, for experiments only — the reported figures use none).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { AnomalyConfig } from '../src/domain/anomaly/index.ts';
import { AnomalyDetector } from '../src/domain/anomaly/index.ts';
import {
  detectRows, linearExpectations, listCorpusFiles, nabTimestampMs, readDataCsv, readWindows, scoreCorpus, writeResultsCsv,
  type NabRow, type PipelineDetect, type ProfileResult, type ScoredFile, type WindowLimits,
} from '../src/eval/nab/index.ts';

/** README of the subset: NAB's committed results rescored, threshold optimised on the subset. */
const REFERENCES: Array<[string, number, number, number]> = [
  ['ARTime', 67.1, 58.1, 72.7],
  ['Numenta HTM', 61.3, 54.3, 66.2],
  ['contextOSE', 50.5, 44.5, 55.0],
  ['relativeEntropy', 50.0, 38.8, 56.0],
  ['knncad', 43.7, 24.6, 53.1],
  ['twitterADVec', 33.4, 19.5, 39.6],
  ['random (committed run)', 27.8, 17.9, 39.9],
  ['null', 0, 0, 0],
];

interface Corpus {
  names: string[];
  rows: Map<string, NabRow[]>;
  windows: Record<string, WindowLimits[]>;
}

const f1 = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(1));

function report(label: string, results: ProfileResult[], perFile: boolean): void {
  console.log(`\n== ${label}`);
  console.log(`${'profile'.padEnd(20)}${'threshold'.padStart(10)}${'score'.padStart(8)}   windows hit / FP ticks`);
  for (const r of results) {
    console.log(`${r.profile.padEnd(20)}${r.threshold.toFixed(4).padStart(10)}${f1(r.corpus.normalised).padStart(8)}   ${r.corpus.windowsDetected}/${r.corpus.windows} / ${r.corpus.fp}`);
  }
  console.log(`per category at each profile's corpus threshold (normalised; raw score for a category without windows)`);
  console.log(`${'category'.padEnd(24)}${results.map((r) => r.profile.padStart(22)).join('')}`);
  for (const c of Object.keys(results[0].categories)) {
    const cells = results.map((r) => {
      const g = r.categories[c];
      return (g.normalised === null ? `raw ${g.raw.toFixed(2)}, ${g.fp} FP` : `${g.normalised.toFixed(1)} (${g.windowsDetected}/${g.windows})`).padStart(22);
    });
    console.log(`${c.padEnd(24)}${cells.join('')}`);
  }
  if (perFile) {
    console.log('per file, standard profile: raw score, windows hit, FP ticks');
    const std = results.find((r) => r.profile === 'standard')!;
    for (const [n, g] of Object.entries(std.files)) console.log(`  ${n.padEnd(60)}${g.raw.toFixed(3).padStart(8)}  ${g.windowsDetected}/${g.windows}  ${g.fp}`);
  }
}

function references(ours: Array<[string, ProfileResult[]]>): void {
  console.log('\n== compared with published detectors on this subset (standard / reward_low_FP / reward_low_FN)');
  for (const [label, res] of ours) console.log(`${label.padEnd(34)}${res.map((r) => f1(r.corpus.normalised).padStart(7)).join('')}`);
  for (const [n, a, b, c] of REFERENCES) console.log(`${n.padEnd(34)}${[a, b, c].map((x) => x.toFixed(1).padStart(7)).join('')}`);
}

function score(corpus: Corpus, scores: Map<string, number[]>, outDir: string): ProfileResult[] {
  const files: ScoredFile[] = corpus.names.map((name) => {
    const rows = corpus.rows.get(name)!;
    writeResultsCsv(join(outDir, name), rows, scores.get(name)!);
    return { name, timestamps: rows.map((r) => r.timestamp), anomalyScores: scores.get(name)!, windows: corpus.windows[name] };
  });
  return scoreCorpus(files);
}

async function main(): Promise<void> {
  const dataDir = resolve(process.env.NAB_DIR ?? join(process.cwd(), '..', 'shared', 'data', 'nab'));
  const labelsPath = join(dataDir, 'labels', 'combined_windows.json');
  if (!existsSync(labelsPath)) {
    console.log(`bench:nab skipped: no NAB data at ${dataDir} (looked for ${labelsPath}). Set NAB_DIR to a folder laid out like NAB's data/ with labels/combined_windows.json.`);
    return;
  }
  const overrides = process.env.ANOMALY_CONFIG ? (JSON.parse(process.env.ANOMALY_CONFIG) as Partial<AnomalyConfig>) : {};
  const perFile = process.env.NAB_FILES === '1';
  const outRoot = process.env.NAB_OUT ?? mkdtempSync(join(tmpdir(), 'tickcast-nab-'));
  const windows = readWindows(labelsPath);
  const names = listCorpusFiles(dataDir).filter((n) => n in windows);
  const missing = Object.keys(windows).filter((n) => !names.includes(n));
  if (missing.length > 0) console.log(`note: ${missing.length} labelled files have no data file and are skipped: ${missing.join(', ')}`);
  const corpus: Corpus = { names, windows, rows: new Map(names.map((n) => [n, readDataCsv(join(dataDir, n))])) };
  const ticks = names.reduce((n, f) => n + corpus.rows.get(f)!.length, 0);
  console.log(`NAB data: ${dataDir} — ${names.length} files, ${ticks} ticks, ${names.reduce((n, f) => n + windows[f].length, 0)} windows`);
  console.log(`results: ${outRoot}/<path>/<category>/<file>.csv; detector config overrides: ${JSON.stringify(overrides)}`);

  // Detector path, timed per file against a trivial per-tick loop over the same rows.
  const scores = new Map<string, number[]>();
  let detMs = 0;
  let baseMs = 0;
  let sink = 0;
  for (const name of names) {
    const rows = corpus.rows.get(name)!;
    const b0 = performance.now();
    let ew = 0;
    for (let i = 1; i < rows.length; i++) ew += 0.05 * (Math.abs(rows[i].value - rows[i - 1].value) - ew);
    baseMs += performance.now() - b0;
    sink += ew;
    const t0 = performance.now();
    scores.set(name, detectRows(rows, overrides));
    detMs += performance.now() - t0;
  }
  const detector = score(corpus, scores, join(outRoot, 'detector'));
  report('detector path (AnomalyDetector, expected = null: analogue fallback forecaster)', detector, perFile);
  const ours: Array<[string, ProfileResult[]]> = [['tickcast detector (this run)', detector]];

  if (process.env.NAB_STANDIN !== '0') {
    const ls = new Map<string, number[]>();
    let lMs = 0;
    for (const name of names) {
      const rows = corpus.rows.get(name)!;
      const exp = await linearExpectations(rows);
      const t0 = performance.now();
      const det = new AnomalyDetector(overrides);
      ls.set(name, rows.map((r, i) => det.observe(name, nabTimestampMs(r.timestamp), r.value, exp[i]).score));
      lMs += performance.now() - t0;
    }
    const standin = score(corpus, ls, join(outRoot, 'linear-standin'));
    report('detector + model stand-in (expected = linear baseline fitted on the probation rows, p10/p50/p90)', standin, perFile);
    console.log(`detector time per tick with an expectation: ${((lMs * 1000) / ticks).toFixed(2)} µs (forecasts precomputed, not counted)`);
    ours.push(['tickcast + linear stand-in', standin]);
  }

  const modPath = resolve(process.env.NAB_PIPELINE_MODULE ?? join(process.cwd(), 'src', 'cli', 'detect.ts'));
  if (existsSync(modPath)) {
    const mod = (await import(pathToFileURL(modPath).href)) as { detectThroughPipeline?: PipelineDetect };
    if (typeof mod.detectThroughPipeline === 'function') {
      const ps = new Map<string, number[]>();
      const p0 = performance.now();
      for (const name of names) ps.set(name, await mod.detectThroughPipeline(corpus.rows.get(name)!, name));
      const pMs = performance.now() - p0;
      const pipeline = score(corpus, ps, join(outRoot, 'pipeline'));
      report(`pipeline path (${modPath})`, pipeline, perFile);
      console.log(`pipeline time per tick: ${((pMs * 1000) / ticks).toFixed(1)} µs (model inference included)`);
      ours.push(['tickcast pipeline (this run)', pipeline]);
    } else {
      console.log(`\npipeline path: ${modPath} does not export detectThroughPipeline; skipped`);
    }
  } else {
    console.log(`\npipeline path: not run (${modPath} does not exist yet)`);
  }
  references(ours);
  console.log(`\ndetector time per tick: ${((detMs * 1000) / ticks).toFixed(2)} µs; baseline loop (EW mean of |Δ|) ${((baseMs * 1000) / ticks).toFixed(3)} µs; ratio ${(detMs / Math.max(baseMs, 1e-6)).toFixed(0)}×${sink === -1 ? '' : ''}`);
  console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')} (timings on a shared machine are noisy; scores are deterministic)`);
}

await main();
