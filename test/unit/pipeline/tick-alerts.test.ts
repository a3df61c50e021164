/**
 * TickAlerts publishes a `resolved` record only for an alert whose firing it published: after a
 * restart from a series-state snapshot the detector comes back firing, and when the feedback gate's
 * memory of which alerts it held back (a maintenance span) does not (an older snapshot) the resolve
 * of a held-back alert must still stay unpublished (the series outlook, which the snapshot keeps,
 * knows). With that memory in the snapshot, a held alert outlasting its span is sent after the restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TickAlerts } from '../../../src/pipeline/tick-alerts.ts';
import { FeedbackGate } from '../../../src/pipeline/feedback-gate.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import type { AnomalyScorer, OutMessage } from '../../../src/pipeline/ports.ts';
import type { FeedbackPolicy } from '../../../src/domain/feedback/feedback-policy.ts';
import type { ModelSpec, RawRecord, Tick } from '../../../src/domain/types.ts';
import { AnomalyDetector } from '../../../src/domain/anomaly/index.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { decodeSnapshot, encodeSnapshot } from '../../../src/pipeline/snapshot/codec.ts';
import { captureSeries, checkSnapshot, restoreSeriesState, SeriesHomes, snapshotHead } from '../../../src/pipeline/snapshot/series-state.ts';

const spec = { window: 4, features: ['value'], targets: ['value'], horizon: 1, quantiles: [0.1, 0.5, 0.9] } as unknown as ModelSpec;

/** A detector that fires on tick 1 and resolves on tick 5 (the detector's own state, snapshotted). */
const detector: AnomalyScorer = {
  observe(series, tsMs, value) {
    const k = tsMs / 60_000;
    const base = { series, feature: 'value', tsMs, value, score: 0.9, severity: 'critical' as const, expected: null, basis: 'fallback' as const };
    if (k === 1) return { score: 0.9, event: { ...base, state: 'firing' as const, view: 'forecast' as const } };
    if (k === 5) return { score: 0.1, event: { ...base, state: 'resolved' as const, score: 0.1 } };
    return { score: 0.1 };
  },
  forget() {},
};

function alerts(scorer: AnomalyScorer, outlook: SeriesOutlook): TickAlerts {
  return new TickAlerts({ scorer, outlook, recentAnomalies: new RecentAnomalies(), spec: () => spec, followers: [], trace: () => ({}) });
}

function feed(a: TickAlerts, k0: number, k1: number): OutMessage[] {
  const out: OutMessage[] = [];
  for (let k = k0; k < k1; k++) {
    const tick = { series: 's', tsMs: k * 60_000, values: Float64Array.of(1) } as unknown as Tick;
    const rec = { key: null, value: null, headers: {}, source: { topic: 't', partition: 0, offset: String(k) }, receivedAtMs: 0 } as unknown as RawRecord;
    a.score(tick, rec, false, null, out);
  }
  return out.filter((m) => m.stream === 'anomalies');
}

test('a held-back alert resolving after a restart publishes no resolved record', () => {
  const maintenance = { decide: () => 'expected' } as unknown as FeedbackPolicy;
  const outlook = new SeriesOutlook();
  assert.deepEqual(feed(alerts(new FeedbackGate(detector, maintenance), outlook), 0, 3), [], 'the firing is held back');
  // Restart: the detector and the outlook come back from the snapshot, the gate starts empty.
  const out = feed(alerts(new FeedbackGate(detector, maintenance), outlook), 3, 7);
  assert.deepEqual(out.map((m) => JSON.parse(String(m.value)).state), [], 'no resolve without a published firing');
});

test('a published alert still resolves after a restart', () => {
  const pass = { decide: () => 'pass' } as unknown as FeedbackPolicy;
  const outlook = new SeriesOutlook();
  assert.deepEqual(feed(alerts(new FeedbackGate(detector, pass), outlook), 0, 3).map((m) => JSON.parse(String(m.value)).state), ['firing']);
  assert.deepEqual(feed(alerts(new FeedbackGate(detector, pass), outlook), 3, 7).map((m) => JSON.parse(String(m.value)).state), ['resolved']);
});

