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
  assert.deepEqual(tickTo(g, 'web-1:cpu', 6 * MIN), [], 'exactly the span: still open');
  const [closed] = tickTo(g, 'web-1:cpu', 6 * MIN + 1);
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
