import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { LivePairs, type Pair } from '../../../src/model/finetune/live-pairs.ts';
import { ReplayBuffer } from '../../../src/model/finetune/replay-buffer.ts';
import { PageHinkley } from '../../../src/model/finetune/drift.ts';
import type { TickObservation } from '../../../src/pipeline/ports.ts';
import { rng, sine } from './helpers.ts';

/** Push a tick into the store and make the observation the pipeline would give the learner. */
function observe(store: WindowStore, series: string, i: number, v: number[], suppressed = false): TickObservation {
  store.push(series, i * 1000, v, 0);
  return { series, ts: i * 1000, ...store.current(series)!, expected: null, suppressed };
}

test('live pairs: the window matches what the window store served at the origin tick, the future is the next H ticks', () => {
  const W = 8;
  const H = 3;
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const lp = new LivePairs({ window: W, horizon: H, features: 1, targets: [0], maxSeries: 10 });
  const v = sine(200, { period: 13, level: 50, amp: 10, noise: 1 });
  const served: Float32Array[] = [];
  const pairs: Pair[] = [];
  for (let i = 0; i < v.length; i++) {
    const o = observe(store, 'a', i, [v[i]]);
    const snap = new Float32Array(W);
    served.push(store.snapshot('a', snap, 0) ? snap : new Float32Array(0));
    const p = lp.push(o);
    if (p) pairs.push(p);
  }
  assert.equal(pairs.length, v.length - W - H + 1);
  for (const p of pairs) {
    const origin = p.originSeq; // one series: seq == tick index
    const snap = served[origin];
    for (let w = 0; w < W; w++) assert.ok(Math.abs(p.x[w] - snap[w]) < 1e-4, `x[${w}] ${p.x[w]} vs served ${snap[w]} at tick ${origin}`);
    // Future values normalised with the origin's statistics: y·σ + μ recovers the raw ticks.
    const mu = v[origin] - p.x[W - 1] * p.std;
    for (let h = 0; h < H; h++) assert.ok(Math.abs(p.y[h] * p.std + mu - v[origin + 1 + h]) < 1e-3);
  }
});

test('live pairs: readings the window store filled in are window rows here too (x as served), never a target or an origin', () => {
  const W = 8;
  const H = 3;
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20, fillMissed: 4 });
  const lp = new LivePairs({ window: W, horizon: H, features: 1, targets: [0], maxSeries: 10 });
  const v = sine(400, { period: 13, level: 50, amp: 10, noise: 1 });
  const kept: number[] = []; // tick index of each sequence number
  const served: Float32Array[] = [];
  const pairs: Pair[] = [];
  let filledTotal = 0;
  for (let i = 0; i < v.length; i++) {
    if (i > 80 && (i % 23 === 5 || i % 23 === 6 || i % 37 === 0)) continue; // lost, some in pairs
    const { filled = 0 } = store.push('a', i * 1000, [v[i]], 0);
    filledTotal += filled;
    const snap = new Float32Array(W);
    served.push(store.snapshot('a', snap, 0) ? snap : new Float32Array(0));
    kept.push(i);
    const o: TickObservation = { series: 'a', ts: i * 1000, ...store.current('a')!, expected: null, suppressed: false, filled };
    const p = lp.push(o);
    if (p) pairs.push(p);
  }
  assert.ok(filledTotal > 20, `readings filled: ${filledTotal}`);
  assert.ok(lp.filledOut > 0 && pairs.length > 100, `${pairs.length} pairs, ${lp.filledOut} left out`);
  for (const p of pairs) {
    const snap = served[p.originSeq];
    for (let w = 0; w < W; w++) assert.ok(Math.abs(p.x[w] - snap[w]) < 1e-4, `x[${w}] ${p.x[w]} vs served ${snap[w]} at seq ${p.originSeq}`);
    // The future is the next H readings on the clock, each one that really came.
    const origin = kept[p.originSeq];
    const mu = v[origin] - p.x[W - 1] * p.std;
    for (let h = 0; h < H; h++) {
      assert.ok(kept.includes(origin + 1 + h), `target ${origin + 1 + h} was a lost reading`);
      assert.ok(Math.abs(p.y[h] * p.std + mu - v[origin + 1 + h]) < 1e-3);
    }
  }
  // Control: without the filled count, windows across a lost reading differ from those served.
  const blind = new LivePairs({ window: W, horizon: H, features: 1, targets: [0], maxSeries: 10 });
  const store2 = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20, fillMissed: 4 });
  let differ = 0;
  for (let i = 0; i < v.length; i++) {
    if (i > 80 && (i % 23 === 5 || i % 23 === 6 || i % 37 === 0)) continue;
    store2.push('a', i * 1000, [v[i]], 0);
    const o: TickObservation = { series: 'a', ts: i * 1000, ...store2.current('a')!, expected: null, suppressed: false };
    const p = blind.push(o);
    if (p && p.x.some((x, w) => Math.abs(x - served[p.originSeq][w]) > 1e-4)) differ++;
  }
  assert.ok(differ > 10, `windows unlike those served without filling: ${differ}`);
});

