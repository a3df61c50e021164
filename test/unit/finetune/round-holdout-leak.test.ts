import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { LiveFeed } from '../../../src/model/finetune/live-feed.ts';
import type { Pair } from '../../../src/model/finetune/live-pairs.ts';
import type { Metrics } from '../../../src/telemetry/metrics.ts';
import { sine } from './helpers.ts';

const W = 16;
const H = 8;

/** A feed of `series` interleaved sines, `ticks` each; `at(seq)`: the series and tick index of a global sequence number. */
function feed(series: number, ticks: number, replayCapacity: number): { feed: LiveFeed; at: (seq: number) => { series: string; i: number } } {
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: series, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 50 });
  const metrics = { replayBufferSize: { set: () => {} } } as unknown as Metrics;
  const f = new LiveFeed({ window: W, horizon: H, features: 1, targets: [0], maxSeries: series, replayCapacity, maxQueued: 10, seed: 7, drift: {}, metrics, isScoring: () => false, onDrift: () => {} });
  const v = sine(ticks, { period: 23, level: 100, amp: 10, noise: 1 });
  const bySeq: Array<{ series: string; i: number }> = [];
  for (let i = 0; i < ticks; i++) {
    for (let k = 0; k < series; k++) {
      const s = `s${k}`;
      store.push(s, i * 1000, [v[i] + k], 0);
      f.observe({ series: s, ts: i * 1000, ...store.current(s)!, expected: null, suppressed: false });
      bySeq.push({ series: s, i });
    }
  }
  return { feed: f, at: (seq) => bySeq[seq] };
}

/** Training draws that share a target tick (same series, same tick) with a hold-out pair. */
function leaked(round: { train: Pair[]; holdout: Pair[] }, at: (seq: number) => { series: string; i: number }): Pair[] {
  const targets = (p: Pair) => Array.from({ length: H }, (_, h) => `${p.series}@${at(p.originSeq).i + 1 + h}`);
  const judged = new Set(round.holdout.flatMap(targets));
  return round.train.filter((p) => targets(p).some((t) => judged.has(t)));
}

// A round's hold-out gate must judge the challenger on truth it never trained on. A pair whose
// origin comes just before the hold-out slice still has targets inside it (the horizon reaches
// forward). Before 7 Dec 2026 only origins were cut, and the last `horizon` pairs of every series
// before the slice were drawn for training: up to H−1 of the values the slice scores leaked.
test('fine-tune round: no training pair has a target tick that a hold-out pair of its series is scored on', () => {
  const { feed: f, at } = feed(3, 300, 400);
  const round = f.roundPairs(60, 2000, 64);
  assert.ok(round, 'enough data for a round');
  const bad = leaked(round, at);
  assert.equal(bad.length, 0, `${bad.length} of ${round.train.length} training draws share target ticks with the hold-out (e.g. origin ${bad[0] && `${bad[0].series}@${at(bad[0].originSeq).i}`})`);
  // The cut costs only the pairs whose horizon reaches the slice: pairs just before those are still drawn.
  const holdStart = Math.min(...round.holdout.map((p) => p.originSeq));
  const latest = Math.max(...round.train.map((p) => p.originSeq));
  assert.ok(latest >= holdStart - (H + 1) * 3, `latest training origin ${latest}, hold-out starts at ${holdStart}`);
});

test('fine-tune round: with more series than the recent ring spans a horizon of, a round still starts, from the older pairs', () => {
  // 50 series: a pair's truth comes 8 × 50 = 400 global ticks after its origin, beyond a ring of 300
  // pairs, so no ring pair before the slice has its truth before it; the per-series reservoirs do.
  const { feed: f, at } = feed(50, 120, 600);
  const round = f.roundPairs(60, 2000, 64);
  assert.ok(round, 'a round starts');
  assert.equal(leaked(round, at).length, 0);
  assert.ok(new Set(round.train.map((p) => p.series)).size > 40, 'draws cover the series');
});

/** Series ticks between a pair's origin and its series' newest origin (0: the newest pair). */
function lags(pairs: Pair[], ticks: number, at: (seq: number) => { series: string; i: number }): number[] {
  return pairs.map((p) => ticks - 1 - H - at(p.originSeq).i);
}

// With a hold-out as large as the series count, the newest `holdout` pairs were one of every
// series, and the per-series purge then cut each series' newest H + 1 pairs: every draw came
// from at least H + 1 ticks back, and a series with fewer pairs than that gave none (500 series of
// 7 pairs: no round ever). The hold-out now takes the newest pairs of at most half the series in
// the ring; the other half train on their newest pairs before the slice.
test('fine-tune round: with many series of few pairs each, a round trains on recent pairs too, without leaking', () => {
  const ticks = 40;
  const { feed: f, at } = feed(500, ticks, 20_000);
  const round = f.roundPairs(512, 4096, 64);
  assert.ok(round, 'a round starts');
  assert.equal(leaked(round, at).length, 0);
  const l = lags(round.train, ticks, at);
  const withinHorizon = l.filter((x) => x <= H).length / l.length;
  assert.ok(withinHorizon >= 0.25, `${(withinHorizon * 100).toFixed(1)} % of draws from the last ${H + 1} pairs of their series (newest draw ${Math.min(...l)} ticks back)`);
  assert.ok(new Set(round.holdout.map((p) => p.series)).size <= 250, 'the gate judges the newest pairs of half the series');

  const few = feed(500, 30, 20_000); // 7 pairs a series: fewer than the purge cuts from a held series
  const r2 = few.feed.roundPairs(512, 4096, 64);
  assert.ok(r2, 'a round starts with 7 pairs a series');
  assert.equal(leaked(r2, few.at).length, 0);
});

// With few series the slice holds many pairs of each, and the purge's `horizon` costs little:
// holding half of them (the rule above, applied to every series count on 7 Dec 2026) judged the
// gate on one of two series and started the slice n pairs of that series back, so neither trained
// on anything newer (newest draw 59 ticks back here; now at most 30 + H), and the other series' newest 60
// pairs went unused. While the slice holds at least H / 2 pairs of each series, it holds every series.
test('fine-tune round: with two series, the hold-out judges both and training reaches its slice of each', () => {
  const ticks = 200;
  const { feed: f, at } = feed(2, ticks, 1000);
  const round = f.roundPairs(60, 4096, 64);
  assert.ok(round, 'a round starts');
  assert.equal(leaked(round, at).length, 0);
  assert.deepEqual([...new Set(round.holdout.map((p) => p.series))].sort(), ['s0', 's1'], 'the gate judges both series');
  const l = lags(round.train, ticks, at);
  assert.ok(Math.min(...l) <= 30 + H, `newest draw ${Math.min(...l)} ticks back (the slice holds 30 pairs of each series, the purge ${H})`);
});
