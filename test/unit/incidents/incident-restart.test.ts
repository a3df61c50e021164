/**
 * Open incidents across a restart (docs/reliability.md, "Series-state snapshots"): saved in the
 * series-state snapshot, installed at load, fed by the tail replayed after it, and closed — with
 * a published `closed` record — as they would have been without the restart. Alerts redelivered
 * after a restart are counted once, also past the member list (maxMembers).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentGrouper, type IncidentAlert, type IncidentSettings } from '../../../src/domain/incidents/incident-grouper.ts';
import type { ModelSpec, RawRecord, Tick } from '../../../src/domain/types.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { TickAlerts } from '../../../src/pipeline/tick-alerts.ts';
import type { AnomalyRecord, AnomalyScorer, OutMessage } from '../../../src/pipeline/ports.ts';
import { snapshotRig } from '../../helpers/snapshot-rig.ts';
import { withTempDir } from '../../helpers/temp-dir.ts';

const MIN = 60_000;
const settings: IncidentSettings = { groupBy: { by: 'prefix', pattern: /^([^:]+):/ }, spanMs: 5 * MIN, minSeries: 2, maxOpen: 100, maxMembers: 100, keepClosed: 10 };
const alert = (series: string, min: number, feature = 'value'): IncidentAlert => ({ id: `${series}@${min}/${feature}`, series, ts: min * MIN, severity: 'warning', state: 'firing', score: 0.5 });

/** A snapshotter over a window store of `maxSeries` and `incidents` (forgetting the series the store drops), writing to `dir`; `tick(series, min)` handles one record at minute `min` (offset = min). */
function service(dir: string, incidents: IncidentGrouper, maxSeries = 100) {
  const rig = snapshotRig(dir, { incidents }, { maxSeries, msPerOffset: MIN });
  rig.store.registry.follow((s) => incidents.forget(s)); // as the pipeline's followers do
  return rig;
}
const withDir = (fn: (dir: string) => Promise<void>) => withTempDir('tc-incidents-', fn);

test('an incident open at a restart from a snapshot is restored and closes after its span, publishing its closed record', () =>
  withDir(async (dir) => {
    const before = new IncidentGrouper(settings);
    const a = service(dir, before);
    await a.tick('web-1:cpu', 1);
    before.follow(alert('db-1:cpu', -20));
    before.follow(alert('db-1:mem', -19));
    for (const s of ['db-1:cpu', 'db-1:mem']) before.follow({ ...alert(s, -18), state: 'resolved' });
    const [earlier] = (before.tick('db-1:cpu', undefined, -10 * MIN), before.advance(0));
    before.follow(alert('web-1:cpu', 1));
    const [opened] = before.follow(alert('web-1:mem', 2));
    assert.equal(opened.state, 'open');
    await a.snap.snapshot();

    const after = new IncidentGrouper(settings);
    const b = service(dir, after);
    assert.equal(await b.snap.load(), true);
    assert.deepEqual(after.list({ state: 'open', limit: 10 }).map((r) => r.id), [opened.id], 'open again after the restart, listed');
    assert.deepEqual(after.list({ state: 'closed', limit: 10 }).map((r) => r.id), [earlier.id], 'recently closed ones still listed');
    assert.deepEqual((after.tick('web-1:cpu', undefined, 7 * MIN + 1), after.advance(0)), [], 'its alerts still fire (restored with it): open');
    for (const s of ['web-1:cpu', 'web-1:mem']) after.follow({ ...alert(s, 3), state: 'resolved' });
    assert.deepEqual((after.tick('web-1:cpu', undefined, 8 * MIN), after.advance(0)), [], 'within the span after the last resolve: still open');
    const [closed] = (after.tick('web-1:cpu', undefined, 8 * MIN + 1), after.advance(0));
    assert.equal(closed?.id, opened.id, 'the closed record of the same incident is published');
    assert.equal(closed.state, 'closed');
    assert.equal(closed.count, 2);
  }));

test('alerts of the incident redelivered after a restart are not counted again, past the member list too', () =>
  withDir(async (dir) => {
    const small = { ...settings, maxMembers: 2 };
    const before = new IncidentGrouper(small);
    const a = service(dir, before);
    await a.tick('web-1:a', 1);
    for (let i = 0; i < 6; i++) before.follow(alert(`web-1:s${i}`, 1 + i));
    const [id] = before.list({ limit: 1 }).map((r) => r.id);
    await a.snap.snapshot();
    const after = new IncidentGrouper(small);
    assert.equal(await service(dir, after).snap.load(), true);
    // The uncommitted tail comes again: the last three alerts, beyond the member list.
    for (let i = 3; i < 6; i++) assert.deepEqual(after.follow(alert(`web-1:s${i}`, 1 + i)), []);
    assert.deepEqual(after.list({ limit: 10 }).map((r) => [r.id, r.count]), [[id, 6]], 'one incident, each alert counted once');
    after.follow(alert('web-1:s0', 8));
    after.follow(alert('web-1:s0', 8, 'other'));
    assert.equal(after.list({ limit: 1 })[0].count, 8, 'new alerts still count, two features firing on one tick too');
  }));

