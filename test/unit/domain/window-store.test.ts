import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { decodeForecast } from '../../../src/domain/forecast.ts';
import { copySpec } from '../../../src/domain/model-spec.ts';

const make = (o: Partial<ConstructorParameters<typeof WindowStore>[0]> = {}) =>
  new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 100, idleEvictMs: 1000, duplicatePolicy: 'drop', normHalfLifeTicks: 1000, ...o });

test('ready once the window is full, then every stride ticks', () => {
  const s = make({ stride: 2 });
  const ready = [];
  for (let t = 1; t <= 9; t++) ready.push(s.push('a', t * 1000, [t], 0).ready);
  assert.deepEqual(ready, [false, false, false, true, false, true, false, true, false]);
});

test('snapshot is oldest-first and z-normalised with the running statistics', () => {
  const s = make();
  for (const [t, v] of [[1, 10], [2, 20], [3, 30], [4, 40], [5, 50]]) s.push('a', t, [v], 0);
  const out = new Float32Array(4);
  const stats = s.snapshot('a', out, 0)!;
  assert.ok(Math.abs(stats.mean[0] - 30) < 1e-9, 'mean of all 5 ticks (exact running mean while n < half-life)');
  const raw = Array.from(out, (z) => z * stats.std[0] + stats.mean[0]);
  raw.forEach((v, i) => assert.ok(Math.abs(v - [20, 30, 40, 50][i]) < 1e-3));
  assert.deepEqual(s.recent('a')!.ts, [2, 3, 4, 5]);
});

test('late ticks are dropped, duplicates dropped or replaced per policy, gaps accepted', () => {
  const s = make();
  assert.equal(s.push('a', 10, [1], 0).outcome, 'accepted');
  assert.equal(s.push('a', 5, [1], 0).outcome, 'late');
  assert.equal(s.push('a', 10, [2], 0).outcome, 'duplicate');
  assert.equal(s.push('a', 1000, [3], 0).outcome, 'accepted');
  assert.equal(s.ticks('a'), 2);
  const r = make({ duplicatePolicy: 'replace' });
  r.push('a', 10, [1], 0);
  assert.equal(r.push('a', 10, [7], 0).outcome, 'replaced');
  assert.deepEqual(r.recent('a')!.values, [[7]]);
});

test('push names the features the previous tick lacked for good (carried): none when a record at its ts brought them (merged)', () => {
  // tickcast_feature_carried_total counted a tick without a feature when it came, so a per-reading
  // bridge's every merged reading counted as carried (until 7 Dec 2026).
  const s = make({ features: 2 });
  s.push('d', 10, [1, 2], 0);
  assert.equal(s.push('d', 20, [3, Number.NaN], 0).carried, undefined, 'its reading may still come');
  s.push('d', 20, [Number.NaN, 4], 0); // merged
  assert.equal(s.push('d', 30, [5, Number.NaN], 0).carried, undefined, 'tick 20 got its reading');
  assert.deepEqual(s.push('d', 40, [6, 7], 0).carried, [1], 'tick 30 never did');
});

test('a feature sent late in its own record at the tick\'s ts fills the carried value in (merged), under drop and replace', () => {
  // An IoT bridge that publishes one record per reading: {temperature, vibration} then {humidity}
  // at the same ts. Before 6 Dec 2026 the humidity record was a `duplicate`, dropped under the
  // default policy, and humidity stayed at its first value in every window for good.
  for (const duplicatePolicy of ['drop', 'replace'] as const) {
    const s = make({ features: 3, duplicatePolicy });
    assert.equal(s.push('d', 10, [21, 45, 0.2], 0).outcome, 'accepted');
    for (const [ts, h] of [[20, 47], [30, 49]] as const) {
      assert.equal(s.push('d', ts, [21.5, Number.NaN, 0.3], 0).outcome, 'accepted', duplicatePolicy);
      assert.equal(s.push('d', ts, [Number.NaN, h, Number.NaN], 0).outcome, 'merged', duplicatePolicy);
    }
    assert.deepEqual(s.recent('d')!.values, [[21, 45, 0.2], [21.5, 47, 0.3], [21.5, 49, 0.3]], duplicatePolicy); // per tick
    // The next tick without humidity carries the late value, not the first one.
    s.push('d', 40, [22, Number.NaN, 0.3], 0);
    assert.deepEqual(s.recent('d')!.values[3], [22, 49, 0.3], duplicatePolicy);
  }
  // Under drop a record at that ts repeating features the tick had is still a duplicate: the first reading wins.
  const s = make({ features: 2 });
  s.push('d', 10, [1, Number.NaN], 0); // refused: nothing to carry
  s.push('d', 10, [1, 2], 0);
  s.push('d', 20, [3, Number.NaN], 0);
  assert.equal(s.push('d', 20, [9, Number.NaN], 0).outcome, 'duplicate');
  assert.equal(s.push('d', 20, [9, 4], 0).outcome, 'merged');
  assert.deepEqual(s.recent('d')!.values, [[1, 2], [3, 4]]);
  assert.equal(s.push('d', 20, [Number.NaN, 5], 0).outcome, 'duplicate', 'humidity is no longer missing from the tick');
});

