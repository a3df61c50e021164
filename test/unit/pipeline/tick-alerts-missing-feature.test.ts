/**
 * The series-level score (outlook lastScore, GET /v1/series/:id, the tickcast_anomaly_score gauge)
 * is the highest score of the features scored on the series' last tick. A feature missing from a
 * tick (input.missingFeature: carry → NaN) is not scored on it: the detector returns its previous
 * score (its contract for non-finite values). Before 6 Dec 2026 that stale score counted, so a
 * feature that spiked and then stopped arriving held the series' score at the spike for good
 * (measured through the app: 0.927 for 259 ticks, the series at the top of the score gauge).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TickAlerts } from '../../../src/pipeline/tick-alerts.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import type { AnomalyScorer, OutMessage } from '../../../src/pipeline/ports.ts';
import type { ModelSpec, RawRecord, Tick } from '../../../src/domain/types.ts';

const spec = { window: 4, features: ['cpu', 'mem'], targets: ['cpu'], horizon: 1, quantiles: [0.1, 0.5, 0.9] } as unknown as ModelSpec;

/** Scores each value as value/100; a non-finite value returns the feature's previous score, as the detector does. */
function scorer(): AnomalyScorer {
  const last = new Map<string, number>();
  return {
    observe(_s, _ts, value, _e, feature = '') {
      if (!Number.isFinite(value)) return { score: last.get(feature) ?? 0 };
      last.set(feature, value / 100);
      return { score: value / 100 };
    },
    forget() {},
  };
}

test("a feature missing from the tick does not set the series' score with its stale one; a tick with no scored value leaves the score as it was", () => {
  const outlook = new SeriesOutlook();
  const gauge: number[] = [];
  const a = new TickAlerts({ scorer: scorer(), outlook, recentAnomalies: new RecentAnomalies(), spec: () => spec, anomalyFeatures: 'all', followers: [], trace: () => ({}), observer: { score: (_s, v) => void gauge.push(v) } });
  const seen: Array<number | null> = [];
  const rows: Array<[number, number]> = [[10, 20], [10, 95], [10, Number.NaN], [15, Number.NaN]];
  rows.forEach(([cpu, mem], k) => {
    const tick = { series: 's', tsMs: k * 60_000, values: Float64Array.of(cpu, mem) } as unknown as Tick;
    const rec = { key: null, value: null, headers: {}, source: { topic: 't', partition: 0, offset: String(k) }, receivedAtMs: 0 } as unknown as RawRecord;
    const out: OutMessage[] = [];
    a.score(tick, rec, false, null, out);
    seen.push(outlook.peek('s')!.lastScore);
  });
  assert.deepEqual(seen, [0.2, 0.95, 0.1, 0.15], 'mem, missing from the last two ticks, no longer sets the score');
  assert.deepEqual(gauge, [0.2, 0.95, 0.1, 0.15]);

  // Targets only, the target missing: nothing scored on the tick, the score stays.
  const o2 = new SeriesOutlook();
  const b = new TickAlerts({ scorer: scorer(), outlook: o2, recentAnomalies: new RecentAnomalies(), spec: () => spec, anomalyFeatures: 'targets', followers: [], trace: () => ({}) });
  for (const [k, cpu] of [[0, 70], [1, Number.NaN]]) {
    const tick = { series: 's', tsMs: k * 60_000, values: Float64Array.of(cpu, 1) } as unknown as Tick;
    b.score(tick, { key: null, value: null, headers: {}, source: { topic: 't', partition: 0, offset: String(k) }, receivedAtMs: 0 } as unknown as RawRecord, false, null, []);
  }
  assert.equal(o2.peek('s')!.lastScore, 0.7);
});