test('a restart from a snapshot whose detector state is not installed resolves the open alerts (reason reset); one whose is, keeps them', () => {
  const identity = { topic: 't', groupId: 'g', window: 4, features: ['value'] };
  const offsets = new Map([[0, 3n]]);
  const snapshot = (det: AnomalyDetector) => {
    const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
    const parts = { store, outlook: new SeriesOutlook(), detector: det, homes: new SeriesHomes(store.registry) };
    for (let k = 0; k < 3; k++) store.push('s', k * 60_000, [1], 0);
    parts.homes.note('s', 0);
    const pass = { decide: () => 'pass' } as unknown as FeedbackPolicy;
    assert.equal(feed(alerts(new FeedbackGate(detector, pass), parts.outlook), 0, 3).length, 1, 'fired');
    det.observe('s', 0, 1, null); // the detector holds state for s (a fake fired above)
    return decodeSnapshot(Buffer.concat(encodeSnapshot({ ...snapshotHead(parts, identity, offsets, 0), series: [captureSeries(parts, 's', offsets)!] }))) as ReturnType<typeof checkSnapshot>;
  };
  const restore = (tree: ReturnType<typeof checkSnapshot>, det: AnomalyDetector) => {
    const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
    const outlook = new SeriesOutlook();
    restoreSeriesState({ store, outlook, detector: det, homes: new SeriesHomes(store.registry) }, checkSnapshot(tree, identity), new Set([0]), 0);
    return outlook;
  };
  const quiet: AnomalyScorer = { observe: () => ({ score: 0 }), forget() {} };
  // Another detector configuration (a threshold changed): its state is not installed.
  const outlook = restore(snapshot(new AnomalyDetector()), new AnomalyDetector({ warningThreshold: 0.45 }));
  assert.equal(outlook.peek('s')?.firing, false, 'the API no longer says firing');
  const a = alerts(quiet, outlook);
  const out = feed(a, 3, 4);
  a.drain(out);
  const recs = out.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)));
  assert.deepEqual(recs.map((r) => [r.state, r.reason, r.severity, r.feature, r.ts]), [['resolved', 'reset', 'critical', 'value', 2 * 60_000]]);
  const again = feed(a, 4, 6);
  a.drain(again);
  assert.deepEqual(again, [], 'once');
  // The same configuration: the detector comes back firing and the alert stays open.
  const kept = restore(snapshot(new AnomalyDetector()), new AnomalyDetector());
  assert.deepEqual([...kept.peek('s')!.firingFeatures], ['value']);
  const b = alerts(quiet, kept);
  const none = feed(b, 3, 5);
  b.drain(none);
  assert.deepEqual(none, []);
});

test('a held-back alert still firing when its maintenance span ends after a restart is sent then (the gate\'s memory is in the snapshot), and resolves', async () => {
  const { FeedbackPolicy: Policy } = await import('../../../src/domain/feedback/feedback-policy.ts');
  const policy = new Policy({ baseBar: 0.4, ceilingBar: 0.7, marginScore: 0.05, falsePositiveHalfLifeMs: 3_600_000, maxPerSeries: 10, maxEntries: 100 });
  policy.apply({ alertId: 'm', series: 's', alertTs: 0, score: 0.5, verdict: 'expected', untilTs: 3 * 60_000, channel: 'http', at: 0 });
  const identity = { topic: 't', groupId: 'g', window: 4, features: ['value'] };
  const offsets = new Map([[0, 3n]]);
  const store = () => new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const before = { store: store(), outlook: new SeriesOutlook(), detector: new AnomalyDetector(), gate: new FeedbackGate(detector, policy) };
  const parts = { ...before, homes: new SeriesHomes(before.store.registry) };
  for (let k = 0; k < 3; k++) parts.store.push('s', k * 60_000, [1], 0);
  parts.homes.note('s', 0);
  assert.deepEqual(feed(alerts(before.gate, before.outlook), 0, 3), [], 'held back in the span');
  before.detector.observe('s', 0, 1, null); // the (real) detector holds state for s: it is installed at the restore
  const tree = decodeSnapshot(Buffer.concat(encodeSnapshot({ ...snapshotHead(parts, identity, offsets, 0), series: [captureSeries(parts, 's', offsets)!] })));
  const after = { store: store(), outlook: new SeriesOutlook(), detector: new AnomalyDetector(), gate: new FeedbackGate(detector, policy) };
  restoreSeriesState({ ...after, homes: new SeriesHomes(after.store.registry) }, checkSnapshot(tree, identity), new Set([0]), 0);
  const recs = feed(alerts(after.gate, after.outlook), 3, 6).map((m) => JSON.parse(String(m.value)));
  assert.deepEqual(recs.map((r) => [r.state, r.ts / 60_000, r.heldUntilTs === undefined ? null : r.heldUntilTs / 60_000]), [['firing', 1, 4], ['resolved', 5, null]]);
});