test('the same, without a restart: a redelivered alert beyond maxMembers is counted once, and does not reopen a closed incident', () => {
  const g = new IncidentGrouper({ ...settings, maxMembers: 2 });
  for (let i = 0; i < 5; i++) g.follow(alert(`web-1:s${i}`, i));
  for (let i = 0; i < 5; i++) assert.deepEqual(g.follow(alert(`web-1:s${i}`, i)), []);
  assert.equal(g.list({ limit: 1 })[0].count, 5);
  for (let i = 0; i < 5; i++) g.follow({ ...alert(`web-1:s${i}`, 5), state: 'resolved' });
  assert.equal((g.tick('web-1:s0', undefined, 20 * MIN), g.advance(0))[0]?.state, 'closed');
  g.follow(alert('web-1:s3', 3));
  g.follow(alert('web-1:s4', 4));
  assert.deepEqual(g.list({ state: 'open', limit: 10 }), [], 'the replay of a closed incident\'s alerts opens no new one');
});

test('the replay marks are bounded (maxSeen series, most recently alerting kept)', () => {
  const g = new IncidentGrouper({ ...settings, maxMembers: 1, maxSeen: 3 });
  for (let i = 0; i < 6; i++) g.follow(alert(`web-1:s${i}`, i));
  const marks = (g.exportState().seen as Array<[string]>).map((m) => m[0]);
  assert.deepEqual(marks, ['web-1:s3', 'web-1:s4', 'web-1:s5']);
  for (let i = 3; i < 6; i++) g.follow(alert(`web-1:s${i}`, i));
  assert.equal(g.list({ limit: 1 })[0].count, 6, 'the recent tail is still recognised');
});

test('a snapshot without incidents (older) or taken under another grouping restores none; the rest still loads', () =>
  withDir(async (dir) => {
    const g = new IncidentGrouper(settings);
    const a = service(dir, g);
    await a.tick('web-1:cpu', 1);
    g.follow(alert('web-1:cpu', 1));
    g.follow(alert('web-1:mem', 2));
    await a.snap.snapshot();
    const other = new IncidentGrouper({ ...settings, groupBy: { by: 'label', label: 'host' } });
    assert.equal(await service(dir, other).snap.load(), true);
    assert.deepEqual(other.list({ limit: 10 }), []);
    assert.equal(new IncidentGrouper(settings).importState(undefined), 0, 'no incidents in an older snapshot');
    assert.equal(new IncidentGrouper(settings).importState({ ...g.exportState(), v: 99 }), 0, 'another layout');
  }));

test('incidents published under another grouping (groupBy changed across the restart) are closed at the first chunk, not left open on the topic', () =>
  withDir(async (dir) => {
    const g = new IncidentGrouper(settings);
    const a = service(dir, g);
    await a.tick('web-1:cpu', 1);
    g.follow(alert('web-1:cpu', 1));
    const [opened] = g.follow(alert('web-1:mem', 2));
    g.follow(alert('db-1:cpu', 2)); // a candidate never published: nothing to close
    await a.snap.snapshot();
    const other = new IncidentGrouper({ ...settings, groupBy: { by: 'label', label: 'host' } });
    assert.equal(await service(dir, other).snap.load(), true);
    assert.deepEqual(other.list({ state: 'open', limit: 10 }), [], 'not installed: it would never match');
    const closed = other.advance(0);
    assert.deepEqual(closed.map((r) => [r.id, r.state, r.count, r.groupBy]), [[opened.id, 'closed', 2, 'prefix']], 'its closed record goes out');
    assert.deepEqual(other.list({ state: 'closed', limit: 10 }).map((r) => r.id), [opened.id]);
    assert.deepEqual(other.advance(0), [], 'once');
    assert.deepEqual(new IncidentGrouper(settings).importState(g.exportState()), 2, 'the same grouping installs both');
  }));

