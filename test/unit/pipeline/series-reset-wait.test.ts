/**
 * A series reset answers within its wait even when the brokers are down (7 Dec 2026, night): the
 * resolves' send and the snapshot wait for chunks in flight and their acks, which then take the
 * producer's message.timeout.ms (300 s). Before, the HTTP answer waited as long: a proxy timed out,
 * the client retried and got 404. Now what is not done within `waitMs` goes on and is answered false.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resetSeries, type SeriesResetParts } from '../../../src/pipeline/series-reset.ts';

function parts(over: Partial<SeriesResetParts>): { p: SeriesResetParts; deleted: string[] } {
  const held = new Set(['dev:temp']);
  const deleted: string[] = [];
  const p: SeriesResetParts = {
    store: { has: (id: string) => held.has(id), delete: (id: string) => (deleted.push(id), held.delete(id)) } as SeriesResetParts['store'],
    openAlerts: { openFeatures: () => ['value'] },
    ...over,
  };
  return { p, deleted };
}

const never = <T>(started: string[], what: string) => () => (started.push(what), new Promise<T>(() => undefined));

test('a reset whose resolves and snapshot never finish answers after waitMs, both not confirmed, both still started', { timeout: 20_000 }, async () => {
  const started: string[] = [];
  const { p, deleted } = parts({ flush: never<number>(started, 'flush'), persist: never<unknown>(started, 'persist'), waitMs: 50 });
  const res = await resetSeries(p, 'dev:temp');
  assert.deepEqual(deleted, ['dev:temp'], 'the series is forgotten');
  assert.deepEqual(res, { series: 'dev:temp', resolvedAlerts: ['value'], resolvesSent: false, snapshotWritten: false });
  assert.deepEqual(started, ['flush', 'persist'], 'the snapshot is requested even when the flush did not finish in time');
});

test('a reset whose flush and snapshot finish in time answers both true', async () => {
  const { p } = parts({ flush: async () => 1, persist: async () => ({ series: 0, bytes: 10 }), waitMs: 10_000 });
  const res = await resetSeries(p, 'dev:temp');
  assert.equal(res?.resolvesSent, true);
  assert.equal(res?.snapshotWritten, true);
});

test('a failed flush is false, a snapshot with nothing to capture (null) is false', async () => {
  const { p } = parts({ flush: async () => { throw new Error('down'); }, persist: async () => null });
  const res = await resetSeries(p, 'dev:temp');
  assert.equal(res?.resolvesSent, false);
  assert.equal(res?.snapshotWritten, false);
});
