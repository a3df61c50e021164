import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeriesRegistry, type EvictionReason } from '../../../src/domain/series-registry.ts';

test('capacity evicts the least recently seen series and announces it', () => {
  const r = new SeriesRegistry({ maxSeries: 2, idleEvictMs: 1000 });
  const gone: Array<[string, EvictionReason]> = [];
  r.follow((s, why) => gone.push([s, why]));
  assert.equal(r.touch('a', 0), undefined);
  assert.equal(r.touch('b', 10), undefined);
  assert.equal(r.touch('a', 20), undefined); // a becomes the most recent
  assert.equal(r.touch('c', 30), 'b');
  assert.deepEqual(gone, [['b', 'capacity']]);
  assert.deepEqual([...r.ids()], ['a', 'c']);
  assert.equal(r.evictions, 1);
});

test('idle eviction drops series unseen for longer than idleEvictMs, oldest first', () => {
  const r = new SeriesRegistry({ maxSeries: 10, idleEvictMs: 100 });
  const gone: string[] = [];
  r.follow({ forget: (s, why) => gone.push(`${s}:${why}`) });
  r.touch('a', 0);
  r.touch('b', 50);
  r.touch('c', 150);
  assert.deepEqual(r.evictIdle(150), ['a']); // 150 − 0 > 100; b is exactly 100 old: kept
  assert.deepEqual(r.evictIdle(151), ['b']);
  assert.deepEqual(gone, ['a:idle', 'b:idle']);
  assert.equal(r.has('c'), true);
  assert.equal(r.evictions, 2);
});

test('remove announces "removed" and is not counted as an eviction; unsubscribe stops announcements', () => {
  const r = new SeriesRegistry({ maxSeries: 10, idleEvictMs: 100 });
  const gone: string[] = [];
  const off = r.follow((s, why) => gone.push(`${s}:${why}`));
  r.touch('a', 0);
  assert.equal(r.remove('a'), true);
  assert.equal(r.remove('a'), false);
  off();
  r.touch('b', 0);
  r.remove('b');
  assert.deepEqual(gone, ['a:removed']);
  assert.equal(r.evictions, 0);
  assert.throws(() => new SeriesRegistry({ maxSeries: 0, idleEvictMs: 1 }), /maxSeries/);
});
