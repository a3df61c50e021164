/** The issue-13 harness: injected-anomaly corpus (deterministic, NAB windows) and LOCO selection. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alertRows, buildInjectedCorpus, burstyCounts, detectRows, injectAt, injectFile, leaveOneCategoryOut, mulberry32, parseM4Csv, poisson, probationLength, quantiseRows,
  withOutages, INJECTION_KINDS, type ScoredFile,
} from '../../../src/eval/nab/index.ts';

function series(n: number, seed: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / 24) + r());
}

test('M4 rows parse: quoted cells, ragged ends dropped', () => {
  const s = parseM4Csv('"V1","V2","V3","V4"\n"H1","1","2.5",""\n"H2","3","",""\n');
  assert.deepEqual(s, [{ id: 'H1', values: [1, 2.5] }, { id: 'H2', values: [3] }]);
});

test('every kind changes the series from its onset on, and not before', () => {
  for (const kind of INJECTION_KINDS) {
    const x = series(600, 1);
    const y = [...x];
    const len = injectAt(y, kind, 400, mulberry32(5));
    assert.ok(len >= 1, kind);
    assert.deepEqual(y.slice(0, 400), x.slice(0, 400), `${kind}: nothing before the onset changes`);
    assert.notDeepEqual(y.slice(400, 400 + Math.max(len, 2)), x.slice(400, 400 + Math.max(len, 2)), `${kind}: the onset changes`);
  }
});

test('a file: windows after the probation, NAB width (10 % of the file / count), deterministic', () => {
  const src = { id: 'a', values: series(1000, 2) };
  const f = injectFile(src, 'spike', 2, 42);
  assert.equal(f.name, 'spike/a.csv');
  assert.equal(f.windows.length, 2);
  const idx = (ts: string): number => f.rows.findIndex((r) => r.timestamp === ts);
  for (const [a, b] of f.windows) {
    assert.ok(idx(a) >= probationLength(1000), 'window starts after the probation');
    assert.equal(idx(b) - idx(a) + 1, 50);
  }
  assert.deepEqual(injectFile(src, 'spike', 2, 42), f, 'same seed, same file');
  assert.notDeepEqual(injectFile(src, 'spike', 2, 43).rows, f.rows, 'another seed, another file');
  assert.equal(injectFile(src, 'none', 2, 42).windows.length, 0);
});

test('the corpus: one category per kind plus none, perKind files each', () => {
  const m4 = Array.from({ length: 30 }, (_, i) => ({ id: `H${i}`, values: series(700, i) }));
  const c = buildInjectedCorpus({ m4, perKind: 3, seed: 1 });
  assert.equal(c.length, 7 * 3);
  const cats = new Set(c.map((f) => f.name.split('/')[0]));
  assert.deepEqual([...cats].sort(), [...INJECTION_KINDS, 'none'].sort());
  assert.deepEqual(buildInjectedCorpus({ m4, perKind: 3, seed: 1 }), c);
});

/** Two categories, one window each; `hit` decides which windows a candidate detects. */
function files(hitA: boolean, hitB: boolean, fpB: boolean): ScoredFile[] {
  const ts = Array.from({ length: 100 }, (_, i) => `2020-01-01 00:${String(i).padStart(2, '0')}:00`.replace(/:(\d{2}):00$/, (_m, x) => `:${x}:00`));
  const mk = (name: string, hit: boolean, fp: boolean): ScoredFile => {
    const s = new Array(100).fill(0);
    if (hit) s[60] = 1;
    if (fp) s[30] = 1;
    return { name, timestamps: ts, anomalyScores: s, windows: [[ts[55], ts[64]]] };
  };
  return [mk('A/a.csv', hitA, false), mk('B/b.csv', hitB, fpB)];
}

test('LOCO: each category is scored with the candidate chosen on the other one', () => {
  // "good-on-A" catches A's window only; "good-on-B" catches B's only.
  const res = leaveOneCategoryOut([
    { label: 'good-on-A', files: files(true, false, false) },
    { label: 'good-on-B', files: files(false, true, false) },
  ], ['standard']);
  const [r] = res;
  const a = r.heldOut.find((h) => h.category === 'A')!;
  const b = r.heldOut.find((h) => h.category === 'B')!;
  assert.equal(a.chosen, 'good-on-B', 'A is held out: chosen on B');
  assert.equal(b.chosen, 'good-on-A');
  assert.equal(a.score.windowsDetected, 0, 'so A scores what good-on-B does on A: nothing');
  assert.equal(r.pooled, 0, 'both held-out categories missed: the null score');
});

test('outages: rows cut outside the windows and the first 20 %, every window row kept, deterministic', () => {
  const f = injectFile({ id: 'S', values: series(1000, 3) }, 'spike', 3, 11);
  const a = withOutages(f.rows, f.windows, mulberry32(4), { count: 8, minTicks: 6, maxTicks: 48 });
  const b = withOutages(f.rows, f.windows, mulberry32(4), { count: 8, minTicks: 6, maxTicks: 48 });
  assert.deepEqual(a, b);
  assert.ok(a.removed >= 6, `removed ${a.removed}`);
  assert.equal(a.rows.length, f.rows.length - a.removed);
  const kept = new Set(a.rows.map((r) => r.timestamp));
  assert.ok(f.rows.slice(0, 200).every((r) => kept.has(r.timestamp)), 'the first 20 % is kept');
  for (const [start, end] of f.windows) {
    const i = f.rows.findIndex((r) => r.timestamp === start);
    const j = f.rows.findIndex((r) => r.timestamp === end);
    assert.ok(f.rows.slice(i - 1, j + 2).every((r) => kept.has(r.timestamp)), `window ${start}…${end} and its neighbours kept`);
  }
});

