/**
 * A `resolved` record names the `firing` record it closes (`firingId`): feedback names an alert by
 * its firing record's id, and the newest record of an alert (GET /v1/anomalies) is often its
 * resolve. Every kind of resolve carries it: recovered, stale, evicted, reset and moved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TickAlerts } from '../../../src/pipeline/tick-alerts.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { InheritedAlerts } from '../../../src/pipeline/alert-state.ts';
import { alertId } from '../../../src/domain/alerts/alert-id.ts';
import type { AnomalyRecord, AnomalyScorer, OutMessage } from '../../../src/pipeline/ports.ts';
import type { ModelSpec, RawRecord, Tick } from '../../../src/domain/types.ts';

const spec = { window: 4, features: ['value'], targets: ['value'], horizon: 1, quantiles: [0.1, 0.5, 0.9] } as unknown as ModelSpec;

/** Fires (warning) at minute 1, escalates to critical at minute 2, resolves at `resolveAt` (with `reason`). */
function scorer(resolveAt = 4, reason?: 'stale'): AnomalyScorer {
  return {
    observe(series, tsMs, value) {
      const k = tsMs / 60_000;
      const base = { series, feature: 'value', tsMs, value, score: 0.9, expected: null, basis: 'fallback' as const };
      if (k === 1) return { score: 0.7, event: { ...base, severity: 'warning' as const, state: 'firing' as const, view: 'forecast' as const } };
      if (k === 2) return { score: 0.9, event: { ...base, severity: 'critical' as const, state: 'firing' as const, view: 'forecast' as const } };
      if (k === resolveAt) return { score: 0.1, event: { ...base, severity: 'critical' as const, state: 'resolved' as const, score: 0.1, ...(reason ? { reason } : {}) } };
      return { score: 0.1 };
    },
    forget() {},
  };
}

function setup(s: AnomalyScorer, alertState?: InheritedAlerts): { a: TickAlerts; outlook: SeriesOutlook } {
  const outlook = new SeriesOutlook();
  return { a: new TickAlerts({ scorer: s, outlook, recentAnomalies: new RecentAnomalies(), spec: () => spec, followers: [], trace: () => ({}), alertState }), outlook };
}

function feed(a: TickAlerts, k0: number, k1: number): AnomalyRecord[] {
  const out: OutMessage[] = [];
  for (let k = k0; k < k1; k++) {
    const tick = { series: 's', tsMs: k * 60_000, values: Float64Array.of(k) } as unknown as Tick;
    const rec = { key: null, value: null, headers: {}, source: { topic: 't', partition: 1, offset: String(100 + k) }, receivedAtMs: 0 } as unknown as RawRecord;
    a.score(tick, rec, false, null, out);
  }
  a.drain(out);
  return out.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as AnomalyRecord);
}

/** The critical firing record (the escalation) and the one resolve after it. */
function pair(recs: AnomalyRecord[]): { critical: AnomalyRecord; resolved: AnomalyRecord } {
  const critical = recs.find((r) => r.state === 'firing' && r.severity === 'critical')!;
  const resolved = recs.filter((r) => r.state === 'resolved');
  assert.equal(resolved.length, 1, JSON.stringify(recs));
  return { critical, resolved: resolved[0] };
}

test('a recovered alert: the resolve names its latest firing record (after an escalation, the critical one)', () => {
  const recs = feed(setup(scorer()).a, 0, 6);
  const { critical, resolved } = pair(recs);
  assert.equal(resolved.reason, undefined);
  assert.equal(resolved.firingId, critical.id);
  assert.notEqual(resolved.firingId, resolved.id);
  assert.equal(recs[0].firingId, undefined, 'firing records carry none');
});

test('a stale resolve names its firing record', () => {
  const { resolved, critical } = pair(feed(setup(scorer(4, 'stale')).a, 0, 6));
  assert.deepEqual([resolved.reason, resolved.firingId], ['stale', critical.id]);
});

test('an evicted resolve names its firing record', () => {
  const { a } = setup(scorer(99));
  const fired = feed(a, 0, 3);
  a.departed('s', 'idle');
  const { resolved } = pair([...fired, ...feed(a, 0, 0)]);
  assert.deepEqual([resolved.reason, resolved.firingId], ['evicted', fired[1].id]);
});

test('a reset resolve (detector started afresh) names its firing record', () => {
  const { a, outlook } = setup(scorer(99));
  const fired = feed(a, 0, 3);
  outlook.detectorReset('s');
  const { resolved } = pair([...fired, ...feed(a, 3, 4)]);
  assert.deepEqual([resolved.reason, resolved.firingId], ['reset', fired[1].id]);
});

test('a moved resolve names the inherited firing record; one kept without an id gets the id it was published with', () => {
  const firing = { kind: 'alert', series: 's', feature: 'value', ts: 60_000, value: 9, expected: 1, lower: 0, upper: 2, score: 0.9, severity: 'critical', state: 'firing', model: 'v1', source: { topic: 't', partition: 1, offset: '101' } } as AnomalyRecord;
  const inherited = new InheritedAlerts();
  inherited.add(1, [{ ...firing, id: 'f0f0f0f0f0f0f0f0' }]);
  const moved = feed(setup(scorer(99), inherited).a, 4, 5);
  assert.deepEqual(moved.map((r) => [r.reason, r.firingId]), [['moved', 'f0f0f0f0f0f0f0f0']]);
  const older = new InheritedAlerts();
  older.add(1, [firing]);
  assert.deepEqual(feed(setup(scorer(99), older).a, 4, 5).map((r) => r.firingId), [alertId('s', 60_000, 'firing', 'critical', 'value')]);
});
