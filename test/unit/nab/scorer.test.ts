import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  NAB_PROFILES, scaledSigmoid, probationLength, sweepFile, scoreByThreshold, scoreAtThreshold,
  bestThreshold, scoreCorpus, parseResultsCsv, formatResultsCsv, type ScoredFile,
} from '../../../src/eval/nab/index.ts';

const close = (a: number, b: number, eps = 1e-9): void => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

/** n rows at 5-minute steps from 2014-04-01 00:00:00, in NAB's timestamp format. */
function stamps(n: number): string[] {
  const t0 = Date.UTC(2014, 3, 1);
  return Array.from({ length: n }, (_, i) => new Date(t0 + i * 300_000).toISOString().replace('T', ' ').slice(0, 19));
}

/** A 100-row file (probation 15 rows) with one window on rows 50..59, detections at `hits`. */
function file(hits: number[], name = 'cat/a.csv', score = 1): ScoredFile {
  const ts = stamps(100);
  const s = new Array(100).fill(0);
  for (const h of hits) s[h] = score;
  return { name, timestamps: ts, anomalyScores: s, windows: [[`${ts[50]}.000000`, `${ts[59]}.000000`]] };
}

test('scaled sigmoid matches NAB at known positions (S(x) = tanh(-2.5x), −1 beyond 3)', () => {
  close(scaledSigmoid(-1), 0.9866142981514303);
  close(scaledSigmoid(-0.5), 0.8482836399575129);
  close(scaledSigmoid(0), 0);
  close(scaledSigmoid(1), -0.9866142981514303);
  close(scaledSigmoid(3), -0.9999993881955461); // tanh(-7.5)
  assert.equal(scaledSigmoid(3.0001), -1);
});

test('probation is min(floor(0.15 n), 750)', () => {
  assert.equal(probationLength(100), 15);
  assert.equal(probationLength(4032), 604);
  assert.equal(probationLength(22695), 750);
});

test('perfect detector scores 100, null 0, on every profile', () => {
  for (const r of scoreCorpus([file([50])])) {
    close(r.corpus.normalised!, 100);
    assert.equal(r.corpus.windowsDetected, 1);
  }
  for (const r of scoreCorpus([file([])])) close(r.corpus.normalised!, 0);
});

test('only the earliest detection of a window counts; at the right edge it is worth S(-0.1)/S(-1)', () => {
  const [std] = scoreCorpus([file([59])], ['standard']);
  const edge = Math.tanh(0.25) / Math.tanh(2.5); // 0.24824...
  close(std.corpus.raw, edge);
  close(std.corpus.normalised!, (100 * (edge + 1)) / 2);
  const [both] = scoreCorpus([file([52, 59])], ['standard']);
  close(both.corpus.raw, Math.tanh(2.5 * 0.8) / Math.tanh(2.5));
  assert.equal(both.corpus.tp, 2);
});

test('false positives: −fpWeight before any window, sigmoid of the distance after one', () => {
  // One FP at row 20 (no preceding window) plus a perfect detection.
  const r = Object.fromEntries(scoreCorpus([file([20, 50])]).map((x) => [x.profile, x.corpus]));
  close(r.standard.raw, 1 - 0.11);
  close(r.standard.normalised!, 94.5);
  close(r.reward_low_FP_rate.normalised!, 89);
  close(r.reward_low_FN_rate.normalised!, (100 * (0.89 + 2)) / 3);
  // FP far after the window (|99-59|/9 > 3): full −0.11. Right after (row 60): tanh(-2.5/9)·0.11.
  const [far] = scoreCorpus([file([50, 99])], ['standard']);
  close(far.corpus.raw, 1 - 0.11);
  const [near] = scoreCorpus([file([50, 60])], ['standard']);
  close(near.corpus.raw, 1 + 0.11 * Math.tanh(-2.5 / 9));
  assert.equal(near.corpus.fp, 1);
});

test('detections inside the probation period are ignored', () => {
  const [r] = scoreCorpus([file([3, 50])], ['standard']);
  close(r.corpus.raw, 1);
  assert.equal(r.corpus.fp, 0);
});

