import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TopKSeriesGauge } from '../../../src/domain/anomaly/index.ts';

test('exports the opt-in series plus the k highest others, and removes those that drop out', () => {
  const g = new TopKSeriesGauge({ k: 2, optIn: ['pinned'] });
  g.observe('a', 0.1);
  g.observe('b', 0.9);
  g.observe('c', 0.5);
  g.observe('pinned', 0.0);
  g.observe('d', 0.7);
  const first = g.select();
  assert.deepEqual(first.set, [{ series: 'pinned', score: 0 }, { series: 'b', score: 0.9 }, { series: 'd', score: 0.7 }]);
  assert.deepEqual(first.remove, []);
  g.observe('b', 0.05);
  g.observe('a', 0.95);
  const second = g.select();
  assert.deepEqual(second.set.map((x) => x.series), ['pinned', 'a', 'd']);
  assert.deepEqual(second.remove, ['b']);
  g.forget('pinned');
  assert.deepEqual(g.select().remove, ['pinned']);
});

test('k = 0 exports only the opt-in list; the number of tracked scores is bounded', () => {
  const g = new TopKSeriesGauge({ k: 0, optIn: ['x'], maxTracked: 100 });
  for (let i = 0; i < 1000; i++) g.observe(`s${i}`, i / 1000);
  g.observe('x', 0.3);
  assert.deepEqual(g.select().set, [{ series: 'x', score: 0.3 }]);
  const h = new TopKSeriesGauge({ k: 5, maxTracked: 100 });
  for (let i = 0; i < 1000; i++) h.observe(`s${i}`, i / 1000);
  // only the 100 most recent series are remembered, so the top 5 come from s900..s999
  assert.deepEqual(h.select().set.map((x) => x.series), ['s999', 's998', 's997', 's996', 's995']);
  assert.throws(() => new TopKSeriesGauge({ k: -1 }), /k must be an integer ≥ 0/);
});
