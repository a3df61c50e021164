/**
 * A rebalance hands input partitions to another instance while alerts of their series are open.
 * With topics.alertState off nobody will resolve them (docs/reliability.md § Open alerts that
 * follow their partition): the release says so at warn level, with how many and which, so the
 * on-call knows which pages may stay open. With it on (an `inherited` holder), the new owner reads
 * them and nothing is said. Before 7 Dec 2026 the release only logged the series count at info.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowStore } from '../../../src/domain/window-store.ts';
import type { AnomalyRecord } from '../../../src/pipeline/ports.ts';
import { partitionRelease } from '../../../src/pipeline/partition-release.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { SeriesHomes } from '../../../src/pipeline/snapshot/series-state.ts';

function setting() {
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const homes = new SeriesHomes(store.registry);
  const outlook = new SeriesOutlook();
  store.registry.follow((s) => outlook.forget(s));
  for (const [series, p] of [['a', 0], ['b', 1], ['c', 1]] as const) {
    store.push(series, 0, [1], 0);
    homes.note(series, p);
  }
  const firing = (series: string): AnomalyRecord => ({ kind: 'alert', id: `${series}@0/value`, series, feature: 'value', ts: 0, value: 9, score: 0.9, severity: 'critical', state: 'firing' }) as AnomalyRecord;
  outlook.setOpen('a', 'value', { record: firing('a'), ts: 0, value: 9 });
  outlook.setOpen('b', 'value', { record: firing('b'), ts: 0, value: 9 });
  const warned: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const logger = { info: () => undefined, warn: (obj: object, msg: string) => void warned.push({ obj: obj as Record<string, unknown>, msg }) };
  return { store, homes, outlook, warned, logger };
}

test('without topics.alertState, a release says which open alerts nobody will resolve', () => {
  const s = setting();
  partitionRelease({ store: s.store, homes: s.homes, snapshots: () => null, inherited: null, openAlerts: s.outlook, logger: s.logger })([1]);
  assert.equal(s.warned.length, 1);
  assert.deepEqual([s.warned[0].obj.alerts, s.warned[0].obj.open], [1, [{ series: 'b', feature: 'value' }]], 'b (p1) was firing; c (p1) was not; a stays here');
  assert.match(s.warned[0].msg, /stay firing downstream .* set topics\.alertState/);
  assert.equal(s.outlook.openAlerts, 1, 'the released series left memory (a is still open here)');
});

test('with topics.alertState, or with nothing open, the release says nothing at warn level', () => {
  const on = setting();
  partitionRelease({ store: on.store, homes: on.homes, snapshots: () => null, inherited: { release: () => undefined }, openAlerts: on.outlook, logger: on.logger })([1]);
  assert.deepEqual(on.warned, []);
  const quiet = setting();
  partitionRelease({ store: quiet.store, homes: quiet.homes, snapshots: () => null, inherited: null, openAlerts: quiet.outlook, logger: quiet.logger })([2]);
  assert.deepEqual(quiet.warned, []);
});
