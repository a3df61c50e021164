/**
 * input.nonNegative through the whole app: a sparse error count and a draining queue, whose
 * forecasts (cold-start baselines, the model's, fused baselines such as drift running past zero)
 * and REST predictions go below zero without it, never go below zero with it — every quantile,
 * and still ordered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';
import { isCold } from '../helpers/forecasts.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2025, 0, 1);
const N = 200;
// Errors per minute: mostly 0, a burst of 1–3 now and then (a fixed pattern, no randomness).
const errors = (k: number) => (k % 7 === 3 ? 1 + (k % 3) : k % 11 === 5 ? 1 : 0);
// A queue draining by 5 a minute, empty for good from tick 200 on.
const queue = (k: number) => Math.max(0, 1000 - 5 * k);

function records(from: number, to: number): RawRecord[] {
  const out: RawRecord[] = [];
  for (let k = from; k < to; k++) {
    for (const [series, value] of [['errors', errors(k)], ['queue', queue(k)]] as const) {
      const body = Buffer.from(JSON.stringify({ series, ts: T0 + k * 60_000, value }));
      out.push({ key: Buffer.from(series), value: body, headers: {}, source: { topic: 'ticks', partition: 0, offset: String(2 * k + (series === 'queue' ? 1 : 0)) }, receivedAtMs: Date.now() });
    }
  }
  return out;
}

type Step = Record<string, number>;
const quantiles = (steps: Step[]) => steps.flatMap((s) => [s.p10, s.p50, s.p90]);

async function run(nonNegative: string[]) {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ input: { nonNegative } }, { sink, source: idleSource });
  try {
    for (let k = 0; k < N; k += 20) await app.pipeline.handle(records(k, k + 20));
    const forecasts = sent.filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)));
    const window = Array.from({ length: TEST_WINDOW }, (_, k) => queue(200 - TEST_WINDOW + k)); // the queue's last minutes, down to 5
    const res = await fetch(`${app.address()}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ window }) });
    assert.equal(res.status, 200);
    return { forecasts, predicted: (await res.json()).horizon as Step[] };
  } finally {
    await app.stop();
  }
}

test('forecasts of a non-negative feature never go below zero: cold, model, fused baselines and REST', async () => {
  const off = await run([]);
  const on = await run(['value']);
  // The premise: without the setting, each kind of forecast goes below zero on these series.
  const below = (fs: Array<{ horizon: Step[] }>) => fs.some((f) => quantiles(f.horizon).some((v) => v < 0));
  assert.ok(below(off.forecasts.filter(isCold)), 'a cold-start baseline band goes below zero without input.nonNegative');
  assert.ok(below(off.forecasts.filter((f) => !isCold(f) && !String(f.model).startsWith('baseline:'))), 'a model forecast goes below zero without it');
  assert.ok(below(off.forecasts.filter((f) => f.model === 'baseline:drift')), 'the fused drift line runs below zero without it');
  assert.ok(quantiles(off.predicted).some((v) => v < 0), 'a REST prediction goes below zero without it');

  assert.equal(on.forecasts.length, off.forecasts.length, 'the setting changes values, not how many forecasts');
  for (const f of on.forecasts) {
    for (const s of f.horizon as Step[]) {
      assert.ok(s.p10 >= 0 && s.p10 <= s.p50 && s.p50 <= s.p90, `${f.series} ${f.model} step ${s.step}: ${s.p10} / ${s.p50} / ${s.p90}`);
    }
  }
  assert.ok(on.forecasts.some((f) => f.model === 'baseline:drift' && f.horizon.at(-1).p50 === 0), 'the drained queue is served a drift line that stops at zero');
  assert.ok(on.predicted.every((s) => s.p10 >= 0 && s.p10 <= s.p50 && s.p50 <= s.p90), JSON.stringify(on.predicted));
  // Forecasts above zero are left as they were: the first model forecast of the queue (far above zero) is the same.
  const firstModel = (fs: Array<{ series: string; model: string; horizon: Step[] }>) => fs.find((f) => f.series === 'queue' && !isCold(f))!.horizon;
  assert.deepEqual(firstModel(on.forecasts), firstModel(off.forecasts));
});

test('input.nonNegative must name input features', async () => {
  await assert.rejects(startTestApp({ input: { nonNegative: ['count'] } }), /input\.nonNegative.*"count" is not one of input\.features \(value\)/s);
});
