import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { LiveFeed } from '../../../src/model/finetune/live-feed.ts';
import type { Metrics } from '../../../src/telemetry/metrics.ts';
import { sine } from './helpers.ts';

// A round's hold-out gate must judge the challenger on truth it never trained on. Pairs are cut
// by their origin: one whose origin comes just before the hold-out slice still has targets inside
// it (the horizon reaches forward). Before 7 Dec 2026 the last `horizon` pairs of every series
// before the slice were drawn for training and leaked up to H−1 of the values the slice scores.
test('fine-tune round: no training pair has a target tick that a hold-out pair is scored on', () => {
  const W = 16;
  const H = 8;
  const series = ['a', 'b', 'c'];
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 50 });
  const metrics = { replayBufferSize: { set: () => {} } } as unknown as Metrics;
  const feed = new LiveFeed({ window: W, horizon: H, features: 1, targets: [0], maxSeries: 10, replayCapacity: 400, maxQueued: 10, seed: 7, drift: {}, metrics, isScoring: () => false, onDrift: () => {} });
  const v = sine(300, { period: 23, level: 100, amp: 10, noise: 1 });
  // Global tick sequence → (series, tick index within the series), to read each pair's target ticks.
  const bySeq: Array<{ series: string; i: number }> = [];
  for (let i = 0; i < v.length; i++) {
    for (const [k, s] of series.entries()) {
      store.push(s, i * 1000, [v[i] + k], 0);
      feed.observe({ series: s, ts: i * 1000, ...store.current(s)!, expected: null, suppressed: false });
      bySeq.push({ series: s, i });
    }
  }
  const round = feed.roundPairs(60, 2000, 64);
  assert.ok(round, 'enough data for a round');
  const key = (s: string, i: number) => `${s}@${i}`;
  const targets = (p: { series: string; originSeq: number }) => Array.from({ length: H }, (_, h) => key(p.series, bySeq[p.originSeq].i + 1 + h));
  const judged = new Set(round.holdout.flatMap(targets));
  const leaked = round.train.filter((p) => targets(p).some((t) => judged.has(t)));
  assert.equal(leaked.length, 0, `${leaked.length} of ${round.train.length} training draws share target ticks with the hold-out (e.g. origin ${leaked[0] && key(leaked[0].series, bySeq[leaked[0].originSeq].i)})`);
  // The cut costs only the pairs whose horizon reaches the slice: earlier pairs are still drawn.
  const holdStart = Math.min(...round.holdout.map((p) => p.originSeq));
  const latest = Math.max(...round.train.map((p) => p.originSeq));
  assert.ok(latest >= holdStart - (H + 1) * series.length, `latest training origin ${latest}, hold-out starts at ${holdStart}`);
});
