/**
 * Open alerts that follow their input partition (src/pipeline/alert-state.ts, tick-alerts.ts):
 * what the owner writes with each alert record, how a partition's records fold into its open
 * alerts, and what the new owner does with an inherited alert at the series' first live tick.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TickAlerts } from '../../../src/pipeline/tick-alerts.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { alertStateKey, alertStateMessage, InheritedAlerts, openAlerts } from '../../../src/pipeline/alert-state.ts';
import type { AnomalyRecord, AnomalyScorer, OutMessage } from '../../../src/pipeline/ports.ts';
import type { ModelSpec, RawRecord, Tick } from '../../../src/domain/types.ts';

const spec = { window: 4, features: ['value'], targets: ['value'], horizon: 1, quantiles: [0.1, 0.5, 0.9] } as unknown as ModelSpec;

/** Fires on the ticks in `fireAt` (minutes), resolves on those in `resolveAt`. */
function scorer(fireAt: number[] = [], resolveAt: number[] = []): AnomalyScorer {
  return {
    observe(series, tsMs, value) {
      const k = tsMs / 60_000;
      const base = { series, feature: 'value', tsMs, value, score: 0.9, severity: 'critical' as const, expected: null, basis: 'fallback' as const };
      if (fireAt.includes(k)) return { score: 0.9, event: { ...base, state: 'firing' as const, view: 'forecast' as const } };
      if (resolveAt.includes(k)) return { score: 0.1, event: { ...base, state: 'resolved' as const, score: 0.1 } };
      return { score: 0.1 };
    },
    forget() {},
  };
}

/** A firing record as the previous owner published it (tick `k`, input offset `offset` of partition 1). */
function firing(series: string, k: number, offset: number): AnomalyRecord {
  return { kind: 'alert', id: 'f', series, feature: 'value', ts: k * 60_000, value: 9, expected: 1, lower: 0, upper: 2, score: 0.9, severity: 'critical', state: 'firing', model: 'v1', view: 'forecast', source: { topic: 't', partition: 1, offset: String(offset) } } as AnomalyRecord;
}

function tickAlerts(inherited: InheritedAlerts, s: AnomalyScorer = scorer()): TickAlerts {
  return new TickAlerts({ scorer: s, outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), spec: () => spec, followers: [], trace: () => ({}), alertState: inherited });
}

/** Ticks k0..k1-1 of series s on partition 1 at offsets 100 + k; `quiet` as a full warm-up. */
function feed(a: TickAlerts, k0: number, k1: number, quiet = false): OutMessage[] {
  const out: OutMessage[] = [];
  for (let k = k0; k < k1; k++) {
    const tick = { series: 's', tsMs: k * 60_000, values: Float64Array.of(k) } as unknown as Tick;
    const rec = { key: null, value: null, headers: {}, source: { topic: 't', partition: 1, offset: String(100 + k) }, receivedAtMs: 0 } as unknown as RawRecord;
    a.score(tick, rec, quiet, null, out);
  }
  return out;
}

const anomalies = (out: OutMessage[]) => out.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as AnomalyRecord);

test('each published alert record writes its state: the firing record while open, a tombstone once resolved, on the input partition', () => {
  const out = feed(tickAlerts(new InheritedAlerts(), scorer([2], [4])), 0, 6);
  const state = out.filter((m) => m.stream === 'alertState');
  assert.deepEqual(state.map((m) => [m.key, m.partition, m.value === null ? null : JSON.parse(String(m.value)).state]), [
    [alertStateKey('s', 'value'), 1, 'firing'],
    [alertStateKey('s', 'value'), 1, null],
  ]);
  assert.equal(alertStateMessage(firing('s', 1, 1), '{}', undefined), null, 'no partition known: nothing written');
});

test('without topics.alertState no state is written', () => {
  const a = new TickAlerts({ scorer: scorer([2], [4]), outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), spec: () => spec, followers: [], trace: () => ({}) });
  assert.deepEqual(feed(a, 0, 6).filter((m) => m.stream === 'alertState'), []);
});