test('a series restored from a snapshot merges a late feature record as it would have live, and keeps its carried counts', () => {
  // A snapshot taken between the tick's record and the late reading's (a per-reading bridge): the
  // restart replays the tail from the snapshot's offset. Without `carried` in the state the
  // reading was a duplicate there, dropped, and the window kept the carried value; and
  // GET /v1/series/{id}'s window.carried counted a stopped feature from 0 again.
  const live = make({ features: 2 });
  live.push('d', 10, [1, 2], 0);
  live.push('d', 20, [3, Number.NaN], 0);
  live.push('d', 30, [4, Number.NaN], 0);
  const restored = make({ features: 2 });
  restored.importSeries('d', live.exportSeries('d')!, 0);
  assert.deepEqual(restored.recent('d')!.carried, [0, 2]);
  for (const s of [live, restored]) assert.equal(s.push('d', 30, [Number.NaN, 7], 0).outcome, 'merged');
  assert.deepEqual(restored.recent('d')!.values, live.recent('d')!.values);
});

test('series cap evicts the least recently seen; idle eviction by wall clock', () => {
  const s = make({ maxSeries: 2 });
  s.push('a', 1, [1], 0);
  s.push('b', 1, [1], 10);
  s.push('a', 2, [1], 20); // a is now the most recent
  const r = s.push('c', 1, [1], 30);
  assert.equal(r.evicted, 'b');
  assert.deepEqual([...s.ids()], ['a', 'c']);
  assert.deepEqual(s.evictIdle(1025), ['a']);
  assert.equal(s.evictions, 2);
});

test('missing features carry the last value forward; nothing to carry → incomplete', () => {
  const s = make({ features: 2 });
  assert.equal(s.push('a', 1, [1, Number.NaN], 0).outcome, 'incomplete');
  s.push('a', 2, [1, 5], 0);
  s.push('a', 3, [2, Number.NaN], 0);
  assert.deepEqual(s.recent('a')!.values, [[1, 5], [2, 5]]);
});

test('constant series normalise to zeros, not NaN', () => {
  const s = make();
  for (let t = 1; t <= 4; t++) s.push('flat', t, [7], 0);
  s.push('zeros', 1, [0], 0);
  for (let t = 2; t <= 4; t++) s.push('zeros', t, [0], 0);
  for (const series of ['flat', 'zeros']) {
    const out = new Float32Array(4);
    const stats = s.snapshot(series, out, 0)!;
    assert.deepEqual(Array.from(out), [0, 0, 0, 0], series);
    // The streaming forecast decodes with these statistics: the level itself, not level ± 1e-153.
    const spec = copySpec({ window: 4, features: ['v'], targets: ['v'], horizon: 1, quantiles: [0.1, 0.5, 0.9] });
    const [[step]] = decodeForecast(Float32Array.of(-0.3, 0.01, 0.4), 0, spec, [0], stats.mean, stats.std, [5]);
    const level = series === 'flat' ? 7 : 0;
    assert.deepEqual([step.p10, step.p50, step.p90], [level, level, level], `${series}: ${JSON.stringify(step)}`);
  }
});

