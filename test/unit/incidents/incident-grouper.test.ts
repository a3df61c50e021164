import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentGrouper, type IncidentAlert, type IncidentSettings } from '../../../src/domain/incidents/incident-grouper.ts';

const MIN = 60_000;
const prefix = (o: Partial<IncidentSettings> = {}) =>
  new IncidentGrouper({ groupBy: { by: 'prefix', pattern: /^([^:]+):/ }, spanMs: 5 * MIN, minSeries: 2, maxOpen: 100, maxMembers: 100, keepClosed: 10, ...o });
/** A tick of `series` at `ms` moves its group's clock; then the chunk is done (wall time 0: nothing idle). */
const tickTo = (g: IncidentGrouper, series: string, ms: number) => (g.tick(series, undefined, ms), g.advance(0));
const alert = (series: string, min: number, severity: 'warning' | 'critical' = 'warning', state: 'firing' | 'resolved' = 'firing'): IncidentAlert => ({
  id: `${series}@${min}/${severity}`, series, ts: min * MIN, severity, state, score: severity === 'critical' ? 0.9 : 0.5,
});

test('alerts of one host within the span become one incident, published once it has two series, updated per new series', () => {
  const g = prefix();
  assert.deepEqual(g.follow(alert('web-1:cpu', 0)), [], 'one series is not an incident yet');
  const [opened] = g.follow(alert('web-1:mem', 3));
  assert.equal(opened.kind, 'incident');
  assert.equal(opened.state, 'open');
  assert.equal(opened.group, 'web-1');
  assert.equal(opened.groupBy, 'prefix');
  assert.deepEqual(opened.series, ['web-1:cpu', 'web-1:mem']);
  assert.deepEqual(opened.alerts.map((a) => a.id), ['web-1:cpu@0/warning', 'web-1:mem@3/warning']);
  assert.match(opened.id, /^inc-[0-9a-f]{16}$/);
  assert.deepEqual(g.follow(alert('web-1:cpu', 7)), [], 'another alert of a member series: counted, not republished');
  const [updated] = g.follow(alert('web-1:disk', 11, 'critical'));
  assert.equal(updated.id, opened.id, 'same incident, same id (the key of a compacted topic)');
  assert.equal(updated.severity, 'critical');
  assert.equal(updated.count, 4);
  assert.equal(updated.lastTs, 11 * MIN);
  assert.deepEqual(g.follow(alert('db-1:cpu', 11)), [], 'another host is another group');
  assert.deepEqual(g.follow(alert('plain', 11)), [], 'a series without the prefix is not grouped');
  assert.deepEqual(g.follow(alert('web-2:cpu', 11, 'warning', 'resolved')), [], 'resolved alerts do not join');
});

test('an incident closes when its key is quiet for longer than the span; a later alert starts a new one', () => {
  const g = prefix();
  g.follow(alert('web-1:cpu', 0));
  const [open] = g.follow(alert('web-1:mem', 1));
  assert.deepEqual(tickTo(g, 'web-1:cpu', 6 * MIN + 1), [], 'its alerts still fire: open whatever the quiet');
  g.follow(alert('web-1:cpu', 1, 'warning', 'resolved'));
  g.follow(alert('web-1:mem', 2, 'warning', 'resolved'));
  assert.deepEqual(tickTo(g, 'web-1:cpu', 7 * MIN), [], 'exactly the span after the last resolve: still open');
  const [closed] = tickTo(g, 'web-1:cpu', 7 * MIN + 1);
  assert.equal(closed.state, 'closed');
  assert.equal(closed.id, open.id);
  assert.deepEqual(g.list({ limit: 10 }).map((r) => [r.id, r.state]), [[open.id, 'closed']]);
  g.follow(alert('web-1:cpu', 20));
  const [second] = g.follow(alert('web-1:mem', 22));
  assert.notEqual(second.id, open.id);
  assert.deepEqual(g.list({ state: 'open', limit: 10 }).map((r) => r.id), [second.id]);
  assert.deepEqual(g.list({ group: 'nope', limit: 10 }), []);
});

test('an unpublished candidate closes silently; a replayed alert changes nothing', () => {
  const g = prefix();
  g.follow(alert('web-1:cpu', 0));
  g.follow(alert('web-1:cpu', 1, 'warning', 'resolved'));
  assert.deepEqual(tickTo(g, 'web-1:cpu', 60 * MIN), []);
  g.follow(alert('web-1:cpu', 61));
  g.follow(alert('web-1:mem', 62));
  assert.deepEqual(g.follow(alert('web-1:mem', 62)), []);
  assert.equal(g.list({ limit: 1 })[0].count, 2);
});