test('live pairs: multivariate — x holds every feature [W, F], y every target [H, T], each normalised with its own origin statistics', () => {
  const W = 6;
  const H = 2;
  const store = new WindowStore({ window: W, features: 3, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  // Features: load, temp, price; targets: price, load.
  const lp = new LivePairs({ window: W, horizon: H, features: 3, targets: [2, 0], maxSeries: 10 });
  const row = (i: number) => [100 + 10 * Math.sin(i / 3), 20 + Math.cos(i / 5), 3 + 0.5 * Math.sin(i / 7)];
  const pairs: Pair[] = [];
  const stats: { mean: Float64Array; std: Float64Array }[] = [];
  for (let i = 0; i < 60; i++) {
    const o = observe(store, 'm', i, row(i));
    stats.push({ mean: o.mean, std: o.std });
    const p = lp.push(o);
    if (p) pairs.push(p);
  }
  assert.equal(pairs.length, 60 - W - H + 1);
  for (const p of pairs) {
    assert.equal(p.x.length, W * 3);
    assert.equal(p.y.length, H * 2);
    const o = p.originSeq;
    const st = stats[o];
    for (let w = 0; w < W; w++) for (let f = 0; f < 3; f++) assert.ok(Math.abs(p.x[w * 3 + f] - (row(o - W + 1 + w)[f] - st.mean[f]) / st.std[f]) < 1e-4);
    for (let h = 0; h < H; h++) {
      assert.ok(Math.abs(p.y[h * 2] - (row(o + 1 + h)[2] - st.mean[2]) / st.std[2]) < 1e-4, 'target 0 is price');
      assert.ok(Math.abs(p.y[h * 2 + 1] - (row(o + 1 + h)[0] - st.mean[0]) / st.std[0]) < 1e-4, 'target 1 is load');
    }
  }
});

test('live pairs: no pair holds a suppressed tick (window or future); the rest are unaffected', () => {
  const W = 5;
  const H = 2;
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 50 });
  const lp = new LivePairs({ window: W, horizon: H, features: 1, targets: [0], maxSeries: 10 });
  const made: number[] = [];
  for (let i = 0; i < 100; i++) {
    const p = lp.push(observe(store, 'a', i, [Math.sin(i)], i >= 40 && i < 43));
    if (p) made.push(p.originSeq);
  }
  // A pair spans origin−W+1 … origin+H: every origin whose span touches 40..42 is missing.
  const expected = Array.from({ length: 100 }, (_, o) => o).filter((o) => o >= W - 1 && o + H < 100 && (o + H < 40 || o - W + 1 > 42));
  assert.deepEqual(made, expected);
  assert.equal(lp.suppressed, 3 + W + H - 1);
});

test('live pairs: pairs whose future holds a garbage value (|z| > maxAbsZ) are dropped; series are tracked separately', () => {
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 50 });
  const lp = new LivePairs({ window: 4, horizon: 2, features: 1, targets: [0], maxSeries: 10, maxAbsZ: 10 });
  let made = 0;
  for (let i = 0; i < 100; i++) {
    if (lp.push(observe(store, 'a', i, [Math.sin(i)]))) made++;
    lp.push(observe(store, 'b', i, [Math.cos(i)]));
  }
  assert.equal(made, 100 - 6 + 1);
  const before = lp.dropped;
  // The spike lands in the future of the next H=2 pairs: their targets would teach garbage.
  assert.equal(lp.push(observe(store, 'a', 100, [1e9])), null);
  assert.equal(lp.push(observe(store, 'a', 101, [Math.sin(101)])), null);
  assert.equal(lp.dropped, before + 2);
  // Series b is unaffected.
  assert.ok(lp.push(observe(store, 'b', 100, [Math.cos(100)])));
});

function pair(series: string, seq: number, truthSeq = seq): Pair {
  return { series, originSeq: seq, truthSeq, x: new Float32Array(2), y: new Float32Array(1), std: 1 };
}

