/**
 * tickcast_anomalies_resolved_total carries a bounded `reason` label (why the alert resolved:
 * `recovered`, or the record's `reason`: evicted, reset, moved, stale), every feature × reason at 0
 * from the start like the other anomaly counters. Before 6 Dec 2026 it had `feature` only, so an SRE
 * could not tell recoveries from alerts closed because their state went away.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { TelemetryObserver } from '../../../src/telemetry/pipeline-observer.ts';
import type { AnomalyRecord } from '../../../src/pipeline/ports.ts';

async function resolvedByFeatureAndReason(m: ReturnType<typeof createMetrics>): Promise<Record<string, number>> {
  const text = await m.registry.metrics();
  const rows = [...text.matchAll(/^tickcast_anomalies_resolved_total\{feature="(\w*)",reason="(\w+)"\} (\d+)$/gm)];
  return Object.fromEntries(rows.map((x) => [`${x[1]}/${x[2]}`, Number(x[3])]));
}

const base: AnomalyRecord = { series: 's', feature: 'cpu', ts: 0, value: 1, expected: 1, lower: 0, upper: 2, score: 0.9, severity: 'warning', state: 'resolved', model: 'v1' };

test('tickcast_anomalies_resolved_total: by feature and reason, every pair at 0 from the start', async () => {
  const m = createMetrics({ defaultMetrics: false });
  const observer = new TelemetryObserver(m, { scoreGaugeSeries: [], scoreGaugeTopK: 5 });
  observer.expectFeatures(['cpu'], ['cpu']);
  const reasons = ['recovered', 'evicted', 'reset', 'moved', 'stale'];
  assert.deepEqual(await resolvedByFeatureAndReason(m), Object.fromEntries(reasons.map((r) => [`cpu/${r}`, 0])));
  observer.anomaly(base);
  observer.anomaly({ ...base, reason: 'stale' });
  observer.anomaly({ ...base, reason: 'moved' });
  observer.anomaly({ ...base, reason: 'moved' });
  observer.anomaly({ ...base, state: 'firing', view: 'forecast' });
  assert.deepEqual(await resolvedByFeatureAndReason(m), { 'cpu/recovered': 1, 'cpu/evicted': 0, 'cpu/reset': 0, 'cpu/moved': 2, 'cpu/stale': 1 });
});
