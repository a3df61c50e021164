/**
 * A reading merged into its series' last tick (tick-again.ts) is scored as a reading of that tick
 * (src/pipeline/accepted.ts mergeReading): its tick still to be scored in this poll gets the
 * reading; one scored in an earlier poll gets a score-only entry with just the merged features,
 * against the expectation that tick was scored with (SeriesOutlook.expectationsAt).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeReading, type Accepted } from '../../../src/pipeline/accepted.ts';
import { hold, readAll, readBefore, type PendingRead, type Reads } from '../../../src/pipeline/tick-reads.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';
import type { ForecastStep, RawRecord, Tick } from '../../../src/domain/types.ts';

const rec = { key: null, value: null, headers: {}, source: { topic: 't', partition: 0, offset: '0' }, receivedAtMs: 0 } as unknown as RawRecord;
const tick = (series: string, tsMs: number, values: number[]): Tick => ({ series, tsMs, values: Float64Array.from(values) }) as unknown as Tick;
const entry = (t: Tick): Accepted => ({ tick: t, rec, job: null, stats: null, times: [], closed: [], suppressed: false, view: null, quiet: false, baselines: null, filled: 0, eventMs: t.tsMs });

test('WindowStore.push names the features a merged record brought; under replace not those the tick had', () => {
  const s = new WindowStore({ window: 4, features: 2, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'replace', normHalfLifeTicks: 20 });
  s.push('d', 10, [1, 2], 0);
  s.push('d', 20, [3, Number.NaN], 0);
  const r = s.push('d', 20, [9, 4], 0);
  assert.deepEqual([r.outcome, r.merged], ['merged', [1]]);
});

test('mergeReading: the tick in this poll gets the reading; a tick scored before gets a score-only entry of the merged features', () => {
  const own = entry(tick('d', 20, [3, Number.NaN]));
  const accepted = [own, entry(tick('e', 20, [5, 6]))];
  assert.equal(mergeReading(accepted, tick('d', 20, [9, 4]), rec, false, [1]), false, 'its tick event is still to come');
  assert.equal(accepted.length, 2);
  assert.deepEqual(Array.from(own.tick.values), [3, 4], 'the merged reading only: 9 (a repeat under replace) is not scored again');
  const later: Accepted[] = [];
  assert.equal(mergeReading(later, tick('d', 30, [9, 4]), rec, true, [1]), true);
  assert.equal(later[0].merged, true);
  assert.equal(later[0].quiet, true);
  assert.deepEqual(Array.from(later[0].tick.values), [Number.NaN, 4]);
});

test('SeriesOutlook.expectationsAt: the step the last tick was scored against; none once a forecast was made at that tick', () => {
  const step = (k: number, v: number): ForecastStep => ({ step: k, ts: 100 + k * 60, p10: v - 1, p50: v, p90: v + 1 });
  const o = new SeriesOutlook();
  o.setForecast('d', { ts: 100, model: 'm', horizon: [step(1, 10), step(2, 20)] });
  o.nextExpectations('d'); // tick 160
  const at220 = o.nextExpectations('d');
  assert.deepEqual(o.expectationsAt('d', 220), at220);
  assert.deepEqual(o.expectationsAt('d', 220), [step(2, 20)], 'read again, not moved on');
  o.setForecast('d', { ts: 220, model: 'm', horizon: [step(1, 30)] });
  assert.equal(o.expectationsAt('d', 220), null);
  assert.equal(o.expectationsAt('x', 220), null);
});

test('readBefore: a series\' window is read before its next tick, not before a record at its tick\'s ts; every window before a new series at the cap (it may evict one)', () => {
  const read: string[] = [];
  const reads: Reads = { defer: true, pending: new Map(), read: (p: PendingRead) => void read.push(`${p.accepted.tick.series}@${p.tsMs}`) };
  const put = (series: string, tsMs: number) => hold(reads, series, { tsMs, accepted: entry(tick(series, tsMs, [1])), ready: true });
  const registry = { has: (s: string) => ['d', 'e'].includes(s), size: 2, maxSeries: 3 };
  put('d', 20);
  put('e', 20);
  readBefore(reads, 'd', 20, registry); // a reading for d's tick: merged into it, so not read yet
  readBefore(reads, 'f', 20, registry); // a new series below the cap evicts none
  assert.deepEqual(read, []);
  readBefore(reads, 'd', 30, registry);
  assert.deepEqual(read, ['d@20']);
  readBefore(reads, 'g', 30, { ...registry, size: 3 });
  assert.deepEqual(read, ['d@20', 'e@20'], 'at the cap: all read before the push that may evict one');
  put('d', 30);
  readAll(reads);
  assert.deepEqual(read, ['d@20', 'e@20', 'd@30']);
  assert.equal(reads.pending.size, 0);
  // Without input.missingFeature carry nothing can be merged into a tick: each is read as it comes.
  const now: Reads = { ...reads, defer: false, pending: new Map() };
  hold(now, 'd', { tsMs: 40, accepted: entry(tick('d', 40, [1])), ready: true });
  assert.deepEqual(read.at(-1), 'd@40');
  assert.equal(now.pending.size, 0);
});
