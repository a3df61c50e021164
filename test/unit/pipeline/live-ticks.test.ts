/**
 * Live tick events (the dashboard's SSE stream) from the stream pipeline: an observer that says it
 * has no subscriber (`subscribers` 0) is spared building them — one object per tick — and gets
 * them again once one subscribes; one that does not say (no `subscribers`) gets every one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRecord } from '../../../src/domain/types.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { StreamPipeline } from '../../../src/pipeline/stream-pipeline.ts';
import type { LiveEvent, PipelineObserver } from '../../../src/pipeline/ports.ts';
import { createModelServing, SMALL_SPEC } from '../http/support/model-serving.ts';

const T0 = 1_700_000_000_000;

const rec = (i: number): RawRecord => ({ key: Buffer.from('s'), value: Buffer.from(JSON.stringify({ ts: T0 + i * 1000, value: 20 + (i % 5) })), headers: {}, source: { topic: 't', partition: 0, offset: String(i) }, receivedAtMs: 0 });

async function ticksSeen(observer: PipelineObserver & { events: LiveEvent[] }, listening: (i: number) => void, n = 6, type: LiveEvent['type'] = 'tick'): Promise<number[]> {
  const ms = await createModelServing({});
  const pipeline = new StreamPipeline({
    store: ms.store, outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), inference: ms.inference, scorer: null,
    sink: { send: async () => {} }, observer,
    codec: { features: ['value'], maxRecordBytes: 4096, seriesPattern: /^[a-z]+$/, missingFeature: 'reject' },
  });
  try {
    for (let i = 0; i < n; i++) {
      listening(i);
      await pipeline.handle([rec(i)]);
    }
  } finally {
    await ms.close();
  }
  return observer.events.filter((e) => e.type === type).map((e) => ((e as { ts: number }).ts - T0) / 1000);
}

test('live tick events: none built while the observer has no subscriber, every one while it has, and always for an observer that does not count', async () => {
  const counting = { events: [] as LiveEvent[], subscribers: 0, live(e: LiveEvent) { this.events.push(e); } };
  assert.deepEqual(await ticksSeen(counting, (i) => void (counting.subscribers = i >= 3 ? 1 : 0)), [3, 4, 5]);
  const plain = { events: [] as LiveEvent[], live(e: LiveEvent) { this.events.push(e); } };
  assert.deepEqual(await ticksSeen(plain, () => {}), [0, 1, 2, 3, 4, 5]);
});

test('live forecast events: none built while the observer has no subscriber (one object and three spreads a forecast), every one while it has, and always for an observer that does not count', async () => {
  // SMALL_SPEC's window is 32: ticks 31 … 35 are forecast.
  const counting = { events: [] as LiveEvent[], subscribers: 0, live(e: LiveEvent) { this.events.push(e); } };
  assert.deepEqual(await ticksSeen(counting, (i) => void (counting.subscribers = i >= 33 ? 1 : 0), 36, 'forecast'), [33, 34, 35]);
  const plain = { events: [] as LiveEvent[], live(e: LiveEvent) { this.events.push(e); } };
  assert.deepEqual(await ticksSeen(plain, () => {}, 36, 'forecast'), [31, 32, 33, 34, 35]);
});

test('a reading merged into a tick of the same chunk is told with that tick (never a carried tick after its reading); one merged into a tick of an earlier chunk is told as that tick again, merged', async () => {
  const spec = { ...SMALL_SPEC, features: ['temp', 'hum'], targets: ['temp'] };
  const ms = await createModelServing({ spec });
  const observer = { events: [] as LiveEvent[], subscribers: 1, live(e: LiveEvent) { this.events.push(e); } };
  const pipeline = new StreamPipeline({
    store: ms.store, outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), inference: ms.inference, scorer: null,
    sink: { send: async () => {} }, observer,
    codec: { features: ['temp', 'hum'], maxRecordBytes: 4096, seriesPattern: /^[a-z]+$/, missingFeature: 'carry' },
  });
  const at = (i: number, body: object, offset: number): RawRecord => ({ key: Buffer.from('s'), value: Buffer.from(JSON.stringify({ ts: T0 + i * 1000, values: body })), headers: {}, source: { topic: 't', partition: 0, offset: String(offset) }, receivedAtMs: 0 });
  try {
    await pipeline.handle([at(0, { temp: 20, hum: 40 }, 0)]);
    // A bridge publishing one record per reading: both records of tick 1 (and of tick 2) in one chunk.
    await pipeline.handle([at(1, { temp: 21 }, 1), at(1, { hum: 41 }, 2), at(2, { temp: 22 }, 3), at(2, { hum: 42 }, 4)]);
    // The two records of tick 3 in two chunks.
    await pipeline.handle([at(3, { temp: 23 }, 5)]);
    await pipeline.handle([at(3, { hum: 43 }, 6)]);
  } finally {
    await ms.close();
  }
  const told = observer.events.filter((e) => e.type === 'tick').map((e) => {
    const t = e as { ts: number; values?: Record<string, number>; merged?: true };
    return `${(t.ts - T0) / 1000}${t.merged ? ' merged' : ''} hum=${JSON.stringify(t.values?.hum ?? null)}`;
  });
  assert.deepEqual(told, ['0 hum=40', '1 hum=41', '2 hum=42', '3 hum=null', '3 merged hum=43']);
});