function excessKurtosis(a: readonly number[]): number {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  let v2 = 0;
  let v4 = 0;
  for (const x of a) {
    v2 += (x - m) ** 2;
    v4 += (x - m) ** 4;
  }
  v2 /= a.length;
  v4 /= a.length;
  return v4 / (v2 * v2) - 3;
}

test('poisson draws: mean and variance equal the rate, below and above the normal switch', () => {
  for (const rate of [4, 100]) {
    const r = mulberry32(9);
    const xs = Array.from({ length: 20_000 }, () => poisson(r, rate));
    const m = xs.reduce((s, v) => s + v, 0) / xs.length;
    const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length;
    assert.ok(Math.abs(m - rate) < 0.03 * rate, `rate ${rate}: mean ${m}`);
    assert.ok(Math.abs(v - rate) < 0.06 * rate, `rate ${rate}: variance ${v}`);
    assert.ok(xs.every((x) => Number.isInteger(x) && x >= 0));
  }
});

test('bursty counts: integers that follow the source shape, heavy-tailed bursts on (control: bursts off), deterministic', () => {
  const src = Array.from({ length: 3000 }, (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / 24));
  const shape = src.map((v) => v - 90 + 2); // the rate's shape: the source shifted to 10 % of its range above 0
  for (const seed of [1, 2, 3]) {
    const on = burstyCounts(src, mulberry32(seed));
    assert.deepEqual(on, burstyCounts(src, mulberry32(seed)));
    assert.equal(on.length, src.length);
    assert.ok(on.every((x) => Number.isInteger(x) && x >= 0));
    const off = burstyCounts(src, mulberry32(seed), { burstRate: 0, alpha: 1.5, decay: 0.6 });
    // Without bursts the counts are Poisson around the shape: light tails once divided by it.
    assert.ok(excessKurtosis(off.map((c, i) => c / shape[i])) < 5);
    assert.ok(excessKurtosis(on.map((c, i) => c / shape[i])) > 30, `seed ${seed}: bursts give heavy tails`);
    // The daily shape survives: the mean count at the peak phase is above the trough phase's.
    const atPhase = (p: number): number => off.filter((_, i) => i % 24 === p).reduce((s, v) => s + v, 0);
    assert.ok(atPhase(6) > 3 * atPhase(18), `peak ${atPhase(6)} vs trough ${atPhase(18)}`);
  }
});

test('coarse readings: every value a multiple of k × the median |Δ| of the first 500, within half a step of the original', () => {
  const r = mulberry32(8);
  const rows = Array.from({ length: 800 }, (_, i) => ({ timestamp: `t${i}`, value: 100 + 10 * Math.sin(i / 20) + r() }));
  const head = rows.slice(0, 500);
  const d = head.slice(1).map((x, i) => Math.abs(x.value - head[i].value)).sort((a, b) => a - b);
  for (const k of [1, 3]) {
    const q = quantiseRows(rows, k);
    assert.ok(Math.abs(q.step - k * d[d.length >> 1]) < 1e-12, `k ${k}: step ${q.step}`);
    q.rows.forEach((x, i) => {
      assert.equal(x.timestamp, rows[i].timestamp);
      assert.ok(Math.abs(x.value / q.step - Math.round(x.value / q.step)) < 1e-9, `k ${k}, row ${i}: on the grid`);
      assert.ok(Math.abs(x.value - rows[i].value) <= q.step / 2 + 1e-9, `k ${k}, row ${i}: within half a step`);
    });
    assert.ok(new Set(q.rows.map((x) => x.value)).size < new Set(rows.map((x) => x.value)).size, 'fewer distinct values');
  }
  const flat = rows.map((x) => ({ ...x, value: 5 }));
  assert.deepEqual(quantiseRows(flat, 3), { rows: flat, step: 0 }, 'median |Δ| 0: left as it is');
});

test('alert rows: 1 exactly where the alert state machine fires, with its cooldown; the scores at those ticks reach the threshold', () => {
  const x = series(3000, 7);
  // 10-second rows: the spike at 1600 is 100 ticks (past the damping) but under 17 minutes after
  // the one at 1500, inside the 30-minute cooldown; the one at 2500 is hours later.
  x[1500] += 80;
  x[1600] += 200; // beyond everything seen: scores high again
  x[2500] += 400;
  const rows = x.map((value, i) => ({ timestamp: new Date(Date.UTC(2020, 0, 1) + i * 10_000).toISOString().slice(0, 19).replace('T', ' '), value }));
  const sent = alertRows(rows);
  const scores = detectRows(rows);
  assert.ok(sent.every((v) => v === 0 || v === 1));
  const at = sent.flatMap((v, i) => (v === 1 ? [i] : []));
  assert.ok(at.includes(1500) && at.includes(2500), `alerts at the spikes: ${at.join(',')}`);
  assert.ok(!at.includes(1600), 'the spike 17 minutes later is inside the 30-minute cooldown');
  assert.ok(scores[1600] >= 0.4, `control: that spike scores ${scores[1600]}`);
  for (const i of at) assert.ok(scores[i] >= 0.4, `tick ${i} fired at score ${scores[i]}`);
  assert.equal(alertRows(rows, { cooldownMs: 0 })[1600], 1, 'control: without a cooldown it is sent');
});