test('grouping by a tick label; bounded open groups and member lists', () => {
  const g = new IncidentGrouper({ groupBy: { by: 'label', label: 'host' }, spanMs: 5 * MIN, minSeries: 2, maxOpen: 2, maxMembers: 2, keepClosed: 1 });
  assert.equal(g.keyOf('x', { host: 'h1' }), 'h1');
  assert.equal(g.keyOf('x', {}), null);
  assert.equal(g.keyOf('x'), null);
  g.follow(alert('a', 0), { host: 'h1' });
  const [inc] = g.follow(alert('b', 1), { host: 'h1' });
  assert.equal(inc.groupBy, 'label:host');
  assert.deepEqual(g.follow(alert('c', 2), { host: 'h1' }), [], 'a series beyond maxMembers is counted, not listed nor republished');
  const [more] = g.list({ group: 'h1', limit: 1 });
  assert.equal(more.alerts.length, 2, 'member list capped');
  assert.equal(more.count, 3);
  assert.deepEqual(more.series, ['a', 'b'], 'series list capped too');
  g.follow(alert('d', 2), { host: 'h2' });
  const evicted = g.follow(alert('e', 2), { host: 'h3' });
  assert.deepEqual(evicted.map((r) => [r.group, r.state]), [['h1', 'closed']], 'the oldest open group closes beyond maxOpen');
});

test('an incident kept open for long lists at most maxMembers series, however many distinct series alert under its key', () => {
  const g = prefix({ maxMembers: 5 });
  const published: number[] = [];
  // A host whose alerts never pause for the span, from 50 series that come and go (churn above windows.maxSeries).
  for (let i = 0; i < 50; i++) for (const r of g.follow(alert(`web-1:s${i}`, i))) published.push(r.series.length);
  const [open] = g.list({ state: 'open', limit: 10 });
  assert.equal(open.count, 50, 'every alert is counted');
  assert.ok(open.series.length <= 5, `series listed: ${open.series.length}`);
  assert.ok(open.alerts.length <= 5);
  assert.ok(published.length <= 5 && published.every((n) => n <= 5), `records published: ${JSON.stringify(published)}`);
});

test('beyond maxOpen the group that alerted least recently closes, not an incident still alerting', () => {
  const g = prefix({ maxOpen: 2 });
  g.follow(alert('web-1:cpu', 0));
  const [active] = g.follow(alert('web-1:mem', 1));
  g.follow(alert('db-1:cpu', 2)); // a candidate, quiet since
  g.follow(alert('web-1:disk', 3)); // the incident goes on
  const closed = g.follow(alert('cache-1:cpu', 4));
  assert.deepEqual(closed, [], 'the quiet candidate closes (unpublished: silently)');
  assert.deepEqual(g.list({ state: 'open', limit: 10 }).map((r) => r.id), [active.id], 'the active incident stays open');
  assert.equal(g.follow(alert('web-1:net', 5))[0]?.id, active.id, 'and its next alert joins it');
});

test('an incident stays open while its alerts fire (a long outage), and closes the span after the last resolve', () => {
  const g = prefix();
  g.follow({ ...alert('web-1:cpu', 0), feature: 'cpu' });
  const [open] = g.follow({ ...alert('web-1:mem', 1), feature: 'mem' });
  assert.deepEqual(tickTo(g, 'web-1:cpu', 40 * MIN), [], 'forty quiet minutes, but both alerts still fire: open (before: closed at minute 6)');
  const [joined] = g.follow(alert('web-1:disk', 40));
  assert.equal(joined?.id, open.id, 'an alert during the outage joins its incident instead of opening another');
  g.follow({ ...alert('web-1:disk', 41, 'warning', 'resolved') });
  g.follow({ ...alert('web-1:cpu', 50, 'warning', 'resolved'), feature: 'cpu' });
  assert.deepEqual(tickTo(g, 'web-1:cpu', 60 * MIN), [], 'the mem alert still fires');
  g.follow({ ...alert('web-1:mem', 60, 'warning', 'resolved'), feature: 'other' });
  assert.deepEqual(tickTo(g, 'web-1:cpu', 62 * MIN), [], 'a resolve of another feature is not the firing one');
  g.follow({ ...alert('web-1:mem', 61, 'warning', 'resolved'), feature: 'mem' });
  assert.deepEqual(tickTo(g, 'web-1:cpu', 66 * MIN), [], 'exactly the span after the last resolve: open');
  const [closed] = tickTo(g, 'web-1:mem', 66 * MIN + 1);
  assert.equal(closed?.id, open.id);
  assert.equal(closed.state, 'closed');
  assert.equal(closed.count, 3);
});

test('a resolve without the tick labels (a series evicted while firing) still finds its incident', () => {
  const g = new IncidentGrouper({ groupBy: { by: 'label', label: 'host' }, spanMs: 5 * MIN, minSeries: 2, maxOpen: 10, maxMembers: 10, keepClosed: 10 });
  g.follow(alert('cpu', 0), { host: 'h' });
  g.follow(alert('mem', 0), { host: 'h' });
  g.follow(alert('cpu', 1, 'warning', 'resolved'), { host: 'h' });
  g.follow(alert('mem', 300, 'warning', 'resolved')); // evicted: no labels on the record
  g.tick('cpu', { host: 'h' }, 306 * MIN);
  assert.equal(g.advance(0)[0]?.state, 'closed');
});

