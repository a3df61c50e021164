/**
 * Each incident group closes on its own clock (the event time of its own ticks and alerts), not on
 * one instance-wide clock: a feed lagging the others by hours groups its alerts as it would alone.
 * A group whose feed stops closes after `idleMs` of wall time without a tick, while others tick.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentGrouper, type IncidentAlert, type IncidentSettings } from '../../../src/domain/incidents/incident-grouper.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const settings: IncidentSettings = { groupBy: { by: 'prefix', pattern: /^([^:]+):/ }, spanMs: 5 * MIN, minSeries: 2, maxOpen: 100, maxMembers: 100, keepClosed: 10, idleMs: 30 * MIN };
const alert = (series: string, ts: number): IncidentAlert => ({ id: `${series}@${ts}`, series, ts, severity: 'warning', state: 'firing', score: 0.5 });

/** Feed minute `m` of two hosts, `lag` apart in event time, in one chunk; alerts at the given minutes. */
function chunk(g: IncidentGrouper, m: number, lag: number, alerts: Record<string, number[]>, wall = m * MIN) {
  const out = [];
  for (const [series, at] of [['live:cpu', m * MIN], ['live:mem', m * MIN], ['slow:cpu', m * MIN - lag], ['slow:mem', m * MIN - lag]] as const) {
    g.tick(series, undefined, at);
    if (alerts[series]?.includes(m)) out.push(...g.follow(alert(series, at)));
    if (alerts[series]?.includes(m - 1)) g.follow({ ...alert(series, at), state: 'resolved' }); // resolved the next minute
  }
  return [...out, ...g.advance(wall)];
}

test('a feed lagging by hours groups its alerts as it would alone, and closes on its own clock', () => {
  const alerts = { 'live:cpu': [10], 'live:mem': [12], 'slow:cpu': [10], 'slow:mem': [12] };
  const run = (lag: number) => {
    const g = new IncidentGrouper(settings);
    const out = [];
    for (let m = 0; m < 30; m++) out.push(...chunk(g, m, lag, alerts).map((r) => [m, r.group, r.state, r.series.length, r.firstTs + lag * +(r.group === 'slow')]));
    return out;
  };
  const alone = run(0);
  assert.deepEqual(alone, [[12, 'live', 'open', 2, 10 * MIN], [12, 'slow', 'open', 2, 10 * MIN], [19, 'live', 'closed', 2, 10 * MIN], [19, 'slow', 'closed', 2, 10 * MIN]]);
  assert.deepEqual(run(3 * HOUR), alone, 'three hours behind: the same incidents at the same points of the feed');
});

test('a group whose feed stops closes after idleMs of wall time while other groups tick; a silence of the whole instance is not counted', () => {
  const g = new IncidentGrouper(settings);
  g.tick('slow:cpu', undefined, 0);
  g.follow(alert('slow:cpu', 0));
  const [opened] = g.follow(alert('slow:mem', MIN));
  assert.equal(opened.state, 'open');
  assert.deepEqual(g.advance(0), []);
  // The whole instance receives nothing for an hour (consumer paused): no group is idle for it.
  g.tick('live:cpu', undefined, 2 * MIN);
  assert.deepEqual(g.advance(HOUR), [], 'an instance-wide silence does not close it');
  for (let m = 1; m <= 30; m++) {
    g.tick('live:cpu', undefined, 2 * MIN + m * MIN);
    assert.deepEqual(g.advance(HOUR + m * MIN), [], `${m} min of others ticking: not idle yet`);
  }
  const [closed] = g.advance(HOUR + 30 * MIN + 1);
  assert.equal(closed?.id, opened.id, 'idle for more than idleMs: closed');
  assert.equal(closed.state, 'closed');
});

test('a group that keeps ticking without alerting closes on its clock, not by idleness; ticks of a group without an incident are ignored', () => {
  const g = new IncidentGrouper(settings);
  g.follow(alert('web:cpu', 0));
  g.follow(alert('web:mem', 0));
  for (const s of ['web:cpu', 'web:mem']) g.follow({ ...alert(s, 0), state: 'resolved' });
  g.tick('db:cpu', undefined, 10 * HOUR);
  assert.deepEqual(g.advance(0), [], 'another group far ahead does not close it');
  g.tick('web:cpu', undefined, 5 * MIN);
  assert.deepEqual(g.advance(MIN), []);
  g.tick('web:disk', undefined, 5 * MIN + 1);
  assert.equal(g.advance(2 * MIN)[0]?.state, 'closed', 'its own series moved its clock past the span');
});

test('the group clock is in the snapshot state; a state without it (older) starts the clock at the last alert', () => {
  const g = new IncidentGrouper(settings);
  g.follow(alert('web:cpu', 0));
  g.follow(alert('web:mem', MIN));
  g.tick('web:cpu', undefined, 4 * MIN);
  const state = g.exportState();
  assert.equal(state.open[0].clock, 4 * MIN);
  const restored = new IncidentGrouper(settings);
  assert.equal(restored.importState(JSON.parse(JSON.stringify(state))), 1);
  assert.deepEqual(restored.exportState().open.map((o) => o.clock), [4 * MIN]);
  const old = { ...state, open: state.open.map(({ clock: _c, ...o }) => o) };
  const fromOld = new IncidentGrouper(settings);
  assert.equal(fromOld.importState(JSON.parse(JSON.stringify(old))), 1);
  assert.deepEqual(fromOld.exportState().open.map((o) => o.clock), [MIN]);
  assert.deepEqual(fromOld.advance(10 * HOUR), [], 'restored: idle counts from the first chunk after the restart, not from before it');
});