test('a partition the alert-state topic lacks (the input grew while running): its alerts are published, their state is not written', () => {
  // The client fails a whole send that names a partition it does not know: writing it stalled the partition for good.
  const inherited = new InheritedAlerts();
  inherited.statePartitions(1);
  const out = feed(tickAlerts(inherited, scorer([2], [4])), 0, 6);
  assert.deepEqual(anomalies(out).map((r) => r.state), ['firing', 'resolved']);
  assert.deepEqual(out.filter((m) => m.stream === 'alertState'), []);
  inherited.statePartitions(2); // a later look found it: the topic was given more partitions
  assert.equal(feed(tickAlerts(inherited, scorer([2])), 0, 3).filter((m) => m.stream === 'alertState').length, 1);
});

test('a look that finds fewer alert-state partitions than one before (a metadata reply without the topic: 0) does not stop the state writes', () => {
  // Partitions are never taken away from a topic: a smaller count is a bad reading. Taken as it
  // came, a reply that lacked the topic made every partition unwritable until the next assignment.
  const inherited = new InheritedAlerts();
  inherited.statePartitions(2);
  inherited.statePartitions(0);
  assert.equal(inherited.writable(1), true);
  assert.equal(feed(tickAlerts(inherited, scorer([2])), 0, 3).filter((m) => m.stream === 'alertState').length, 1);
  const fresh = new InheritedAlerts();
  fresh.statePartitions(0); // nothing known before: still nothing known
  assert.equal(fresh.writable(0), true);
});

test("a partition's records fold into its open alerts: last value wins, a tombstone removes, garbage is skipped", () => {
  const f = (series: string) => JSON.stringify(firing(series, 1, 1));
  const open = openAlerts([
    { key: alertStateKey('a', 'value'), value: f('a') },
    { key: alertStateKey('b', 'value'), value: f('b') },
    { key: alertStateKey('a', 'value'), value: null },
    { key: alertStateKey('c', 'value'), value: 'not json' },
    { key: alertStateKey('d', 'value'), value: f('other') },
    { key: null, value: f('e') },
  ]);
  assert.deepEqual(open.map((r) => r.series), ['b']);
});

test('an inherited alert this instance does not have firing is resolved at the first live tick (reason moved), with its tombstone', () => {
  const inherited = new InheritedAlerts();
  inherited.add(1, [firing('s', 1, 101)]);
  const a = tickAlerts(inherited);
  assert.deepEqual(feed(a, 2, 4, true), [], 'quiet warm-up ticks decide nothing');
  const out = feed(a, 4, 6);
  const recs = anomalies(out);
  assert.equal(recs.length, 1);
  assert.deepEqual([recs[0].state, recs[0].reason, recs[0].ts, recs[0].value, recs[0].severity], ['resolved', 'moved', 4 * 60_000, 4, 'critical']);
  assert.deepEqual(out.filter((m) => m.stream === 'alertState').map((m) => [m.key, m.value, m.partition]), [[alertStateKey('s', 'value'), null, 1]]);
  assert.equal(inherited.size, 0);
});

test('an inherited alert the replay fired again is this instance\'s own: no moved resolve, one ordinary resolve later', () => {
  const inherited = new InheritedAlerts();
  inherited.add(1, [firing('s', 1, 101)]);
  const a = tickAlerts(inherited, scorer([3], [6]));
  feed(a, 2, 4, true); // the replay fires it quietly
  const recs = anomalies(feed(a, 4, 8));
  assert.deepEqual(recs.map((r) => [r.state, r.reason]), [['resolved', undefined]]);
});

test('an inherited alert fired again on the first live tick itself is not resolved as moved', () => {
  const inherited = new InheritedAlerts();
  inherited.add(1, [firing('s', 4, 104)]);
  const recs = anomalies(feed(tickAlerts(inherited, scorer([4])), 4, 6));
  assert.deepEqual(recs.map((r) => r.state), ['firing']);
});

test('ticks before the alert\'s firing tick (handled again: offsets not committed) wait; the firing tick decides', () => {
  const inherited = new InheritedAlerts();
  inherited.add(1, [firing('s', 5, 105)]);
  const a = tickAlerts(inherited);
  assert.deepEqual(anomalies(feed(a, 2, 5)), [], 'ticks at offsets 102..104 come before the firing (105)');
  assert.equal(inherited.size, 1);
  assert.deepEqual(anomalies(feed(a, 5, 6)).map((r) => r.reason), ['moved']);
});

