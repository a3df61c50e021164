/**
 * `forget` (a series evicted or moved away) and a resolve without labels find the incidents a
 * series fires in through an index, not by scanning every open incident (incident-firing.ts).
 * The behaviour tests pass on the scanning grouper as well (that is the point: unchanged); the
 * last test fails on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentGrouper, type IncidentAlert } from '../../../src/domain/incidents/incident-grouper.ts';

const MIN = 60_000;
const byHost = (maxOpen = 10) => new IncidentGrouper({ groupBy: { by: 'label', label: 'host' }, spanMs: 5 * MIN, minSeries: 2, maxOpen, maxMembers: 10, keepClosed: 10 });
const alert = (series: string, min: number, feature?: string, state: 'firing' | 'resolved' = 'firing'): IncidentAlert => ({
  id: `${series}/${feature ?? ''}@${min}`, series, ts: min * MIN, severity: 'warning', state, score: 0.5, ...(feature === undefined ? {} : { feature }),
});
/** Ticks of `series` (labels `host`) at `min`, then the chunk is done: the records it closed. */
const tickAt = (g: IncidentGrouper, series: string, host: string, min: number) => (g.tick(series, { host }, min * MIN), g.advance(0));

test('a series firing in two incidents (its host label changed) and on two features: forget releases every one of them, and only them', () => {
  const g = byHost();
  g.follow(alert('a', 0, 'cpu'), { host: 'h1' });
  g.follow(alert('a', 0, 'mem'), { host: 'h1' });
  g.follow(alert('b', 0), { host: 'h1' });
  g.follow(alert('b', 1, undefined, 'resolved'), { host: 'h1' });
  g.follow(alert('a', 2, 'cpu'), { host: 'h2' }); // relabelled: joins h2's incident too
  g.follow(alert('c', 2), { host: 'h2' });
  g.follow(alert('c', 3, undefined, 'resolved'), { host: 'h2' });
  g.follow(alert('d', 3), { host: 'h3' });
  g.follow(alert('e', 3), { host: 'h3' });
  assert.deepEqual(tickAt(g, 'b', 'h1', 30), [], 'a still fires in h1');
  assert.deepEqual(tickAt(g, 'c', 'h2', 30), [], 'and in h2');
  g.forget('a:x'); // another series, one that starts like it: no effect
  g.forget('x');
  assert.deepEqual(tickAt(g, 'b', 'h1', 40), []);
  g.forget('a');
  assert.deepEqual(tickAt(g, 'b', 'h1', 45), [], 'quiet counts from the clock when it left');
  assert.deepEqual(tickAt(g, 'b', 'h1', 45.01).map((r) => [r.group, r.state]), [['h1', 'closed']]);
  assert.deepEqual(tickAt(g, 'c', 'h2', 45.01).map((r) => [r.group, r.state]), [['h2', 'closed']]);
  assert.deepEqual(tickAt(g, 'd', 'h3', 60), [], 'h3 fires on: untouched');
  g.forget('a'); // again, nothing left
  assert.deepEqual(g.list({ state: 'open', limit: 10 }).map((r) => r.group), ['h3']);
});

test('a resolve without labels finds the incident its feature fires in; forget after it changes nothing more; a closed incident is not found again', () => {
  const g = byHost();
  g.follow(alert('a', 0, 'cpu'), { host: 'h1' });
  g.follow(alert('b', 0), { host: 'h1' });
  g.follow(alert('b', 1, undefined, 'resolved'), { host: 'h1' });
  g.follow(alert('a', 10, 'mem', 'resolved')); // not the firing feature: no effect
  assert.deepEqual(tickAt(g, 'b', 'h1', 20), []);
  g.follow(alert('a', 20, 'cpu', 'resolved')); // evicted while firing: no labels
  g.forget('a');
  assert.deepEqual(tickAt(g, 'b', 'h1', 25), [], 'quiet from the resolve (20), not from the forget');
  assert.equal(tickAt(g, 'b', 'h1', 25.01)[0]?.state, 'closed');
  g.follow(alert('a', 30, 'cpu'), { host: 'h1' });
  g.follow(alert('a', 31, 'cpu', 'resolved'));
  g.follow(alert('b', 31), { host: 'h1' });
  g.forget('a');
  assert.deepEqual(tickAt(g, 'b', 'h1', 50), [], 'b fires: the new incident stays open');
  assert.equal(g.list({ state: 'open', limit: 10 }).length, 1);
});

test('members of an incident closed beyond maxOpen, and of a restored one, are forgotten as before', () => {
  const g = byHost(1);
  g.follow(alert('a', 0), { host: 'h1' });
  g.follow(alert('b', 0), { host: 'h1' });
  assert.equal(g.follow(alert('c', 1), { host: 'h2' })[0]?.state, 'closed', 'h1 closes beyond maxOpen');
  g.forget('a'); // its incident is gone: nothing to do
  g.follow(alert('d', 1), { host: 'h2' });
  const restored = byHost();
  assert.equal(restored.importState(g.exportState()), 1);
  assert.deepEqual(tickAt(restored, 'c', 'h2', 30), [], 'c and d fire');
  restored.forget('c');
  assert.deepEqual(tickAt(restored, 'c', 'h2', 40), [], 'd fires');
  restored.forget('d');
  assert.deepEqual(tickAt(restored, 'c', 'h2', 45), []);
  assert.equal(tickAt(restored, 'c', 'h2', 45.01)[0]?.state, 'closed');
});

test('forgetting a series looks at the incidents it fires in only, not at every open one (eviction was O(open incidents) per series)', () => {
  const g = byHost(1000);
  for (let h = 0; h < 500; h++) for (const s of ['x', 'y']) g.follow(alert(`${s}${h}`, 0), { host: `h${h}` });
  assert.equal(g.list({ state: 'open', limit: 1000 }).length, 500);
  // Count the entries read from maps of 500 or more (the open incidents) while series are forgotten.
  let read = 0;
  const proto = Map.prototype as unknown as Record<string | symbol, (...a: unknown[]) => unknown>;
  const names = ['values', 'entries', 'keys', 'forEach', Symbol.iterator] as const;
  const saved = names.map((n) => proto[n]);
  names.forEach((n, i) => {
    proto[n] = function (this: Map<unknown, unknown>, ...a: unknown[]) {
      if (this.size >= 500) read += this.size;
      return saved[i].apply(this, a);
    };
  });
  try {
    for (let i = 0; i < 100; i++) g.forget(`gone${i}`); // evicted series that never alerted
    g.forget('x7');
  } finally {
    names.forEach((n, i) => (proto[n] = saved[i]));
  }
  assert.equal(read, 0, `entries of the open incidents read by 101 forgets: ${read}`);
  assert.deepEqual(g.sizes().firingSeries, 999, 'x7 is no longer indexed');
  for (let h = 0; h < 1000; h++) g.follow(alert(`z${h}`, 0), { host: `other${h}` }); // h0…h499 close beyond maxOpen
  assert.equal(g.list({ state: 'open', limit: 2000 }).length, 0, 'the published ones closed (the new ones are one-series candidates)');
  assert.equal(g.sizes().firingSeries, 1000, 'closed incidents leave the index: z0…z999 only');
});
