/**
 * SeriesOutlook.openAlert(id) — how feedback finds an alert still firing that the alert index no
 * longer holds — is an index lookup kept by the outlook, the one place a series' open alerts
 * change: it follows firing, escalation, resolve, eviction, forget and snapshot restore, and a
 * lookup does not scan the series.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TickAlerts } from '../../../src/pipeline/tick-alerts.ts';
import { SeriesOutlook, type OpenAlert } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import type { AnomalyRecord, OutMessage } from '../../../src/pipeline/ports.ts';
import type { ModelSpec, RawRecord, Tick } from '../../../src/domain/types.ts';
import { scriptedDetector } from '../../helpers/scripted-detector.ts';

const spec = { window: 4, features: ['value'], targets: ['value'], horizon: 1, quantiles: [0.1, 0.5, 0.9] } as unknown as ModelSpec;

/** Fires (warning) at minute 1, escalates to critical at minute 2, resolves at minute 5. */
const detector = scriptedDetector({ fire: 1, escalate: 2, resolve: 5 });

function feed(a: TickAlerts, series: string, k0: number, k1: number): AnomalyRecord[] {
  const out: OutMessage[] = [];
  for (let k = k0; k < k1; k++) {
    const tick = { series, tsMs: k * 60_000, values: Float64Array.of(1) } as unknown as Tick;
    const rec = { key: null, value: null, headers: {}, source: { topic: 't', partition: 0, offset: String(k) }, receivedAtMs: 0 } as unknown as RawRecord;
    a.score(tick, rec, false, null, out);
  }
  return out.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as AnomalyRecord);
}

const alerts = (outlook: SeriesOutlook) => new TickAlerts({ scorer: detector, outlook, recentAnomalies: new RecentAnomalies(), spec: () => spec, followers: [], trace: () => ({}) });

test('openAlert follows firing, escalation and resolve', () => {
  const outlook = new SeriesOutlook();
  const a = alerts(outlook);
  const [warning] = feed(a, 's', 0, 2);
  assert.equal(outlook.openAlert(warning.id!)?.severity, 'warning');
  const [critical] = feed(a, 's', 2, 3);
  assert.equal(outlook.openAlert(critical.id!)?.severity, 'critical', 'the escalated record is open');
  assert.equal(outlook.openAlert(warning.id!), undefined, 'the record it replaced is not');
  assert.equal(outlook.openAlerts, 1);
  const [resolved] = feed(a, 's', 3, 6);
  assert.equal(resolved.state, 'resolved');
  assert.equal(outlook.openAlert(critical.id!), undefined, 'resolved: no longer open');
  assert.equal(outlook.openAlerts, 0);
});

test('openAlert forgets the alerts of an evicted or forgotten series, keeps the others', () => {
  const outlook = new SeriesOutlook();
  const a = alerts(outlook);
  const [x] = feed(a, 'x', 0, 2);
  const [y] = feed(a, 'y', 0, 2);
  const [z] = feed(a, 'z', 0, 2);
  a.departed('x', 'idle');
  outlook.forget('x');
  assert.equal(outlook.openAlert(x.id!), undefined, 'evicted while firing: resolved and gone');
  outlook.forget('y');
  assert.equal(outlook.openAlert(y.id!), undefined, 'forgotten');
  assert.equal(outlook.openAlert(z.id!)?.series, 'z', 'another series keeps its open alert');
  assert.equal(outlook.openAlerts, 1);
  const drained: OutMessage[] = [];
  a.drain(drained);
  assert.deepEqual(drained.map((m) => JSON.parse(String(m.value)).reason), ['evicted']);
});

test('openAlert finds the open alerts a snapshot restores, and drops those a restore replaces', () => {
  const outlook = new SeriesOutlook();
  feed(alerts(outlook), 's', 0, 2);
  const saved = JSON.parse(JSON.stringify({ ...outlook.peek('s')!, firingFeatures: [...outlook.peek('s')!.firingFeatures] }));
  const id = (saved.open.value as OpenAlert).record.id!;
  const fresh = new SeriesOutlook();
  fresh.restore('s', saved);
  assert.equal(fresh.openAlert(id)?.id, id);
  fresh.restore('s', { ...saved, open: undefined });
  assert.equal(fresh.openAlert(id), undefined, 'the restored entry has no open alert');
  assert.equal(fresh.openAlerts, 0);
});

test('openAlert does not scan the series', () => {
  const outlook = new SeriesOutlook();
  const record = (i: number) => ({ id: `id-${i}`, series: `s${i}` }) as AnomalyRecord;
  for (let i = 0; i < 20_000; i++) outlook.setOpen(`s${i}`, 'value', { record: record(i), ts: 0, value: 0 });
  const t0 = performance.now();
  for (let i = 0; i < 5_000; i++) assert.equal(outlook.openAlert(`missing-${i}`), undefined);
  const ms = performance.now() - t0;
  // A scan would visit 10^8 entries here (seconds); a lookup takes well under a millisecond each.
  assert.ok(ms < 500, `5000 lookups over 20000 open alerts took ${ms.toFixed(0)} ms`);
  assert.equal(outlook.openAlert('id-19999')?.series, 's19999');
});
