/**
 * The inference stage reads `retriable`: a batch that fails with a retriable error because its
 * model went away (disposed under it) runs once more on the model that serves now, one whose
 * serving thread died or hung runs once more on the same model; a non-retriable error, a second
 * failure, or a disposed model still serving reaches the callers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceStage } from '../../../src/pipeline/inference.ts';
import type { PredictBatch, Predictor } from '../../../src/pipeline/ports.ts';
import type { ModelSpec } from '../../../src/domain/types.ts';
import { ErrorCodes, TickcastError } from '../../../src/errors/index.ts';

const spec: ModelSpec = { window: 2, features: ['value'], targets: ['value'], horizon: 1, quantiles: [0.1, 0.5, 0.9] };

/** A predictor whose answer is its own number; `fail` decides whether (and how) a call fails. */
function predictor(version: string, fail: () => TickcastError | null): Predictor & { calls: number } {
  return {
    spec,
    version,
    engine: 'test',
    backend: 'test',
    calls: 0,
    async predict(b: PredictBatch) {
      this.calls++;
      const err = fail();
      if (err) throw err;
      return { y: new Float32Array(b.batch * 3).fill(Number(version.slice(1))) };
    },
    async dispose() {},
  };
}

const gone = () => new TickcastError(ErrorCodes.MODEL_NOT_LOADED, 'model has been disposed; use the current predictor', { retriable: true });

test('a retriable failure from a replaced model is retried once on the serving one', async () => {
  const ref: { stage?: InferenceStage } = {};
  const v2 = predictor('v2', () => null);
  // v1 is replaced while its call is running and then reports that it was disposed.
  const v1 = predictor('v1', () => {
    ref.stage!.swap(v2, { keepOld: true });
    return gone();
  });
  const stage = (ref.stage = new InferenceStage(v1, { maxBatchSize: 4, maxWaitMs: 1, maxInFlightBatches: 1 }));
  const r = await stage.submit({ x: new Float32Array(2) });
  assert.equal(r.model, 'v2');
  assert.equal(r.y[0], 2);
  assert.deepEqual([v1.calls, v2.calls], [1, 1]);
  await stage.close();
});

test('no retry for a non-retriable error, nor when the failing model still serves', async () => {
  const bad = predictor('v1', () => new TickcastError(ErrorCodes.MODEL_INPUT_SHAPE, 'bad shape'));
  const s1 = new InferenceStage(bad, { maxBatchSize: 4, maxWaitMs: 1, maxInFlightBatches: 1 });
  await assert.rejects(s1.submit({ x: new Float32Array(2) }), /bad shape/);
  assert.equal(bad.calls, 1);
  await s1.close();
  const still = predictor('v1', gone);
  const s2 = new InferenceStage(still, { maxBatchSize: 4, maxWaitMs: 1, maxInFlightBatches: 1 });
  await assert.rejects(s2.submit({ x: new Float32Array(2) }), /disposed/);
  assert.equal(still.calls, 1);
  await s2.close();
});

test('a serving thread that died or hung (ENGINE_UNAVAILABLE) costs one retry on the same model, not the batch', async () => {
  let failures = 1;
  const thread = () => new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, 'an ONNX serving thread exited (code 1)', { retriable: true });
  const pool = predictor('v3', () => (failures-- > 0 ? thread() : null));
  const stage = new InferenceStage(pool, { maxBatchSize: 4, maxWaitMs: 1, maxInFlightBatches: 1 });
  const r = await stage.submit({ x: new Float32Array(2) });
  assert.equal(r.y[0], 3);
  assert.equal(pool.calls, 2);
  failures = 2;
  await assert.rejects(stage.submit({ x: new Float32Array(2) }), /serving thread exited/, 'a second failure reaches the caller');
  assert.equal(pool.calls, 4);
  await stage.close();
});
