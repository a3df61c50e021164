/**
 * One owner per kind of state: every holder of per-series state (window store, series outlook,
 * anomaly detector, score gauge, fine-tuner's pairs and forecasts) forgets a series when the series
 * registry evicts it, for capacity and for idleness alike. Wired the way app.ts wires them, through
 * the real pipeline and the real (tiny, untrained) model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { StreamPipeline } from '../../../src/pipeline/stream-pipeline.ts';
import { createScorer } from '../../../src/pipeline/scorer.ts';
import type { OutMessage } from '../../../src/pipeline/ports.ts';
import type { RawRecord } from '../../../src/domain/types.ts';
import { TopKSeriesGauge } from '../../../src/domain/anomaly/index.ts';
import { FineTuner } from '../../../src/model/finetune/fine-tuner.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createModelServing, SMALL_SPEC } from '../http/support/model-serving.ts';
import { ftConfig } from '../finetune/helpers.ts';

const W = SMALL_SPEC.window;

function rec(series: string, i: number, value: number): RawRecord {
  return {
    key: Buffer.from(series),
    value: Buffer.from(JSON.stringify({ ts: 1_700_000_000_000 + i * 60_000, value })),
    headers: {},
    source: { topic: 't', partition: 0, offset: String(i) },
    receivedAtMs: 0,
  };
}

async function setup(maxSeries: number) {
  const ms = await createModelServing();
  let now = 0;
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries, idleEvictMs: 60_000, duplicatePolicy: 'drop', normHalfLifeTicks: 500 });
  const outlook = new SeriesOutlook();
  const scorer = createScorer({ maxSeries: 100 });
  const gauge = new TopKSeriesGauge({ k: 10 });
  // The fine-tuner as app.ts has it: fed by the pipeline (its learner), following the registry.
  const config = ftConfig({ windows: { length: W, maxSeries } as never, model: { horizon: SMALL_SPEC.horizon } as never });
  const tuner = new FineTuner({
    config, logger: createLogger({ level: 'silent', name: 't' }), metrics: createMetrics({ defaultMetrics: false }),
    control: {
      champion: { spec: SMALL_SPEC } as never,
      pinned: false,
      promote: async () => { throw new Error('not in this test'); },
      rollbackTo: async () => undefined,
    },
  });
  const sent: OutMessage[] = [];
  /** What the pipeline told its observer (tickcast_series_evicted_total{reason}). */
  const evictions: Array<[string, string]> = [];
  const pipeline = new StreamPipeline({
    store, outlook, recentAnomalies: new RecentAnomalies(), inference: ms.inference, scorer,
    sink: { send: async (m) => void sent.push(...m) },
    codec: { features: ['value'], maxRecordBytes: 4096, seriesPattern: /^[a-z]+$/, missingFeature: 'reject' },
    observer: { score: (s, v) => gauge.observe(s, v), evicted: (s, reason) => { gauge.forget(s); evictions.push([s, reason]); }, forget: (s) => gauge.forget(s) },
    now: () => now,
    learner: tuner,
  });
  const feed = async (series: string, from: number, n: number) => {
    const recs = Array.from({ length: n }, (_, k) => rec(series, from + k, Math.sin((from + k) / 3) + 10));
    await pipeline.handle(recs);
  };
  const holders = (s: string) => ({
    window: store.has(s),
    outlook: outlook.peek(s) !== undefined,
    detector: scorer.peek(s) !== undefined,
    gauge: gauge.select().set.some((x) => x.series === s),
    finetune: tuner.tracks(s),
  });
  return { ms, store, outlook, pipeline, feed, holders, evictions, setNow: (t: number) => (now = t), close: () => ms.close() };
}

const ALL = { window: true, outlook: true, detector: true, gauge: true, finetune: true };
const NONE = { window: false, outlook: false, detector: false, gauge: false, finetune: false };

test('capacity eviction: every holder forgets the least recently seen series', async () => {
  const t = await setup(2);
  try {
    await t.feed('a', 0, W + 4);
    t.setNow(10);
    await t.feed('b', 0, W + 4);
    assert.deepEqual(t.holders('a'), ALL, 'a is held everywhere before the cap is reached');
    t.setNow(20);
    await t.feed('c', 0, 2); // a third series: a (least recently seen) goes
    assert.deepEqual(t.holders('a'), NONE);
    assert.deepEqual(t.holders('b'), ALL);
    assert.equal(t.store.registry.evictions, 1);
    assert.deepEqual(t.evictions, [['a', 'capacity']], 'the observer is told why (the metric\'s reason="cap")');
  } finally {
    await t.close();
  }
});

test('idle eviction: every holder forgets the idle series (the scorer too, which it used not to)', async () => {
  const t = await setup(10);
  try {
    await t.feed('a', 0, W + 4);
    t.setNow(50_000);
    await t.feed('b', 0, W + 4);
    assert.deepEqual(t.holders('a'), ALL);
    assert.deepEqual(t.store.evictIdle(60_001), ['a']);
    assert.deepEqual(t.evictions, [['a', 'idle']]);
    assert.deepEqual(t.holders('a'), NONE);
    assert.deepEqual(t.holders('b'), ALL);
  } finally {
    await t.close();
  }
});

test('a series evicted later in the same chunk keeps no state anywhere (phase 3 used to bring its outlook, detector, gauge and learner state back, never to be forgotten)', async () => {
  const t = await setup(2);
  try {
    // One chunk: a's window fills and is forecast, then b and c arrive and a (least recently seen) goes.
    const recs = [...Array.from({ length: W + 4 }, (_, k) => rec('a', k, Math.sin(k / 3) + 10)), rec('b', 0, 5), rec('b', 1, 5), rec('c', 0, 7)];
    await t.pipeline.handle(recs);
    assert.deepEqual(t.evictions, [['a', 'capacity']]);
    assert.deepEqual(t.holders('a'), NONE, 'a is held nowhere once the chunk is done');
    assert.equal(t.holders('c').window, true);
    // a comes back: a fresh series, not judged against the forecast it had before it was evicted.
    t.setNow(10);
    await t.feed('a', W + 10, 1);
    assert.equal(t.holders('a').window, true);
    assert.equal(t.outlook.peek('a')?.forecast ?? null, null, 'no forecast from before the eviction to be judged against');
  } finally {
    await t.close();
  }
});