test('a partition that leaves again takes its inherited alerts with it', () => {
  const inherited = new InheritedAlerts();
  inherited.add(1, [firing('s', 1, 101)]);
  inherited.add(2, [firing('u', 1, 101)]);
  inherited.release([1]);
  assert.equal(inherited.take('s'), undefined);
  assert.equal(inherited.take('u')?.length, 1);
});

test('an inherited alert whose series never ticks here is resolved as moved once windows.idleEvictMs has passed since the take-over (the idle loop: flush with inheritedBefore)', async () => {
  const inherited = new InheritedAlerts();
  inherited.add(1, [firing('s', 3, 103), firing('quiet', 5, 90)], 1_000);
  const a = tickAlerts(inherited);
  assert.equal(a.expireInherited(1_000), 0, 'not before the bound');
  const ticked = feed(a, 10, 11); // s ticks: its alert is decided by the tick, not by the bound
  assert.deepEqual(anomalies(ticked).map((r) => [r.series, r.reason]), [['s', 'moved']]);
  const out: OutMessage[] = [];
  assert.equal(await a.flush({ send: async (m: OutMessage[]) => void out.push(...m) } as never, 1_001), 2, 'its resolve and its tombstone, sent');
  const [rec] = anomalies(out);
  assert.deepEqual([rec.series, rec.state, rec.reason, rec.ts], ['quiet', 'resolved', 'moved', 5 * 60_000]);
  assert.deepEqual(out.filter((m) => m.stream === 'alertState').map((m) => [m.key, m.partition, m.value]), [[alertStateKey('quiet', 'value'), 1, null]], 'its state tombstoned on its partition');
  assert.equal(inherited.size, 0);
  assert.equal(a.expireInherited(10_000), 0, 'once');
});

test('a first live tick without a value of its scored feature still decides the inherited alert: it is resolved as moved, not dropped', () => {
  // The score loop returns early on a tick with no scored value (the series' score stays as it was,
  // missingFeature carry); the inherited alerts were taken off before it, so that return dropped them.
  const inherited = new InheritedAlerts();
  inherited.add(1, [firing('s', 1, 101)]);
  const a = tickAlerts(inherited);
  const out: OutMessage[] = [];
  const tick = { series: 's', tsMs: 4 * 60_000, values: Float64Array.of(Number.NaN) } as unknown as Tick;
  a.score(tick, { key: null, value: null, headers: {}, source: { topic: 't', partition: 1, offset: '104' }, receivedAtMs: 0 } as unknown as RawRecord, false, null, out);
  const recs = anomalies(out);
  assert.deepEqual(recs.map((r) => [r.state, r.reason, r.value]), [['resolved', 'moved', 9]], 'resolved with the firing record\'s value (the tick has none)');
  assert.equal(inherited.size, 0);
});

test('a flush called while another is sending (the revocation\'s, during the idle loop\'s) returns only once that send has ended, and sends what its failure kept', async () => {
  // onRevoking (src/app.ts) flushes so that queued resolves land before the partitions are given
  // up. An idle-loop flush already sending had taken them off the queue: the revocation's flush
  // found nothing and returned at once, the revocation went on with their send still in flight.
  const inherited = new InheritedAlerts();
  inherited.add(1, [firing('quiet', 5, 90)], 1_000);
  const a = tickAlerts(inherited);
  let fail!: (err: Error) => void;
  const idle = a.flush({ send: () => new Promise<void>((_resolve, reject) => (fail = reject)) } as never, 1_001);
  const second: OutMessage[] = [];
  let returned = false;
  const revoking = a.flush({ send: async (m: OutMessage[]) => void second.push(...m) } as never).then((n) => ((returned = true), n));
  await new Promise((r) => setImmediate(r));
  assert.equal(returned, false, 'still waiting for the send in flight');
  fail(new Error('broker down'));
  await assert.rejects(idle, /broker down/);
  assert.equal(await revoking, 2, 'the resolve and tombstone the failed send kept, sent by the waiting flush');
  assert.deepEqual(anomalies(second).map((r) => [r.series, r.reason]), [['quiet', 'moved']]);
});
