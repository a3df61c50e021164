/**
 * A tick whose window read (readAtTick, phase 1) or scoring (phase 3) throws is already in its
 * window: it keeps its push's outcome, `accepted`, and its record's dead letter is counted in
 * tickcast_dlq_total, not again as a `dead_letter` outcome (since 7 Dec 2026; before, such a record
 * counted as accepted and dead_letter both). The series' next tick is forecast on a window holding it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRecord } from '../../../src/domain/types.ts';
import type { OutMessage, PipelineObserver } from '../../../src/pipeline/ports.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { StreamPipeline } from '../../../src/pipeline/stream-pipeline.ts';
import { createModelServing, SMALL_SPEC, type ModelServing } from '../http/support/model-serving.ts';

const T0 = 1_700_000_000_000;
const N = SMALL_SPEC.window + 2; // the window fills at tick window-1: forecasts are due from there on
const FAILING = SMALL_SPEC.window; // a tick with a forecast due

const rec = (i: number): RawRecord => ({
  key: Buffer.from('a'),
  value: Buffer.from(JSON.stringify({ series: 'a', ts: T0 + i * 60_000, value: 10 + Math.sin(i) })),
  headers: {},
  source: { topic: 't', partition: 0, offset: String(i) },
  receivedAtMs: 0,
});

/** `chunks` (default: the N records of `rec` in one) through a pipeline whose live hook `breakIt` gives; `merging`: two features, missing ones carried. */
async function run(breakIt: (ms: ModelServing) => PipelineObserver['live'], chunks: RawRecord[][] = [Array.from({ length: N }, (_, i) => rec(i))], merging = false): Promise<{ outcomes: string[]; dlqCounted: number; dlq: OutMessage[]; forecastTs: number[] }> {
  const features = merging ? ['temp', 'hum'] : ['value'];
  const ms = await createModelServing(merging ? { spec: { ...SMALL_SPEC, features, targets: ['temp'] } } : {});
  const live = breakIt(ms);
  const sent: OutMessage[] = [];
  const outcomes: string[] = [];
  let dlqCounted = 0;
  const pipeline = new StreamPipeline({
    store: ms.store, outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), inference: ms.inference, scorer: null,
    sink: { send: async (m: OutMessage[]) => void sent.push(...m) },
    observer: { tick: (o: string) => void outcomes.push(o), deadLetter: () => void dlqCounted++, live },
    codec: { features, maxRecordBytes: 4096, seriesPattern: /^[a-z]+$/, missingFeature: merging ? 'carry' : 'reject' },
  });
  try {
    for (const chunk of chunks) await pipeline.handle(chunk);
  } finally {
    await ms.close();
  }
  const forecastTs = sent.filter((m) => m.stream === 'forecasts').map((m) => (JSON.parse(String(m.value)) as { ts: number }).ts);
  return { outcomes, dlqCounted, dlq: sent.filter((m) => m.stream === 'dlq'), forecastTs };
}

test('a tick whose window read throws is counted once, accepted; its record is dead-lettered once; the next tick is forecast', async () => {
  const { outcomes, dlqCounted, dlq, forecastTs } = await run((ms) => {
    const stepTimes = ms.store.stepTimes.bind(ms.store);
    ms.store.stepTimes = (series, tsMs, horizon) => {
      if (tsMs === T0 + FAILING * 60_000) throw new Error('read broke');
      return stepTimes(series, tsMs, horizon);
    };
    return undefined;
  });
  assert.deepEqual(outcomes, Array(N).fill('accepted'), 'one outcome per record, none dead_letter');
  assert.equal(dlq.length, 1);
  assert.equal(dlq[0].headers['tickcast-error-code'], 'TC_RECORD_PROCESSING_FAILED');
  assert.equal(dlq[0].headers['tickcast-source-offset'], String(FAILING));
  assert.equal(dlqCounted, 1, 'the dead letter is counted in tickcast_dlq_total');
  assert.ok(!forecastTs.includes(T0 + FAILING * 60_000), 'the failed tick has no forecast');
  assert.ok(forecastTs.includes(T0 + (FAILING + 1) * 60_000), 'the next tick is forecast, on a window holding the failed one');
});

test('a tick whose scoring throws (phase 3) is counted once, accepted; its record is dead-lettered once', async () => {
  const { outcomes, dlqCounted, dlq } = await run(() => (e) => {
    if (e.type === 'tick' && e.ts === T0 + FAILING * 60_000) throw new Error('live view broke');
  });
  assert.deepEqual(outcomes, Array(N).fill('accepted'));
  assert.equal(dlq.length, 1);
  assert.match(String(dlq[0].headers['tickcast-error-message']), /live view broke/);
  assert.equal(dlqCounted, 1);
});

test('a reading merged into an earlier chunk\'s tick whose live hook throws (after its push, phase 1) is counted once, merged; its record dead-lettered once', async () => {
  // Before 7 Dec 2026 (evening) the record counted as merged and dead_letter both: the hook ran after its outcome was told.
  const at = (i: number, values: object, offset: number): RawRecord => ({ key: Buffer.from('a'), value: Buffer.from(JSON.stringify({ ts: T0 + i * 1000, values })), headers: {}, source: { topic: 't', partition: 0, offset: String(offset) }, receivedAtMs: 0 });
  const chunks = [[at(0, { temp: 20, hum: 40 }, 0), at(1, { temp: 21 }, 1)], [at(1, { hum: 41 }, 2)]]; // the second merged into tick 1, scored in the chunk before
  const { outcomes, dlqCounted, dlq } = await run(() => (e) => {
    if (e.type === 'tick' && 'merged' in e && e.merged) throw new Error('live view broke');
  }, chunks, true);
  assert.deepEqual(outcomes, ['accepted', 'accepted', 'merged'], 'one outcome per record, none dead_letter');
  assert.equal(dlq.length, 1);
  assert.equal(dlqCounted, 1);
});
