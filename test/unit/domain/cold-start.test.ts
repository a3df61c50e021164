import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBaselineModel, probit, seasonalNaive } from '../../../src/domain/cold-start.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';
import type { RawRecord } from '../../../src/domain/types.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { StreamPipeline } from '../../../src/pipeline/stream-pipeline.ts';
import type { OutMessage } from '../../../src/pipeline/ports.ts';
import { createModelServing, SMALL_SPEC } from '../http/support/model-serving.ts';

const Q = [0.1, 0.5, 0.9];

test('probit: the normal quantiles the band is built from', () => {
  assert.equal(probit(0.5), 0);
  assert.ok(Math.abs(probit(0.9) - 1.2815515655) < 1e-6);
  assert.ok(Math.abs(probit(0.025) + 1.959963985) < 1e-6);
  assert.ok(Math.abs(probit(0.001) + 3.090232306) < 1e-6);
  assert.equal(probit(0.1), -probit(0.9));
});

test('naive: repeats the last value, band from the one-step errors, widening with √h', () => {
  const r = seasonalNaive([1, 3, 2, 4], { seasonTicks: 1, minTicks: 2 }, 4, Q, [1010, 1020, 1030, 1040])!;
  assert.equal(r.model, 'baseline:naive');
  const sigma = Math.sqrt((4 + 1 + 4) / 3); // errors 2, −1, 2
  r.steps.forEach((s, i) => {
    assert.equal(s.step, i + 1);
    assert.equal(s.ts, 1000 + (i + 1) * 10);
    assert.equal(s.p50, 4);
    assert.ok(Math.abs(s.p90 - 4 - 1.2815515655 * sigma * Math.sqrt(i + 1)) < 1e-5);
    assert.ok(Math.abs(s.p50 - s.p10 - (s.p90 - s.p50)) < 1e-9, 'symmetric');
  });
  assert.equal(seasonalNaive([5], { seasonTicks: 1, minTicks: 2 }, 4, Q, []), null, 'one tick: no band yet');
  assert.equal(seasonalNaive([5, 6, 7], { seasonTicks: 1, minTicks: 4 }, 4, Q, []), null, 'minTicks');
});

test('seasonal naive: each step repeats the value one season earlier; naive until a season is known', () => {
  const season = [10, 20, 30, 40];
  const r = seasonalNaive([...season, ...season, 11, 21, 31, 41], { seasonTicks: 4, minTicks: 2 }, 6, Q, [])!;
  assert.equal(r.model, 'baseline:seasonal-naive');
  assert.deepEqual(r.steps.map((s) => s.p50), [11, 21, 31, 41, 11, 21]);
  assert.ok(r.steps[4].p90 - r.steps[4].p50 > r.steps[3].p90 - r.steps[3].p50, 'second season wider');
  assert.equal(seasonalNaive([10, 20, 30], { seasonTicks: 4, minTicks: 2 }, 2, Q, [])!.model, 'baseline:naive');
  assert.ok(isBaselineModel('baseline:naive') && !isBaselineModel('v3'));
});

function rec(i: number, value: number): RawRecord {
  return { key: Buffer.from('new'), value: Buffer.from(JSON.stringify({ ts: 1_700_000_000_000 + i * 60_000, value })), headers: {}, source: { topic: 't', partition: 0, offset: String(i) }, receivedAtMs: 0 };
}

async function run(coldStart: { seasonTicks: number; minTicks: number } | null, ticks: number) {
  const ms = await createModelServing();
  const W = SMALL_SPEC.window;
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 500 });
  const outlook = new SeriesOutlook();
  const sent: OutMessage[] = [];
  const pipeline = new StreamPipeline({
    store, outlook, recentAnomalies: new RecentAnomalies(), inference: ms.inference, scorer: null, coldStart,
    sink: { send: async (m) => void sent.push(...m) },
    codec: { features: ['value'], maxRecordBytes: 4096, seriesPattern: /^[a-z]+$/, missingFeature: 'reject' },
  });
  const modelAt: Array<string | null> = [];
  for (let i = 0; i < ticks; i++) {
    await pipeline.handle([rec(i, 50 + 5 * Math.sin(i / 3))]);
    modelAt.push(outlook.peek('new')?.forecast?.model ?? null);
  }
  await ms.close();
  return { forecasts: sent.filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value))), modelAt, W };
}

test('pipeline: a cold series gets baseline forecasts, marked, until its window fills; then the model', async () => {
  const { forecasts, modelAt, W } = await run({ seasonTicks: 1, minTicks: 2 }, W_PLUS(3));
  const cold = forecasts.filter((f) => isBaselineModel(f.model));
  const model = forecasts.filter((f) => !isBaselineModel(f.model));
  assert.equal(cold.length, W - 2, 'one per tick from the 2nd to the (W−1)th');
  assert.equal(model.length, 4, 'ticks W … W+3: one model forecast each, as without the baseline');
  assert.ok(cold.every((f) => f.model === 'baseline:naive' && f.horizon.length === SMALL_SPEC.horizon));
  assert.ok(Math.max(...cold.map((f) => f.ts)) < Math.min(...model.map((f) => f.ts)), 'the model takes over when the window fills');
  assert.deepEqual(modelAt.slice(0, W - 1), Array(W - 1).fill(null), 'the baseline is never the detector\'s expectation');
});

test('pipeline: cold start off (coldStart null) → no baseline forecasts, model forecasts unchanged', async () => {
  const { forecasts } = await run(null, W_PLUS(3));
  assert.equal(forecasts.filter((f) => isBaselineModel(f.model)).length, 0);
  assert.equal(forecasts.length, 4);
});

function W_PLUS(n: number): number {
  return SMALL_SPEC.window + n;
}