test('replay buffer: bounded, recent ring holds the newest, a quiet series keeps its share of coverage draws', () => {
  const buf = new ReplayBuffer(200, rng(3));
  let seq = 0;
  for (let i = 0; i < 10_000; i++) {
    buf.add(pair('busy', seq++));
    if (i % 50 === 0) buf.add(pair('quiet', seq++));
  }
  assert.ok(buf.size <= 200, `size ${buf.size}`);
  const recent = buf.recent(5);
  assert.deepEqual(recent.map((p) => p.originSeq), [seq - 5, seq - 4, seq - 3, seq - 2, seq - 1]);
  const s = buf.sample(2000);
  const quiet = s.filter((p) => p.series === 'quiet').length;
  // The quiet series is 2% of the stream; coverage draws (half) pick a series uniformly → ~25%.
  assert.ok(quiet > 350 && quiet < 650, `quiet drawn ${quiet}/2000`);
  // Reservoir covers the whole history, not only the tail.
  const oldest = Math.min(...s.map((p) => p.originSeq));
  assert.ok(oldest < seq / 2, `oldest sampled ${oldest} of ${seq}`);
});

test('replay buffer: stays within its capacity with more series than its coverage half; the longest-quiet series go first', () => {
  // Before 6 Dec 2026 every series kept at least one pair: 1000 series in a buffer of 100 held 1050.
  const buf = new ReplayBuffer(100, rng(5));
  let seq = 0;
  for (let i = 0; i < 1000; i++) {
    buf.add(pair(`s${i}`, seq++));
    if (i % 10 === 0) buf.add(pair('keep', seq++));
    assert.ok(buf.size <= 100, `size ${buf.size} after ${i + 1} series`);
  }
  assert.equal(buf.seriesCount, 50);
  // Below the recent ring (the newest 50 pairs) only the reservoirs remain: those of the 50 most recently active series.
  const ringStart = buf.recent(50)[0].originSeq;
  const older = buf.sample(2000, ringStart);
  assert.ok(older.some((p) => p.series === 'keep'), 'a series that kept ticking keeps its coverage');
  const evicted = older.filter((p) => p.series !== 'keep' && Number(p.series.slice(1)) < 940);
  assert.equal(evicted.length, 0, `pairs of long-quiet series drawn: ${evicted.slice(0, 3).map((p) => p.series)}`);
  buf.forget('keep');
  assert.equal(buf.seriesCount, 49);
});

test('replay buffer: sample excludes the hold-out (origins at or after beforeSeq) and the pairs whose truth reaches into it', () => {
  const buf = new ReplayBuffer(100, rng(1));
  for (let i = 0; i < 300; i++) buf.add(pair(`s${i % 3}`, i));
  const cut = 280;
  const s = buf.sample(500, cut);
  assert.equal(s.length, 500);
  assert.ok(s.every((p) => p.originSeq < cut));
  // The ring's 30 pairs before the cut, and the reservoirs' older ones (a pair in both counted once).
  const n = buf.countBefore(cut);
  assert.ok(n >= 30 && n <= 30 + 50, `countBefore ${n}`);
  assert.equal(buf.countBefore(cut, new Map(), 5), 5, 'counts up to the limit');
  // Purge: series s0's pairs whose truth (origin + 7 here) reaches its first hold-out origin 270 are not drawn; other series keep theirs.
  const buf2 = new ReplayBuffer(100, rng(1));
  for (let i = 0; i < 300; i++) buf2.add(pair(`s${i % 3}`, i, i + 7));
  const purged = buf2.sample(2000, cut, new Map([['s0', 270]]));
  assert.ok(purged.every((p) => p.series !== 's0' || p.truthSeq < 270));
  assert.ok(purged.some((p) => p.series === 's1' && p.truthSeq >= 270), 'another series keeps its pairs near the cut');
  assert.equal(buf2.countBefore(cut, new Map([['s0', 270]])), buf2.countBefore(cut) - 6); // s0's 264, 267, …, 279
});

test('Page-Hinkley: quiet on stationary residuals, fires soon after the mean shifts', () => {
  const r = rng(9);
  const ph = new PageHinkley({ delta: 0.05, lambda: 20, minSamples: 100 });
  let alarms = 0;
  for (let i = 0; i < 20_000; i++) if (ph.update(0.4 + (r() - 0.5) * 0.4)) alarms++;
  assert.equal(alarms, 0, 'false alarms on a stationary stream');
  let at = -1;
  for (let i = 0; i < 2000; i++) {
    if (ph.update(1.2 + (r() - 0.5) * 0.4)) {
      at = i;
      break;
    }
  }
  assert.ok(at >= 0 && at < 100, `detected after ${at} samples`);
  assert.equal(ph.statistic, 0, 'restarts after a detection');
});