test('a file without windows: its FPs lower the corpus score, its own normalised score is undefined', () => {
  const quiet: ScoredFile = { name: 'none/q.csv', timestamps: stamps(100), anomalyScores: new Array(100).fill(0).map((_, i) => (i === 80 ? 1 : 0)), windows: [] };
  const [r] = scoreCorpus([file([50]), quiet], ['standard']);
  close(r.corpus.raw, 1 - 0.11);
  assert.equal(r.categories.none.normalised, null);
  close(r.categories.none.raw, -0.11);
  close(r.categories.cat.normalised!, 100);
});

test('threshold is optimised jointly over files, and ties go to the higher threshold', () => {
  // File a: three FPs at 0.8, the window's first row at 0.6. File b: its window at 0.7 (row 55).
  const a = file([50], 'x/a.csv', 0.6);
  (a.anomalyScores as number[])[20] = 0.8; (a.anomalyScores as number[])[21] = 0.8; (a.anomalyScores as number[])[22] = 0.8;
  const b = file([55], 'x/b.csv', 0.7);
  const [r] = scoreCorpus([a, b], ['standard']);
  // 0.8: −0.33 − 2 ; 0.7: −0.33 + S(-0.5)/S(-1) − 1 ; 0.6: −0.33 + 1 + S(-0.5)/S(-1) (the best).
  assert.equal(r.threshold, 0.6);
  close(r.corpus.raw, -0.33 + 1 + Math.tanh(1.25) / Math.tanh(2.5));
  // A constant score: every threshold below 1.1 fires everywhere, so the null choice (1.1) wins.
  const flat: ScoredFile = { ...file([]), anomalyScores: new Array(100).fill(0.5) };
  const [n] = scoreCorpus([flat], ['standard']);
  assert.equal(n.threshold, 1.1);
  close(n.corpus.normalised!, 0);
});

test('the sweep over thresholds equals direct scoring at each threshold', () => {
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const ts = stamps(400);
  const scores = ts.map(() => Math.round(rnd() * 50) / 50);
  const windows = [[ts[120], ts[150]], [ts[300], ts[330]]] as const;
  const pts = sweepFile(ts, scores, windows, 'r.csv');
  for (const cost of Object.values(NAB_PROFILES)) {
    const sweep = scoreByThreshold(pts, cost);
    for (const s of sweep) {
      const d = scoreAtThreshold(pts, cost, s.threshold);
      close(s.score, d.score, 1e-9);
      assert.deepEqual([s.tp, s.fp, s.fn, s.tn], [d.tp, d.fp, d.fn, d.tn]);
    }
    assert.ok(bestThreshold(sweep).score >= sweep[0].score);
  }
});

test('results CSV round-trips and a bad score names the line', () => {
  const csv = formatResultsCsv([{ timestamp: '2014-04-01 00:00:00', value: 1.5 }], [0.25]);
  assert.equal(csv, 'timestamp,value,anomaly_score\n2014-04-01 00:00:00,1.5,0.25\n');
  assert.deepEqual(parseResultsCsv(csv), { timestamps: ['2014-04-01 00:00:00'], scores: [0.25] });
  assert.throws(() => parseResultsCsv('timestamp,anomaly_score\n2014-04-01 00:00:00,abc\n'), /:2: anomaly_score must be a number/);
});

test('a length mismatch between data and results is reported, not silently truncated', () => {
  assert.throws(() => sweepFile(stamps(3), [0, 0], [], 'f.csv'), /3 timestamps but 2 scores/);
});

test("reproduces a per-file score from NAB's committed results (numenta, art_daily_jumpsup, standard: 0.86067182427)", () => {
  // NAB results/numenta/numenta_standard_scores.csv lists 0.86067182427 for a file of 4032 rows
  // with one 403-row window and one detection; that value is S(-202/403)/S(-1): the detection
  // was 202 rows before the window's end (inclusive). Same geometry here.
  const ts = stamps(4032);
  const s = new Array(4032).fill(0);
  s[2402 - 201] = 1;
  const [r] = scoreCorpus([{ name: 'a/jumpsup.csv', timestamps: ts, anomalyScores: s, windows: [[ts[2000], ts[2402]]] }], ['standard']);
  close(r.corpus.raw, 0.86067182427, 5e-12);
  // And art_daily_small_noise in the same file: 2 FPs, no window → -0.22.
  const q = new Array(4032).fill(0);
  q[1000] = 1; q[3000] = 1;
  const pts = sweepFile(ts, q, [], 'a/noise.csv');
  close(scoreAtThreshold(pts, NAB_PROFILES.standard, 0.5).score, -0.22, 1e-12);
});
