import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { LivePairs, type Pair } from '../../../src/model/finetune/live-pairs.ts';
import { ReplayBuffer } from '../../../src/model/finetune/replay-buffer.ts';
import { PageHinkley } from '../../../src/model/finetune/drift.ts';
import { rng, sine } from './helpers.ts';

test('live pairs: the window matches what the window store served at the origin tick, the future is the next H ticks', () => {
  const W = 8;
  const H = 3;
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const lp = new LivePairs({ window: W, horizon: H, normHalfLifeTicks: 20, maxSeries: 10 });
  const v = sine(200, { period: 13, level: 50, amp: 10, noise: 1 });
  const served: Float32Array[] = [];
  const pairs: Pair[] = [];
  for (let i = 0; i < v.length; i++) {
    store.push('a', i * 1000, [v[i]], 0);
    const snap = new Float32Array(W);
    served.push(store.snapshot('a', snap, 0) ? snap : new Float32Array(0));
    const p = lp.push('a', v[i]);
    if (p) pairs.push(p);
  }
  assert.equal(pairs.length, v.length - W - H + 1);
  for (const p of pairs) {
    const origin = p.originSeq; // one series: seq == tick index
    const snap = served[origin];
    for (let w = 0; w < W; w++) assert.ok(Math.abs(p.x[w] - snap[w]) < 1e-4, `x[${w}] ${p.x[w]} vs served ${snap[w]} at tick ${origin}`);
    const st = store.stats('a');
    assert.ok(st);
    // Future values normalised with the origin's statistics: y·σ + μ recovers the raw ticks.
    const mu = v[origin] - p.x[W - 1] * p.std;
    for (let h = 0; h < H; h++) assert.ok(Math.abs(p.y[h] * p.std + mu - v[origin + 1 + h]) < 1e-3);
  }
});

test('live pairs: pairs whose future holds a garbage value (|z| > maxAbsZ) are dropped; series are tracked separately', () => {
  const lp = new LivePairs({ window: 4, horizon: 2, normHalfLifeTicks: 50, maxSeries: 10, maxAbsZ: 10 });
  let made = 0;
  for (let i = 0; i < 100; i++) {
    if (lp.push('a', Math.sin(i))) made++;
    lp.push('b', Math.cos(i));
  }
  assert.equal(made, 100 - 6 + 1);
  const before = lp.dropped;
  // The spike lands in the future of the next H=2 pairs: their targets would teach garbage.
  assert.equal(lp.push('a', 1e9), null);
  assert.equal(lp.push('a', Math.sin(101)), null);
  assert.equal(lp.dropped, before + 2);
  // Series b is unaffected.
  assert.ok(lp.push('b', Math.cos(100)));
});

function pair(series: string, seq: number): Pair {
  return { series, originSeq: seq, x: new Float32Array(2), y: new Float32Array(1), std: 1 };
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

test('replay buffer: sample excludes the hold-out (origins at or after beforeSeq)', () => {
  const buf = new ReplayBuffer(100, rng(1));
  for (let i = 0; i < 300; i++) buf.add(pair(`s${i % 3}`, i));
  const cut = 280;
  const s = buf.sample(500, cut);
  assert.equal(s.length, 500);
  assert.ok(s.every((p) => p.originSeq < cut));
  assert.equal(buf.countBefore(cut), 50 - 20);
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