test('an alert open on a feature no longer scored after a restart (anomaly.features all → targets) is resolved (reason reset) at the series\' next tick, not left firing for good', () => {
  const spec2 = { window: 4, features: ['value', 'load'], targets: ['value'], horizon: 1, quantiles: [0.1, 0.5, 0.9] } as unknown as ModelSpec;
  /** `load` fires at minute 1; nothing else ever happens. */
  const scorer: AnomalyScorer = {
    observe(series, tsMs, value, _band, feature = 'value') {
      const base = { series, feature, tsMs, value, score: 0.9, severity: 'warning' as const, expected: null, basis: 'fallback' as const };
      return feature === 'load' && tsMs === 60_000 ? { score: 0.9, event: { ...base, state: 'firing' as const, view: 'forecast' as const } } : { score: 0.1 };
    },
    forget() {},
  };
  const make = (features: 'all' | 'targets', outlook: SeriesOutlook) => new TickAlerts({ scorer, outlook, recentAnomalies: new RecentAnomalies(), spec: () => spec2, anomalyFeatures: features, followers: [], trace: () => ({}) });
  const run = (a: TickAlerts, k0: number, k1: number) => {
    const out: OutMessage[] = [];
    for (let k = k0; k < k1; k++) {
      const tick = { series: 's', tsMs: k * 60_000, values: Float64Array.of(1, 2) } as unknown as Tick;
      a.score(tick, { key: null, value: null, headers: {}, source: { topic: 't', partition: 0, offset: String(k) }, receivedAtMs: 0 } as unknown as RawRecord, false, null, out);
      a.drain(out);
    }
    return out.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)));
  };
  const outlook = new SeriesOutlook();
  assert.deepEqual(run(make('all', outlook), 0, 3).map((r) => [r.feature, r.state]), [['load', 'firing']]);
  // Restart with anomaly.features = targets: the outlook (and detector) come back with load's alert open.
  const after = make('targets', outlook);
  const recs = run(after, 3, 6);
  assert.deepEqual(recs.map((r) => [r.feature, r.state, r.reason, r.ts / 60_000]), [['load', 'resolved', 'reset', 2]]);
  assert.equal(outlook.peek('s')?.firing, false, 'the series no longer shows firing');
  assert.deepEqual([...outlook.peek('s')!.firingFeatures], []);
});

test('alerts open in a snapshot restored with anomaly detection off (anomaly.enabled false) are resolved (reason reset) at the series\' next tick; no score is set', () => {
  const identity = { topic: 't', groupId: 'g', window: 4, features: ['value'] };
  const offsets = new Map([[0, 3n]]);
  const store = () => new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const det = new AnomalyDetector();
  const parts = { store: store(), outlook: new SeriesOutlook(), detector: det, homes: new SeriesHomes(new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 20 }).registry) };
  for (let k = 0; k < 3; k++) parts.store.push('s', k * 60_000, [1], 0);
  parts.homes.note('s', 0);
  assert.equal(feed(alerts(detector, parts.outlook), 0, 3).length, 1, 'fired');
  det.observe('s', 0, 1, null);
  const tree = decodeSnapshot(Buffer.concat(encodeSnapshot({ ...snapshotHead(parts, identity, offsets, 0), series: [captureSeries(parts, 's', offsets)!] })));
  // Restart with anomaly.enabled false: no detector, no scorer.
  const after = { store: store(), outlook: new SeriesOutlook(), detector: null };
  restoreSeriesState({ ...after, homes: new SeriesHomes(after.store.registry) }, checkSnapshot(tree, identity), new Set([0]), 0);
  const a = new TickAlerts({ scorer: null, outlook: after.outlook, recentAnomalies: new RecentAnomalies(), spec: () => spec, followers: [], trace: () => ({}) });
  const out = feed(a, 3, 6);
  a.drain(out);
  const recs = out.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)));
  assert.deepEqual(recs.map((r) => [r.state, r.reason, r.ts / 60_000]), [['resolved', 'reset', 2]]);
  assert.equal(after.outlook.peek('s')?.lastScore, 0.1, 'the score restored from the snapshot is left as it was (not scored)');
  assert.equal(after.outlook.peek('s')?.firing, false);
});
