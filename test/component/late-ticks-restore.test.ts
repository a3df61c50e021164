/**
 * A series' late-tick count (GET /v1/series/{id} `lateTicks`) across a restart's replay: records
 * replayed to rebuild windows (plain warm-up: already handled live, counted then) add nothing; the
 * tail after a series-state snapshot (full warm-up: handled live after the snapshot's count was
 * taken) adds its late ticks again, so the count comes back to what it was; live ones count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2026, 11, 1);
const MIN = 60_000;

test('late ticks in a restart\'s replay: a window rebuild counts none, a snapshot tail counts its own, live ones count', async () => {
  const app = await startTestApp({}, { sink: { send: async () => {} }, source: idleSource });
  try {
    let offset = 0;
    const rec = (series: string, k: number, mode: 'live' | 'plain' | 'full'): RawRecord => ({
      key: Buffer.from(series),
      value: Buffer.from(JSON.stringify({ ts: T0 + k * MIN, value: 50 + (k % 7) })),
      headers: {},
      source: { topic: 'ticks', partition: 0, offset: String(offset++) },
      receivedAtMs: T0 + k * MIN,
      ...(mode === 'live' ? {} : { warmup: true }),
      ...(mode === 'full' ? { warmupFull: true } : {}),
    });
    // Each series' ticks 0…39 in order, with ticks 10, 11 and 12 re-sent after tick 39 (late).
    const feed = (series: string, mode: 'live' | 'plain' | 'full') => [...Array.from({ length: 40 }, (_, k) => rec(series, k, mode)), ...[10, 11, 12].map((k) => rec(series, k, mode))];
    await app.pipeline.handle(feed('rebuilt', 'plain'));
    await app.pipeline.handle(feed('tail', 'full'));
    await app.pipeline.handle(feed('live', 'live'));
    const late = async (series: string) => ((await (await fetch(`${app.address()}/v1/series/${series}`)).json()) as { lateTicks?: number }).lateTicks;
    assert.equal(await late('rebuilt'), 0, 'a window rebuild\'s late ticks were counted when they came live');
    assert.equal(await late('tail'), 3);
    assert.equal(await late('live'), 3);
    await app.pipeline.handle([rec('rebuilt', 5, 'live')]);
    assert.equal(await late('rebuilt'), 1, 'a live late tick after the rebuild counts');
  } finally {
    await app.stop();
  }
});
