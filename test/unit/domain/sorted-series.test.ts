/**
 * The sorted series index behind GET /v1/series and MCP `list_series` (src/domain/sorted-series.ts):
 * always the registry's ids in sorted order through admissions, cap and idle evictions, removals
 * and re-admissions; not re-sorted while nothing changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeriesRegistry } from '../../../src/domain/series-registry.ts';
import { SortedSeriesIds } from '../../../src/domain/sorted-series.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';

const truth = (r: SeriesRegistry) => [...r.ids()].sort();

test('the listing stays the sorted registry through adds, cap and idle evictions, removals and re-admissions', () => {
  const r = new SeriesRegistry({ maxSeries: 50, idleEvictMs: 1_000 });
  for (let i = 0; i < 20; i++) r.touch(`pre-${i}`, 0);
  const sorted = new SortedSeriesIds(r);
  assert.deepEqual(sorted.ids(), truth(r));
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31), seed % n);
  let now = 0;
  for (let step = 0; step < 2_000; step++) {
    now += rnd(30);
    const op = rnd(10);
    if (op < 6) r.touch(`s${rnd(120)}`, now); // new ones evict the least recently seen at the cap
    else if (op < 7) r.remove(`s${rnd(120)}`);
    else if (op < 8) r.evictIdle(now);
    // Read at random moments: several changes may be merged at once, or none.
    if (rnd(3) === 0) assert.deepEqual(sorted.ids(), truth(r), `step ${step}`);
  }
  assert.deepEqual(sorted.ids(), truth(r));
  r.touch('gone-and-back', now);
  r.remove('gone-and-back');
  r.touch('gone-and-back', now);
  r.touch('briefly', now);
  r.remove('briefly');
  assert.deepEqual(sorted.ids(), truth(r));
});

test('not re-sorted while nothing changes: the same list comes back', () => {
  const r = new SeriesRegistry({ maxSeries: 10, idleEvictMs: 1_000 });
  for (const s of ['b', 'a', 'c']) r.touch(s, 0);
  const sorted = new SortedSeriesIds(r);
  const first = sorted.ids();
  r.touch('a', 5); // seen again: no change in membership
  assert.equal(sorted.ids(), first);
  r.touch('aa', 6);
  assert.deepEqual(sorted.ids(), ['a', 'aa', 'b', 'c']);
});

test('over a window store: ids the store admits and evicts, in the order sort() gives', () => {
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 3, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const sorted = new SortedSeriesIds(store.registry);
  for (const [i, s] of ['Zed', 'alpha', 'Alpha', 'é', '10', '9'].entries()) store.push(s, i, [1], i);
  assert.deepEqual(sorted.ids(), [...store.ids()].sort());
  assert.deepEqual(sorted.ids(), ['10', '9', 'é']);
  store.delete('9');
  assert.deepEqual(sorted.ids(), ['10', 'é']);
});

test('GET /v1/series pages (ServingService.listSeries) do not sort every id per request, and stay right through evictions', async () => {
  const { ServingService } = await import('../../../src/pipeline/serving.ts');
  const { SeriesOutlook } = await import('../../../src/pipeline/series-outlook.ts');
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 5_000, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  for (let i = 0; i < 5_000; i++) store.push(`s-${(i * 7_919) % 5_000}`, 1, [1], 1);
  const serving = new ServingService({ store, outlook: new SeriesOutlook() } as unknown as ConstructorParameters<typeof ServingService>[0]);
  const page = (offset: number) => serving.listSeries({ offset, limit: 3 });
  const first = page(0);
  assert.equal(first.total, 5_000);
  const sort = Array.prototype.sort;
  let sorted = 0;
  Array.prototype.sort = function (this: unknown[], ...args: [((a: unknown, b: unknown) => number)?]) {
    if (this.length > 100) sorted++;
    return sort.apply(this, args);
  } as typeof Array.prototype.sort;
  try {
    for (let p = 0; p < 10; p++) page(p * 3);
  } finally {
    Array.prototype.sort = sort;
  }
  assert.equal(sorted, 0, 'no sort of the whole id list while the series stay the same');
  store.push('a-new', 2, [1], 2); // at the cap: evicts the least recently seen
  const after = page(0);
  assert.equal(after.total, 5_000);
  assert.deepEqual(after.items.map((s) => s.id), [...store.ids()].sort().slice(0, 3));
  assert.equal(after.items[0].id, 'a-new');
});