test('a firing member whose series left the instance (its partition moved away: no resolve comes here) holds the incident open no longer', () => {
  const g = prefix();
  g.follow({ ...alert('web-1:cpu', 0), feature: 'cpu' });
  g.follow(alert('web-1:mem', 1));
  g.follow(alert('web-1:mem', 2, 'warning', 'resolved'));
  assert.deepEqual(tickTo(g, 'web-1:mem', 30 * MIN), [], 'web-1:cpu still fires');
  g.forget('web-1:cp'); // another series: no effect
  assert.deepEqual(tickTo(g, 'web-1:mem', 40 * MIN), []);
  g.forget('web-1:cpu');
  assert.deepEqual(tickTo(g, 'web-1:mem', 45 * MIN), [], 'quiet counts from the clock when it left');
  assert.equal(tickTo(g, 'web-1:mem', 45 * MIN + 1)[0]?.state, 'closed');
});

test('firstTs and lastTs span the member alerts when a series of the key lags the others (its earlier alert joins later)', () => {
  const g = prefix();
  g.follow(alert('web-1:cpu', 10));
  const [opened] = g.follow(alert('web-1:mem', 8));
  assert.deepEqual([opened.firstTs, opened.lastTs], [8 * MIN, 10 * MIN]);
  assert.equal(opened.id, g.list({ limit: 1 })[0].id, 'the id stays the one it was opened under');
});

test('a series that steps back onto its true clock after a fast tick: its next alerts are grouped, not taken for replays; replays still are', () => {
  const g = prefix();
  g.follow(alert('web-1:cpu', 10)); // a tick stamped ahead (device clock fast) fired
  tickTo(g, 'web-1:cpu', 10 * MIN);
  g.tick('web-1:cpu', undefined, 3 * MIN, 3 * MIN); // its next tick, on the true clock, steps back
  g.advance(0);
  const [opened] = g.follow(alert('web-1:mem', 3));
  assert.deepEqual(opened.series, ['web-1:cpu', 'web-1:mem']);
  g.follow(alert('web-1:cpu', 3, 'critical'));
  assert.equal(g.list({ limit: 1 })[0].count, 3, 'the stepped-back alert counts');
  assert.deepEqual(g.follow(alert('web-1:cpu', 10)), [], 'the fast alert redelivered: a replay');
  assert.deepEqual(g.follow(alert('web-1:cpu', 3, 'critical')), [], 'the stepped-back alert redelivered: a replay');
  g.follow(alert('web-1:cpu', 4));
  assert.equal(g.list({ limit: 1 })[0].count, 4);
  assert.deepEqual(g.follow(alert('web-1:cpu', 10)), [], 'still known while the series is behind it');
  assert.equal(g.list({ limit: 1 })[0].count, 4);
});

test('without a step back an earlier alert of a series is still a replay', () => {
  const g = prefix();
  g.follow(alert('web-1:cpu', 10));
  g.follow(alert('web-1:mem', 10));
  assert.deepEqual(g.follow(alert('web-1:cpu', 3)), []);
  assert.equal(g.list({ limit: 1 })[0].count, 2);
});

test('an alert sent late after a maintenance span (heldUntilTs) is grouped as of when it went out, not taken for a replay', () => {
  const g = prefix();
  g.follow(alert('web-1:cpu', 0, 'warning'));
  g.follow(alert('web-1:cpu', 1, 'warning', 'resolved'));
  g.follow({ ...alert('web-1:cpu', 20), feature: 'load' });
  // Its feature `mem` fired at minute 10, held back by a maintenance span until minute 30.
  const [inc] = g.follow({ ...alert('web-1:cpu', 10), id: 'held', feature: 'mem', heldUntilTs: 30 * MIN });
  assert.equal(g.list({ limit: 1 })[0]?.count ?? 0, 0, 'one series: not published yet');
  assert.equal(inc, undefined);
  const [opened] = g.follow(alert('web-1:disk', 31));
  assert.deepEqual(opened.alerts.map((a) => [a.id, a.ts]), [['web-1:cpu@20/warning', 20 * MIN], ['held', 10 * MIN], ['web-1:disk@31/warning', 31 * MIN]]);
  assert.equal(opened.firstTs, 10 * MIN, 'its real start');
  assert.deepEqual(g.follow({ ...alert('web-1:cpu', 10), id: 'held', feature: 'mem', heldUntilTs: 30 * MIN }), [], 'redelivered: a replay');
  assert.equal(g.list({ limit: 1 })[0].count, 3);
});
