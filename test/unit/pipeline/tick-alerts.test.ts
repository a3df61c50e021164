/**
 * TickAlerts publishes a `resolved` record only for an alert whose firing it published: after a
 * restart from a series-state snapshot the detector comes back firing, but the feedback gate's
 * memory of which alerts it held back (a maintenance span) does not — the resolve of a held-back
 * alert must still stay unpublished (the series outlook, which the snapshot keeps, knows).
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
