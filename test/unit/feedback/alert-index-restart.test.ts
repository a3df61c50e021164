/**
 * Feedback on alerts across a restart (docs/reliability.md, "Series-state snapshots"): the alert
 * index is kept in the series-state snapshot, so an alert that fired before the restart and has
 * resolved since — or the warning of an alert since escalated to critical — is still found by id.
 * Alerts of the tail replayed after the snapshot are indexed too. Older snapshots load without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { FeedbackPolicy } from '../../../src/domain/feedback/feedback-policy.ts';
import { AlertIndex } from '../../../src/pipeline/alert-index.ts';
import { FeedbackService } from '../../../src/pipeline/feedback-service.ts';
import type { AnomalyRecord } from '../../../src/pipeline/ports.ts';
import { ErrorCodes, TickcastError } from '../../../src/errors/index.ts';
import { buildAlerting } from '../../../src/app-alerting.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { testConfig } from '../../helpers/app.ts';
import { snapshotRig } from '../../helpers/snapshot-rig.ts';
import { withTempDir } from '../../helpers/temp-dir.ts';

const policy = () => new FeedbackPolicy({ baseBar: 0.4, ceilingBar: 0.7, marginScore: 0.05, falsePositiveHalfLifeMs: 3_600_000, maxPerSeries: 10, maxEntries: 100 });
const alert = (id: string, ts: number, severity: 'warning' | 'critical', score: number): AnomalyRecord =>
  ({ kind: 'alert', id, series: 'web-1', ts, value: 9, expected: 1, lower: 0, upper: 2, score, severity, state: 'firing', model: 'm', view: 'forecast' });

/** A snapshotter over a window store and `alertIndex` (or none), writing to `dir`. */
const service = (dir: string, alertIndex: AlertIndex | null) => snapshotRig(dir, { alertIndex });
const withDir = (fn: (dir: string) => Promise<void>) => withTempDir('tc-alert-index-', fn);

test('feedback finds an alert that fired before a restart (resolved or escalated since) through the snapshot', () =>
  withDir(async (dir) => {
    const before = new AlertIndex(100);
    const a = service(dir, before);
    await a.tick('web-1', 1);
    before.add(alert('web-1@1000/value', 1_000, 'warning', 0.5)); // resolved since
    before.add(alert('web-1@5000/value', 5_000, 'warning', 0.45)); // escalated since: the critical record has its own id
    before.add(alert('web-1@6000/value', 6_000, 'critical', 0.8));
    await a.snap.snapshot();

    const after = new AlertIndex(100);
    assert.equal(await service(dir, after).snap.load(), true);
    assert.equal(after.size, 3);
    const svc = new FeedbackService({ policy: policy(), index: after, store: null, expectedSpanMs: 60_000 });
    const r = await svc.give('web-1@1000/value', { verdict: 'false_positive' }, 'http');
    assert.equal(r.series, 'web-1');
    assert.deepEqual([r.feedback?.alertTs, r.feedback?.score, r.feedback?.view], [1_000, 0.5, 'forecast']);
    const w = await svc.give('web-1@5000/value', { verdict: 'false_positive' }, 'mcp');
    assert.equal(w.feedback?.alertTs, 5_000, 'the earlier warning of an escalated alert');
    await assert.rejects(svc.give('nope', { verdict: 'false_positive' }, 'http'), (e: unknown) => e instanceof TickcastError && e.code === ErrorCodes.ALERT_NOT_FOUND);
  }));

test('the restored index keeps its bound (the most recent alerts) and the order in which the oldest go', () => {
  const a = new AlertIndex(10);
  for (let i = 0; i < 10; i++) a.add(alert(`a${i}`, i, 'warning', 0.5));
  const b = new AlertIndex(3);
  assert.equal(b.importState(a.exportState()), 3);
  assert.deepEqual(['a6', 'a7', 'a8', 'a9'].map((id) => b.get(id)?.ts), [undefined, 7, 8, 9]);
  b.add(alert('new', 99, 'critical', 0.9));
  assert.equal(b.get('a7'), undefined, 'the oldest restored alert goes first');
  assert.equal(b.get('a8')?.ts, 8);
});

test('a snapshot without the alert index (older), or of another layout, loads with an empty index', () =>
  withDir(async (dir) => {
    const a = service(dir, null);
    await a.tick('web-1', 1);
    await a.snap.snapshot();
    const after = new AlertIndex(10);
    assert.equal(await service(dir, after).snap.load(), true, 'the rest of the snapshot still loads');
    assert.equal(after.size, 0);
    assert.equal(after.importState({ v: 99, alerts: [['x', 's', 1, 0.5]] }), 0);
    assert.equal(after.importState({ v: 1, alerts: [['x', 's', 'bad', 0.5], null, ['y', 's', 2, 0.6]] }), 1, 'malformed entries skipped');
    assert.equal(after.get('y')?.ts, 2);
  }));

test('the service indexes alerts of the tail replayed after a snapshot, and hands its index to snapshots', () => {
  const logger = createLogger({ level: 'silent', name: 't', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const alerting = buildAlerting(testConfig(), { metrics: createMetrics({ defaultMetrics: false }), logger, quantiles: [0.1, 0.5, 0.9] });
  for (const f of alerting.followers) f.replayed?.(alert('tail-1', 7_000, 'warning', 0.5), undefined);
  assert.equal(alerting.alertIndex.get('tail-1')?.ts, 7_000);
});

test('feedback on a resolved record\'s id applies to the firing record it names (firingId), after a restart too', async () => {
  const index = new AlertIndex(2);
  index.add(alert('f1', 1_000, 'critical', 0.8));
  index.add({ ...alert('r1', 3_000, 'critical', 0.1), state: 'resolved', firingId: 'f1' });
  index.add({ ...alert('r0', 2_000, 'critical', 0.1), state: 'resolved' }); // an older record naming none
  const after = new AlertIndex(2);
  after.importState(JSON.parse(JSON.stringify(index.exportState())));
  assert.equal(after.firingIdOf('r1'), 'f1', 'kept in the snapshot');
  const svc = new FeedbackService({ policy: policy(), index: after, store: null, expectedSpanMs: 60_000 });
  const r = await svc.give('r1', { verdict: 'false_positive' }, 'http');
  assert.deepEqual([r.alertId, r.resolvedId, r.feedback?.alertId, r.feedback?.alertTs, r.feedback?.score], ['f1', 'r1', 'f1', 1_000, 0.8]);
  assert.deepEqual(svc.list({ limit: 10 }).map((e) => e.alertId), ['f1']);
  const c = await svc.clear('r1');
  assert.deepEqual([c.alertId, c.resolvedId, c.feedback], ['f1', 'r1', null]);
  await assert.rejects(svc.give('r0', { verdict: 'confirmed' }, 'http'), (e: unknown) => e instanceof TickcastError && /firingId/.test(String((e.details as { hint?: string })?.hint)));
});
