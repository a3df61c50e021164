/**
 * Which alerts are open and published has one owner: the series outlook (SeriesOutlook, kept in the
 * series-state snapshot with the record of each). The feedback gate keeps only what it held back
 * and reads the rest from the outlook, so the two cannot disagree. Before 7 Dec 2026 the gate kept
 * its own "sent" mark: after a restart from a snapshot without it (written before 6 Dec 2026, or
 * with feedback off then) the outlook had the alert open while the gate knew nothing of it, so a
 * maintenance span given on that open alert held back its escalation and then its resolve — the
 * alert stayed firing downstream for good, and open in the outlook.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { buildAlerting } from '../../../src/app-alerting.ts';
import { TickAlerts } from '../../../src/pipeline/tick-alerts.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import type { OutMessage } from '../../../src/pipeline/ports.ts';
import type { ModelSpec, RawRecord, Tick } from '../../../src/domain/types.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { testConfig } from '../../helpers/app.ts';
import { scriptedDetector } from '../../helpers/scripted-detector.ts';

const spec = { window: 4, features: ['value'], targets: ['value'], horizon: 1, quantiles: [0.1, 0.5, 0.9] } as unknown as ModelSpec;
const logger = createLogger({ level: 'silent', name: 't', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/** Fires a warning at minute 1, escalates to critical at minute 4 and resolves at minute 6. */
const detector = scriptedDetector({ fire: 1, escalate: 4, resolve: 6 });

/** The alerting extras as app.ts builds them (feedback on), over `outlook`, and the pipeline's alert stage. */
function instance(outlook: SeriesOutlook) {
  const alerting = buildAlerting(testConfig(), { metrics: createMetrics({ defaultMetrics: false }), logger, quantiles: spec.quantiles, openAlert: (id) => outlook.openAlert(id), published: outlook });
  const alerts = new TickAlerts({ scorer: alerting.gate(detector), outlook, recentAnomalies: new RecentAnomalies(), spec: () => spec, followers: alerting.followers, trace: () => ({}) });
  return { alerting, alerts };
}

function feed(a: TickAlerts, k0: number, k1: number): Array<{ state: string; severity: string; id: string; firingId?: string }> {
  const out: OutMessage[] = [];
  for (let k = k0; k < k1; k++) {
    const tick = { series: 's', tsMs: k * 60_000, values: Float64Array.of(1) } as unknown as Tick;
    const rec = { key: null, value: null, headers: {}, source: { topic: 't', partition: 0, offset: String(k) }, receivedAtMs: 0 } as unknown as RawRecord;
    a.score(tick, rec, false, null, out);
  }
  return out.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)));
}

test('an alert open across a restart whose gate memory was not restored: a maintenance span given on it does not hold back its escalation and resolve', async () => {
  const outlook = new SeriesOutlook();
  const [fired] = feed(instance(outlook).alerts, 0, 3);
  assert.deepEqual([fired.state, fired.severity], ['firing', 'warning']);
  // Restart: the outlook comes back from the snapshot (its open alert with it), the gate starts empty.
  const after = instance(outlook);
  const fb = after.alerting.serving.feedback!;
  const r = await fb.give(fired.id, { verdict: 'expected' }, 'http'); // found through the outlook: the index starts empty
  assert.equal(r.series, 's');
  const recs = feed(after.alerts, 3, 8);
  assert.deepEqual(recs.map((x) => `${x.state}/${x.severity}`), ['firing/critical', 'resolved/critical'], 'an escalation of a published alert is always sent, and so is its resolve');
  assert.equal(recs[1].firingId, recs[0].id);
  assert.equal(outlook.openAlerts, 0, 'nothing left open');
  assert.equal(after.alerting.gateState.size(), 0, 'the gate holds nothing back');
});

test('the gate keeps only what it held back: a published alert is the outlook\'s, and goes into the snapshot through it', async () => {
  const outlook = new SeriesOutlook();
  const a = instance(outlook);
  feed(a.alerts, 0, 3);
  assert.equal(outlook.openAlerts, 1);
  assert.equal(a.alerting.gateState.size(), 0, 'nothing held back: no second copy of the open alert');
  // Still saved as sent (a release before this one reads the gate's block to know it).
  assert.deepEqual(a.alerting.gateState.exportSeries('s'), { value: { sent: true } });
});