test('alerts of the tail replayed after a snapshot (full warm-up) join incidents without being published', () => {
  const spec = { window: 4, features: ['value'], targets: ['value'], horizon: 1, quantiles: [0.1, 0.5, 0.9] } as unknown as ModelSpec;
  const scorer: AnomalyScorer = {
    observe: (series, tsMs, value) => ({ score: 0.9, event: { series, feature: 'value', tsMs, value, score: 0.9, severity: 'critical', expected: null, basis: 'fallback', state: 'firing', view: 'forecast' } }),
    forget() {},
  };
  const replayed: AnomalyRecord[] = [];
  const alerted: AnomalyRecord[] = [];
  const t = new TickAlerts({ scorer, outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), spec: () => spec, followers: [{ replayed: (r) => void replayed.push(r), alert: (r) => void alerted.push(r) }], trace: () => ({}) });
  const out: OutMessage[] = [];
  const tick = (series: string) => ({ series, tsMs: MIN, values: Float64Array.of(1) }) as unknown as Tick;
  const rec = (extra: object) => ({ key: null, value: null, headers: {}, source: { topic: 't', partition: 0, offset: '1' }, receivedAtMs: 0, ...extra }) as unknown as RawRecord;
  t.score(tick('full'), rec({ warmup: true, warmupFull: true }), true, null, out);
  t.score(tick('plain'), rec({ warmup: true }), true, null, out);
  assert.deepEqual(out, [], 'nothing published in warm-up');
  assert.deepEqual(replayed.map((r) => r.series), ['full'], 'the full warm-up alert reaches the followers as replayed; the plain one does not');
  assert.deepEqual(alerted, []);
});

test('a stepped-back mark survives the snapshot: the fast alert redelivered after a restart is still a replay; older marks load', () => {
  const g = new IncidentGrouper(settings);
  g.follow(alert('web-1:cpu', 10));
  g.tick('web-1:cpu', undefined, 3 * MIN, 3 * MIN);
  g.follow(alert('web-1:cpu', 3));
  g.follow(alert('web-1:mem', 3));
  const after = new IncidentGrouper(settings);
  after.importState(JSON.parse(JSON.stringify(g.exportState())));
  assert.deepEqual(after.follow(alert('web-1:cpu', 10)), []);
  assert.deepEqual(after.follow(alert('web-1:cpu', 3)), []);
  after.follow(alert('web-1:cpu', 4));
  assert.equal(after.list({ limit: 1 })[0].count, 4);
  const old = new IncidentGrouper(settings);
  old.importState({ ...g.exportState(), seen: [['web-1:cpu', 3 * MIN, 'web-1:cpu@3/value']] });
  assert.deepEqual(old.follow(alert('web-1:cpu', 3)), [], 'a mark of an older snapshot');
});

test('a restored member still firing whose series never ticks here (now on another instance) is released after idleMs: its incident closes though other series of its key keep ticking', () => {
  const idle = { ...settings, idleMs: 30 * MIN };
  const before = new IncidentGrouper(idle);
  before.follow(alert('web-1:cpu', 0));
  assert.equal(before.follow(alert('web-1:mem', 1)).length, 1, 'published');
  before.follow({ ...alert('web-1:mem', 2), state: 'resolved' });
  const state = before.exportState(); // web-1:cpu still firing
  /** Restore, then tick `ticking` once a minute (event and wall time alike) for `minutes`; the closed records. */
  const run = (ticking: string[], minutes: number) => {
    const after = new IncidentGrouper(idle);
    assert.equal(after.importState(JSON.parse(JSON.stringify(state))), 1);
    const closed = [];
    for (let m = 3; m < 3 + minutes; m++) {
      for (const s of ticking) after.tick(s, undefined, m * MIN);
      closed.push(...after.advance(m * MIN));
    }
    return closed;
  };
  // web-1:cpu's partition went elsewhere: it never ticks here, and no resolve or forget comes here.
  const closed = run(['web-1:mem'], 120);
  assert.equal(closed.length, 1, 'the incident closed');
  assert.equal(closed[0].state, 'closed');
  // A restored member that does tick here still holds its incident open (its resolve comes here).
  assert.equal(run(['web-1:cpu', 'web-1:mem'], 120).length, 0);
});

test('a firing member evicted while the snapshot is installed (the store is smaller now) is forgotten after its incident is restored: the incident closes', () =>
  withDir(async (dir) => {
    const idle = { ...settings, idleMs: 30 * MIN };
    const before = new IncidentGrouper(idle);
    const a = service(dir, before);
    await a.tick('web-1:cpu', 1);
    await a.tick('web-1:mem', 2);
    before.follow(alert('web-1:cpu', 1));
    assert.equal(before.follow(alert('web-1:mem', 2)).length, 1, 'published');
    before.follow({ ...alert('web-1:mem', 3), state: 'resolved' });
    await a.snap.snapshot();
    const after = new IncidentGrouper(idle);
    assert.equal(await service(dir, after, 1).snap.load(), true); // installing web-1:mem evicts web-1:cpu
    const closed = [];
    for (let m = 4; m < 124; m++) closed.push(...(after.tick('web-1:mem', undefined, m * MIN), after.advance(m * MIN)));
    assert.deepEqual(closed.map((r) => r.state), ['closed']);
  }));