test('the units of a series change nothing: the same shape at 1e12, at 1e-9 and at 1 gives the same model input, and the window keeps every digit', () => {
  const shape = [0.3, -1.2, 0.8, 0.1, -0.5, 1.4, -0.9, 0.2];
  const inputs: number[][] = [];
  for (const [level, scale] of [[0, 1], [1e12, 1], [1.7e12, 1000], [1e-9, 1e-11], [0, 1e-9]]) {
    const s = make({ window: 8 });
    const values = shape.map((v) => level + scale * v);
    values.forEach((v, t) => s.push('a', t + 1, [v], 0));
    assert.deepEqual(s.recent('a')!.values.map((r) => r[0]), values, `exact raw values at level ${level} (the window was float32 before)`);
    const out = new Float32Array(8);
    s.snapshot('a', out, 0);
    inputs.push(Array.from(out));
  }
  for (const x of inputs.slice(1)) x.forEach((v, i) => assert.ok(Math.abs(v - inputs[0][i]) < 1e-3, `model input ${v} vs ${inputs[0][i]} (a floor made small or high-level series flat)`));
  assert.ok(Math.max(...inputs[0].map(Math.abs)) > 1, 'unit scale, not flattened');
});

test('held ticks enter the window but not the statistics, for at most holdStatsMaxTicks in a row; unlearn takes back the last learned tick', () => {
  const opts = { window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop' as const, normHalfLifeTicks: 100, holdStatsMaxTicks: 3 };
  const a = new WindowStore(opts);
  const b = new WindowStore(opts);
  for (let i = 0; i < 50; i++) {
    a.push('s', i, [Math.sin(i)], 0);
    b.push('s', i, [Math.sin(i)], 0);
  }
  // Three held spikes: b's statistics do not move, the window holds the spikes.
  for (let i = 50; i < 53; i++) b.push('s', i, [100], 0, { learn: false });
  assert.deepEqual(b.stats('s'), a.stats('s'));
  assert.deepEqual(b.recent('s')!.values.slice(-3), [[100], [100], [100]]);
  // A fourth in a row is learned anyway (a lasting shift is adopted).
  b.push('s', 53, [100], 0, { learn: false });
  assert.ok(b.stats('s')!.mean[0] > a.stats('s')!.mean[0] + 0.5);
  // unlearn: a spike learned at ts 60 is taken back; a tick learned after it blocks the undo.
  const c = new WindowStore(opts);
  for (let i = 0; i < 60; i++) c.push('s', i, [Math.sin(i)], 0);
  const before = c.stats('s');
  c.push('s', 60, [100], 0);
  assert.equal(c.unlearn('s', 59), false, 'only the last learned tick can be taken back');
  assert.equal(c.unlearn('s', 60), true);
  assert.deepEqual(c.stats('s'), before);
  assert.equal(new WindowStore({ ...opts, holdStatsMaxTicks: 0 }).unlearn('s', 1), false);
});

test('tick spacing: a feed read on a clock that loses readings keeps its spacing (forecast steps stay on the clock); a slower cadence is learned', () => {
  const s = make();
  let kept = 0;
  for (let i = 0; i < 400; i++) {
    if (i > 20 && (i % 10 === 3 || i % 17 === 0)) continue; // ≈ 15 % of readings lost, some in pairs
    s.push('a', i * 300_000, [i], 0);
    kept++;
  }
  assert.ok(kept < 350);
  assert.equal(s.intervalMs('a'), 300_000);
  // Control: the plain mean of the same intervals is stretched by the lost readings.
  assert.ok(400 * 300_000 / kept > 1.1 * 300_000);
  // A cadence that changes for good — to exactly twice the interval — is learned, not taken for
  // a run of lost readings forever.
  for (let i = 0; i < 100; i++) s.push('a', 400 * 300_000 + i * 600_000, [i], 0);
  assert.ok(Math.abs(s.intervalMs('a') - 600_000) < 0.01 * 600_000, String(s.intervalMs('a')));
  // A first interval that is a fraction of the cadence (two readings a second apart at start) is
  // outgrown within the first ticks, as with a plain mean.
  const b = make();
  b.push('b', 0, [1], 0);
  for (let i = 0; i < 60; i++) b.push('b', 1000 + i * 300_000, [i], 0);
  assert.ok(Math.abs(b.intervalMs('b') - 300_000) < 0.01 * 300_000, String(b.intervalMs('b')));
});

test('tick spacing: a pause of many intervals, whole or not, teaches no spacing; four in a row are a new cadence, taken at once', () => {
  const s = make();
  const M = 60_000;
  let t = 0;
  for (let i = 0; i < 40; i++) s.push('a', (t += M + (i % 2 ? 150 : -150)), [i], 0); // a 1-minute clock, ±150 ms jitter
  const before = s.intervalMs('a');
  assert.ok(Math.abs(before - M) < 1000, String(before));
  s.push('a', (t += 2 * 3_600_000 + 25_000), [1], 0); // two hours offline, back on a new phase
  assert.ok(Math.abs(s.intervalMs('a') - M) < 1000, `a pause is not spacing: ${s.intervalMs('a')}`);
  assert.deepEqual(s.stepTimes('a', t, 2), [Math.round(t + s.intervalMs('a')), Math.round(t + 2 * s.intervalMs('a'))]);
  for (let i = 0; i < 5; i++) s.push('a', (t += M), [i], 0);
  assert.ok(Math.abs(s.intervalMs('a') - M) < 1000, String(s.intervalMs('a')));
  // The feed now reads every 15 minutes for good: after three such intervals, the fourth is its spacing.
  const seen: number[] = [];
  for (let i = 0; i < 5; i++) seen.push(s.push('a', (t += 15 * M), [i], 0) && s.intervalMs('a'));
  assert.ok(seen[2] < 2 * M, 'three pauses are pauses');
  assert.equal(seen[3], 15 * M, 'the fourth in a row is the new cadence');
  assert.equal(seen[4], 15 * M);
});

test('tick spacing: a first interval ten times the second or more (a first reading stamped by a reset clock, 2000-01-01) is replaced by the second', () => {
  const s = make();
  const M = 60_000;
  const t0 = Date.UTC(2026, 11, 6);
  s.push('rtc', Date.UTC(2000, 0, 1), [1], 0);
  s.push('rtc', t0, [1], 0);
  s.push('rtc', t0 + M, [1], 0);
  assert.equal(s.intervalMs('rtc'), M);
  for (let k = 2; k < 10; k++) s.push('rtc', t0 + k * M, [1], 0);
  assert.equal(s.intervalMs('rtc'), M);
  // Only the first: later a short interval moves the mean by a tenth, as before.
  s.push('rtc', t0 + 9 * M + 1000, [1], 0);
  assert.ok(Math.abs(s.intervalMs('rtc') - (0.9 * M + 100)) < 1e-6, String(s.intervalMs('rtc')));
});

test('missed readings of a feed stamped in fractions of a ms are filled in at theirs (to the µs), not rounded to the ms', () => {
  const t0 = 1_732_060_800_000.456; // a 1 s feed at .456 ms
  const s = make({ window: 8, fillMissed: 4 });
  for (let i = 0; i < 60; i++) s.push('a', t0 + i * 1000, [i], 0);
  s.push('a', t0 + 62_000, [62], 0); // readings 60 and 61 missed
  assert.deepEqual(s.recent('a')!.ts.slice(-3), [1_732_060_860_000.456, 1_732_060_861_000.456, 1_732_060_862_000.456]);
});

test('missed readings: a feed read on a clock has them filled into its window on its clock (linear interpolation), outside the statistics; up to fillMissed; fillMissed 0 takes ticks as they come', () => {
  const filled = make({ window: 8, fillMissed: 4 });
  const plain = make({ window: 8 });
  for (const s of [filled, plain]) {
    for (let i = 0; i < 60; i++) s.push('a', i * 1000, [i], 0);
    s.push('a', 62_000, [62], 0); // readings 60 and 61 missed
  }
  assert.deepEqual(filled.recent('a')!.ts.slice(-4), [59_000, 60_000, 61_000, 62_000]);
  assert.deepEqual(filled.recent('a')!.values.slice(-4).flat(), [59, 60, 61, 62]);
  assert.deepEqual(filled.recent('a')!.filled, [5, 6], 'the series view marks them');
  assert.equal(filled.ticks('a'), 63, 'filled readings are window slots');
  assert.deepEqual(plain.recent('a')!.ts.slice(-3), [58_000, 59_000, 62_000]);
  assert.deepEqual(filled.stats('a'), plain.stats('a'), 'filled readings stay out of the normalisation statistics');
  // A tick fillMissed + 2 intervals late (5 missed, cap 4) ends a gap: nothing filled.
  filled.push('a', 68_000, [68], 0);
  assert.deepEqual(filled.recent('a')!.ts.slice(-2), [62_000, 68_000]);
  assert.deepEqual(filled.recent('a')!.filled, [4, 5]);
  for (let i = 69; i < 77; i++) filled.push('a', i * 1000, [i], 0);
  assert.deepEqual(filled.recent('a')!.filled, [], 'a real tick written over a filled slot clears its mark');
  // More missed readings than the window holds: the newest fill it, every one counts as a slot.
  const big = make({ window: 8, fillMissed: 1000 });
  for (let i = 0; i < 60; i++) big.push('a', i * 1000, [i], 0);
  big.push('a', 560_000, [560], 0);
  assert.equal(big.ticks('a'), 561);
  assert.deepEqual(big.recent('a')!.ts, [553_000, 554_000, 555_000, 556_000, 557_000, 558_000, 559_000, 560_000]);
  assert.deepEqual(big.recent('a')!.values.flat(), [553, 554, 555, 556, 557, 558, 559, 560]);
  // A missing feature on the late tick: the filled readings carry the last value.
  const f2 = make({ window: 8, features: 2, fillMissed: 4 });
  for (let i = 0; i < 60; i++) f2.push('b', i * 1000, [i, 10], 0);
  f2.push('b', 62_000, [62, Number.NaN], 0);
  assert.deepEqual(f2.recent('b')!.values.slice(-3), [[60, 10], [61, 10], [62, 10]]);
  // A feature modelled as ln(value): filled on a straight line in ln (exact on a steady growth),
  // what the fine-tuner's interpolation of the learner's ln values gives too.
  const g = make({ window: 8, fillMissed: 4, logFeatures: [true] });
  for (let i = 0; i < 60; i++) g.push('g', i * 1000, [100 * 1.05 ** i], 0);
  g.push('g', 63_000, [100 * 1.05 ** 63], 0);
  g.recent('g')!.values.slice(-4).forEach(([v], k) => assert.ok(Math.abs(v / (100 * 1.05 ** (60 + k)) - 1) < 1e-6, `${v} at ${60 + k}`));
});

test('missed readings: ticks that come when something happens (no clock) are never filled; a series learns its clock before filling', () => {
  const s = make({ window: 8, fillMissed: 4 });
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  let t = 0;
  for (let i = 0; i < 2000; i++) s.push('e', (t += Math.round(-Math.log(rnd()) * 1000) + 1), [i], 0);
  assert.equal(s.ticks('e'), 2000, 'exponential intervals: nothing filled');
  // A new series on a clock: its first late tick comes before the clock is learned.
  const n = make({ window: 8, fillMissed: 4 });
  for (let i = 0; i < 5; i++) n.push('n', i * 1000, [i], 0);
  n.push('n', 7000, [7], 0);
  assert.equal(n.ticks('n'), 6);
});

test('missed readings: filled slots count toward the stride and a first full window; the clock survives a snapshot', () => {
  const s = make({ window: 64, stride: 2, fillMissed: 4 });
  for (let i = 0; i < 60; i++) assert.equal(s.push('a', i * 1000, [i], 0).ready, false);
  assert.equal(s.push('a', 64_000, [64], 0).ready, true, 'the window filled through 4 filled readings: first forecast');
  assert.equal(s.push('a', 65_000, [65], 0).ready, false);
  assert.equal(s.push('a', 67_000, [67], 0).ready, true, 'one filled + one real: 2 slots, the stride');
  assert.equal(s.push('a', 68_000, [68], 0).ready, false);
  const copy = make({ window: 64, stride: 2, fillMissed: 4 });
  copy.importSeries('a', s.exportSeries('a')!, 0);
  for (const st of [s, copy]) st.push('a', 71_000, [71], 0);
  assert.deepEqual(copy.recent('a'), s.recent('a'), 'values, times and filled marks');
  assert.equal(s.recent('a')!.filled.length, 7, '4 + 1 + 2 filled');
  assert.deepEqual(copy.recent('a')!.ts.slice(-3), [69_000, 70_000, 71_000]);
  // Restored into a store with filling off: real ticks written over filled slots clear their marks.
  const off = make({ window: 64, stride: 2 });
  off.importSeries('a', s.exportSeries('a')!, 0);
  assert.equal(off.recent('a')!.filled.length, 7);
  for (let i = 72; i < 136; i++) off.push('a', i * 1000, [i], 0);
  assert.deepEqual(off.recent('a')!.filled, []);
});

test('clockSkewMs: a tick itself stamped ahead does not step back — a producer whose clock is 3 h behind its devices (every tick "ahead") keeps the strict order: re-sent and out-of-order readings are late', () => {
  const M = 60_000;
  const H3 = 3 * 3_600_000;
  const s = make({ clockSkewMs: M });
  const push = (ts: number, sent: number) => s.push('g', ts, [1], 0, { sentMs: sent });
  for (let k = 0; k < 10; k++) assert.equal(push(k * M, k * M - H3).outcome, 'accepted');
  assert.equal(push(5 * M, 9 * M - H3 + 1000).outcome, 'late', 'a reading of 5 minutes ago, re-sent');
  assert.equal(push(8.5 * M, 9 * M - H3 + 2000).outcome, 'late', 'out of order by 30 s');
  assert.equal(s.lastTs('g'), 9 * M);
  assert.deepEqual(s.recent('g')!.ts, [6 * M, 7 * M, 8 * M, 9 * M], 'the window stays in order');
  // Its producer's clock fixed: the next ticks are on the true clock, in order, as before.
  assert.equal(push(10 * M, 10 * M).outcome, 'accepted');
  assert.equal(push(9.5 * M, 10 * M + 500).outcome, 'late');
});

test('clockSkewMs: after a tick stamped more than the skew ahead of when it was sent, ticks stamped at or after that send time step back (accepted, no spacing learned); less ahead, or without the option, the order is strict; the mark survives a snapshot', () => {
  const M = 60_000;
  const s = make({ clockSkewMs: M });
  const push = (st: WindowStore, ts: number, sent: number) => st.push('d', ts, [1], 0, { sentMs: sent });
  for (let k = 0; k < 3; k++) assert.equal(push(s, k * 1000, k * 1000).outcome, 'accepted');
  const fast = push(s, 3000 + 10 * M, 3000);
  assert.equal(fast.outcome, 'accepted');
  assert.equal(fast.ahead, 3000 + M, 'the furthest its time is trusted');
  assert.equal(push(s, 2500, 2500).outcome, 'late', 'older than the fast tick\'s send time: late');
  const interval = s.intervalMs('d');
  const back = push(s, 4000, 4000);
  assert.equal(back.outcome, 'accepted');
  assert.equal(back.ahead, undefined);
  assert.equal(back.stepBack, true, 'told to the followers (the incident grouper\'s replay marks)');
  assert.equal(fast.stepBack, undefined);
  assert.equal(s.lastTs('d'), 4000);
  assert.equal(s.intervalMs('d'), interval, 'a step back teaches no spacing');
  assert.equal(push(s, 3900, 3900).outcome, 'late', 'back on the strict order');
  // A tick ahead by less than the skew keeps the strict order, and so does a store without the option.
  assert.equal(push(s, 5000 + M, 5000).outcome, 'accepted');
  assert.equal(push(s, 6000, 6000).outcome, 'late');
  const strict = make();
  push(strict, 0, 0);
  push(strict, 1000 + 10 * M, 1000);
  assert.equal(push(strict, 2000, 2000).outcome, 'late');
  // The mark travels in the series' snapshot state.
  push(s, 7000 + 10 * M, 7000);
  assert.equal(s.exportSeries('d')!.aheadSentMs, 7000);
  const restored = make({ clockSkewMs: M });
  restored.importSeries('d', s.exportSeries('d')!, 0);
  assert.equal(push(restored, 8000, 8000).outcome, 'accepted', 'restored: the step back still follows');
});

test('late ticks: the count travels in the series\' snapshot state (an older snapshot without it counts from 0); a push with countLate false is not counted', () => {
  const s = make();
  s.push('a', 10_000, [1], 0);
  for (const t of [5000, 6000]) s.push('a', t, [1], 0);
  assert.equal(s.push('a', 7000, [1], 0, { countLate: false }).outcome, 'late', 'still dropped');
  assert.equal(s.recent('a')!.late, 2);
  const saved = s.exportSeries('a')!;
  assert.equal(saved.late, 2);
  const restored = make();
  restored.importSeries('a', saved, 0);
  assert.equal(restored.recent('a')!.late, 2, 'a restart keeps the count');
  assert.equal(restored.push('a', 8000, [1], 0).lateTicks, 3);
  const { late: _late, ...older } = saved;
  const fromOlder = make();
  fromOlder.importSeries('a', older, 0);
  assert.equal(fromOlder.recent('a')!.late, 0);
  for (const bad of [-1, 1.5, Number.NaN, '3' as unknown as number]) {
    const b = make();
    b.importSeries('a', { ...saved, late: bad }, 0);
    assert.equal(b.recent('a')!.late, 0, `late ${String(bad)} is not a count`);
  }
  assert.equal(make().exportSeries('a'), null);
  const none = make();
  none.push('a', 1, [1], 0);
  assert.equal('late' in none.exportSeries('a')!, false, 'absent when none');
});

test('a new cadence on a clock (fillMissed on): forecast steps take it after 3 ticks, and a slower one is not filled in as missed readings for long', () => {
  const at = (a: number, b: number) => {
    const s = make({ window: 16, fillMissed: 8 });
    let t = 1_700_000_000_000;
    for (let i = 0; i < 300; i++) s.push('x', (t += a), [1], 0);
    let filled = 0;
    for (let i = 0; i < 3; i++) filled += s.push('x', (t += b), [1], 0).filled ?? 0;
    const steps = s.stepTimes('x', t, 3).map((x) => x - t);
    for (let i = 0; i < 50; i++) filled += s.push('x', (t += b), [1], 0).filled ?? 0;
    return { steps, filled, spacing: s.intervalMs('x') };
  };
  const faster = at(60_000, 10_000);
  assert.deepEqual(faster.steps, [10_000, 20_000, 30_000], 'every 60 s, then every 10 s: forecast steps 10 s apart after 3 ticks (before: 51 s, 102 s, …; 29 ticks to within 25 %)');
  assert.equal(faster.filled, 0);
  const slower = at(10_000, 60_000);
  assert.deepEqual(slower.steps, [60_000, 120_000, 180_000]);
  assert.ok(slower.filled <= 10, `readings filled in: ${slower.filled} (before: 65, five a tick while the clock's typical interval adapted)`);
  assert.equal(at(60_000, 30_000).spacing > 30_000, true, 'a halved cadence is learned in steps (a clock losing every other reading looks the same at first)');
});

test('a clock losing 10 % of its readings, or random event times, is no new cadence (fillMissed on): the spacing stays put', () => {
  let seed = 11;
  const r = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const lossy = make({ window: 16, fillMissed: 8 });
  const events = make({ window: 16, fillMissed: 8 });
  let t = 0;
  let u = 0;
  const lossySpacing: number[] = [];
  const eventSpacing: number[] = [];
  for (let i = 0; i < 5000; i++) {
    t += 60_000;
    if (i < 50 || r() > 0.1) lossy.push('x', t, [1], 0);
    events.push('x', (u += -Math.log(1 - r()) * 60_000), [1], 0);
    if (i > 500) [lossySpacing, eventSpacing].forEach((a, k) => a.push((k ? events : lossy).intervalMs('x')));
  }
  assert.ok(Math.min(...lossySpacing) > 0.9 * 60_000 && Math.max(...lossySpacing) < 1.1 * 60_000, `lossy: ${Math.min(...lossySpacing)} … ${Math.max(...lossySpacing)}`);
  assert.ok(Math.min(...eventSpacing) > 0.3 * 60_000, `events: spacing fell to ${Math.min(...eventSpacing)}`);
});

test('a clock losing 20 % or 30 % of its readings (fillMissed on): forecast steps stay on its interval (before: up to 81 s on average, 132 s at most, on a 60 s clock)', () => {
  for (const loss of [0.2, 0.3]) {
    let seed = 11;
    const r = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const s = make({ window: 16, fillMissed: 8 });
    let t = 0;
    let [lo, hi] = [Infinity, 0];
    for (let i = 0; i < 5000; i++) {
      t += 60_000;
      if (i < 50 || r() > loss) s.push('x', t, [1], 0);
      if (i > 500) [lo, hi] = [Math.min(lo, s.intervalMs('x')), Math.max(hi, s.intervalMs('x'))];
    }
    assert.ok(lo > 0.95 * 60_000 && hi < 1.05 * 60_000, `${loss * 100} % lost: spacing ${lo} … ${hi}`);
    assert.deepEqual(s.stepTimes('x', t, 2).map((x) => x - t), [60_000, 120_000]);
  }
});

test('forecast step times of a feed stamped in fractions of a millisecond increase step by step', () => {
  // Trades 0.25 ms apart (ts with a fraction, kept as sent): the steps were rounded to whole
  // milliseconds, so steps 1 and 2 shared one ts, as did 3 and 4 (+0.15, +0.15, +1.15, +1.15 ms).
  for (const dt of [0.25, 0.5, 0.8, 0.002]) {
    const s = make({ fillMissed: 8 });
    let t = 1_732_060_800_123.1;
    for (let i = 0; i < 40; i++) s.push('x', (t += dt), [i], 0);
    const steps = s.stepTimes('x', t, 4);
    assert.ok(steps[0] > t && steps.every((x, i) => i === 0 || x > steps[i - 1]), `${dt} ms apart: ${steps.map((x) => x - t)}`);
    assert.ok(steps.every((x, i) => Math.abs(x - (t + (i + 1) * s.intervalMs('x'))) <= 5e-4), `within a microsecond of the spacing: ${steps.map((x) => x - t)}`);
  }
  // A millisecond or more apart: whole milliseconds, as before.
  const s = make();
  let t = 1_732_060_800_000;
  for (let i = 0; i < 10; i++) s.push('x', (t += 1500), [i], 0);
  assert.deepEqual(s.stepTimes('x', t, 2), [t + 1500, t + 3000]);
});

test('forecast step times of a feed stamped a millisecond or more apart at a fraction of one fall where its next ticks come', () => {
  // A device or bridge stamping in microseconds (ISO "…00.000456Z", or 1732060800000.456), 1 s apart:
  // its steps were rounded to whole ms, each 0.456 ms before the tick it forecasts (until 7 Dec 2026),
  // so a consumer joining forecasts to ticks on ts matched none.
  for (const [phase, dt] of [[0.456, 1000], [0.999, 1000], [0.25, 1500], [0.001, 60_000]]) {
    const s = make();
    const ticks = Array.from({ length: 13 }, (_, i) => Math.round((1_732_060_800_000 + phase + i * dt) * 1000) / 1000);
    for (const [i, ts] of ticks.slice(0, 10).entries()) s.push('x', ts, [i], 0);
    assert.deepEqual(s.stepTimes('x', ticks[9], 3), ticks.slice(10), `${phase} ms past the ms, ${dt} ms apart`);
  }
  // Jitter of a fraction of a ms: steps a whole number of ms after the tick, strictly increasing, printed to the µs.
  const s = make();
  let t = 1_732_060_800_000.123;
  for (let i = 0; i < 20; i++) s.push('x', (t += 1000 + (i % 2 ? 0.3 : -0.3)), [i], 0);
  const steps = s.stepTimes('x', t, 3);
  assert.ok(steps.every((x, i) => x > (i === 0 ? t : steps[i - 1]) && Math.abs(x - t - Math.round(x - t)) < 1e-3), `${steps.map((x) => x - t)}`);
  assert.ok(steps.every((x) => (String(x).split('.')[1] ?? '').length <= 3), `to the microsecond: ${steps}`);
});

test('a burst flushed newest first keeps only its first reading (docs/schemas.md § Event time, "Newest-first bursts": measured there)', () => {
  // Pins the documented loss, (B − 1)/B, and the burst period learned as the series' interval:
  // a change to the order rule (a reorder allowance) must change the docs with it.
  const s = make({ window: 64, idleEvictMs: 1e12, normHalfLifeTicks: 2000, fillMissed: 8 });
  const outcomes: string[] = [];
  const T0 = Date.UTC(2026, 11, 7);
  for (let b = 0; b < 100; b++) for (let i = 9; i >= 0; i--) outcomes.push(s.push('dev', T0 + (b * 10 + i) * 1000, [20 + i], 0).outcome);
  assert.equal(outcomes.filter((o) => o === 'late').length, 900);
  assert.equal(outcomes.filter((o) => o === 'accepted').length, 100);
  assert.equal(s.intervalMs('dev'), 10_000);
});
