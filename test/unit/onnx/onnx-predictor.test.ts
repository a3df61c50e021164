/**
 * OnnxPredictor (the Predictor port over onnxruntime) and the engine choice with its tfjs fallback.
 * The "tfjs" side here is the float64 reference wrapped as a Predictor, so these tests need no
 * tfjs backend; parity-tfjs.test.ts covers the real tfjs model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelSpec } from '../../../src/domain/types.ts';
import type { PredictBatch, Predictor } from '../../../src/pipeline/ports.ts';
import { resolveHybridConfig } from '../../../src/model/config.ts';
import { OnnxPredictor } from '../../../src/model/onnx/onnx-predictor.ts';
import { createInferenceEngine } from '../../../src/model/onnx/engine.ts';
import { exportOnnx } from '../../../src/model/onnx/export-hybrid.ts';
import type { WeightMap } from '../../../src/model/weight-names.ts';
import { maxAbsDiff, randomWeights, sineWindows } from './fixtures.ts';
import { referenceForward } from './reference-forward.ts';

const config = resolveHybridConfig({ dModel: 8, transformer: { layers: 1, heads: 2 } });
const spec: ModelSpec = { window: 12, features: ['a', 'b'], targets: ['b'], horizon: 3, quantiles: [0.1, 0.5, 0.9] };
const weights = randomWeights(config, spec, 5);

/** The float64 reference as a Predictor (stands in for tfjs: an independent implementation). */
function referencePredictor(w: WeightMap, disposed: { count: number }): Predictor {
  return {
    spec,
    version: 'ref',
    engine: 'tfjs',
    backend: 'reference',
    async predict(b: PredictBatch, opts?: { attention?: boolean }) {
      const r = referenceForward(w, config, spec, b.x, b.batch);
      return opts?.attention ? { y: Float32Array.from(r.y), attention: Float32Array.from(r.attention) } : { y: Float32Array.from(r.y) };
    },
    async dispose() {
      disposed.count++;
    },
  };
}

test('OnnxPredictor serves the Predictor port: engine onnx on cpu, forecasts match the reference', async () => {
  const p = await OnnxPredictor.fromWeights(weights, config, { spec, version: 'v1', intraOpThreads: 1 });
  try {
    assert.equal(p.engine, 'onnx');
    assert.equal(p.backend, 'cpu'); // no CUDA provider library on this machine
    assert.equal(p.version, 'v1');
    const x = sineWindows(5, 12, 2, 1);
    const ref = referenceForward(weights, config, spec, x, 5);
    const withAtt = await p.predict({ x, batch: 5 }, { attention: true });
    assert.equal(withAtt.y.length, 5 * 3 * 1 * 3);
    assert.ok(maxAbsDiff(withAtt.y, ref.y) < 1e-4);
    assert.ok(maxAbsDiff(withAtt.attention!, ref.attention) < 1e-4);
    const plain = await p.predict({ x, batch: 5 });
    assert.equal(plain.attention, undefined);
    assert.deepEqual(plain.y, withAtt.y);
  } finally {
    await p.dispose();
  }
});

test('a wrongly sized batch is refused with TC_MODEL_INPUT_SHAPE and the expected layout', async () => {
  const p = await OnnxPredictor.fromWeights(weights, config, { spec, version: 'v1' });
  try {
    await assert.rejects(p.predict({ x: new Float32Array(10), batch: 1 }), (e: any) => e.code === 'TC_MODEL_INPUT_SHAPE' && /must hold batch × 12 × 2 values; got 10 values for batch 1/.test(e.message));
  } finally {
    await p.dispose();
  }
});

test('dispose() waits for in-flight runs, then refuses new ones; calling it twice is safe', async () => {
  const p = await OnnxPredictor.fromWeights(weights, config, { spec, version: 'v1' });
  const x = sineWindows(256, 12, 2, 3);
  const runs = [p.predict({ x, batch: 256 }), p.predict({ x, batch: 256 }, { attention: true })];
  assert.equal(p.inFlightCount, 2);
  const first = p.dispose();
  assert.equal(p.dispose(), first);
  // 503 (not the default 500) like the tfjs predictor's, until 7 Dec 2026 a 500 when it reached an HTTP caller.
  await assert.rejects(p.predict({ x, batch: 256 }), (e: any) => e.code === 'TC_MODEL_NOT_LOADED' && e.retriable === true && e.statusCode === 503);
  const results = await Promise.all(runs);
  for (const r of results) assert.equal(r.y.length, 256 * 3 * 3);
  await first;
  assert.equal(p.inFlightCount, 0);
});

test('engine auto picks onnx after a passing parity check and disposes the tfjs referee', async () => {
  const disposed = { count: 0 };
  const logs: string[] = [];
  const eng = await createInferenceEngine({
    engine: 'auto', weights, config, spec, version: 'v2',
    tfjs: () => referencePredictor(weights, disposed),
    log: (_l, msg) => logs.push(msg),
  });
  try {
    assert.equal(eng.predictor.engine, 'onnx');
    assert.equal(eng.fallbackReason, undefined);
    assert.ok(eng.parityMaxAbsDiff! < 1e-4);
    assert.equal(disposed.count, 1);
    assert.ok(logs.some((m) => /inference engine: onnx \(cpu\)/.test(m)));
  } finally {
    await eng.predictor.dispose();
  }
});

test('engine falls back to tfjs with a logged reason when the ONNX output disagrees', async () => {
  const disposed = { count: 0 };
  const other = randomWeights(config, spec, 99); // the tfjs side serves different weights
  const logs: { level: string; msg: string }[] = [];
  const eng = await createInferenceEngine({
    engine: 'onnx', weights, config, spec, version: 'v3',
    tfjs: () => referencePredictor(other, disposed),
    log: (level, msg) => logs.push({ level, msg }),
  });
  assert.equal(eng.predictor.engine, 'tfjs');
  assert.match(eng.fallbackReason!, /differs from tfjs by [\d.e-]+ \(> 0.001\)/);
  assert.ok(logs.some((l) => l.level === 'warn' && /inference engine: tfjs/.test(l.msg)));
  await eng.predictor.dispose();
});

test('engine opens a session on bytes exported elsewhere; a failed export there is done here instead', async () => {
  const disposed = { count: 0 };
  const other = randomWeights(config, spec, 99);
  // Bytes of other weights: the parity check against `weights` refuses them, which shows they were used.
  const foreign = await createInferenceEngine({ engine: 'onnx', weights, config, spec, version: 'v5', onnxBytes: async () => exportOnnx(other, config, spec), tfjs: () => referencePredictor(weights, disposed) });
  assert.equal(foreign.predictor.engine, 'tfjs');
  assert.match(foreign.fallbackReason!, /differs from tfjs/);
  await foreign.predictor.dispose();
  const logs: { level: string; msg: string }[] = [];
  const failed = await createInferenceEngine({
    engine: 'onnx', weights, config, spec, version: 'v6',
    onnxBytes: async () => {
      throw new Error('trainer gone');
    },
    tfjs: () => referencePredictor(weights, disposed),
    log: (level, msg) => logs.push({ level, msg }),
  });
  try {
    assert.equal(failed.predictor.engine, 'onnx');
    assert.ok(logs.some((l) => l.level === 'warn' && /export elsewhere failed \(.*trainer gone\); exporting here/.test(l.msg)), JSON.stringify(logs));
  } finally {
    await failed.predictor.dispose();
  }
});

test('engine falls back to tfjs when onnxruntime cannot build the session, and tfjs is used as asked', async () => {
  const disposed = { count: 0 };
  const { ['head/bias']: _gone, ...broken } = weights;
  const eng = await createInferenceEngine({ engine: 'auto', weights: broken, config, spec, version: 'v4', tfjs: () => referencePredictor(weights, disposed) });
  assert.equal(eng.predictor.engine, 'tfjs');
  assert.match(eng.fallbackReason!, /onnxruntime unavailable: .*"head\/bias" is missing/);
  const asked = await createInferenceEngine({ engine: 'tfjs', weights, config, spec, version: 'v4', tfjs: () => referencePredictor(weights, disposed) });
  assert.equal(asked.predictor.engine, 'tfjs');
  assert.equal(asked.fallbackReason, undefined);
});

test('a batch larger than maxRunBatch runs in chunks and returns the same numbers as one run', async () => {
  const chunked = await OnnxPredictor.fromWeights(weights, config, { spec, version: 'v1', maxRunBatch: 4 });
  const whole = await OnnxPredictor.fromWeights(weights, config, { spec, version: 'v1', maxRunBatch: 1000 });
  try {
    assert.equal(chunked.maxRunBatch, 4);
    const x = sineWindows(11, 12, 2, 8); // 4 + 4 + 3
    const a = await chunked.predict({ x: x.slice(), batch: 11 }, { attention: true });
    const b = await whole.predict({ x, batch: 11 }, { attention: true });
    assert.equal(a.y.length, 11 * 3 * 3);
    assert.ok(maxAbsDiff(a.y, b.y) < 1e-6);
    assert.ok(maxAbsDiff(a.attention!, b.attention!) < 1e-6);
    const ref = referenceForward(weights, config, spec, x, 11);
    assert.ok(maxAbsDiff(a.y, ref.y) < 1e-4);
  } finally {
    await chunked.dispose();
    await whole.dispose();
  }
});

test('the caller may overwrite its input buffer as soon as predict() returns', async () => {
  const p = await OnnxPredictor.fromWeights(weights, config, { spec, version: 'v1' });
  try {
    const x = sineWindows(3, 12, 2, 9);
    const expected = referenceForward(weights, config, spec, x, 3).y;
    const pending = p.predict({ x, batch: 3 });
    x.fill(1e3); // reused by the caller before onnxruntime has read it
    assert.ok(maxAbsDiff((await pending).y, expected) < 1e-4);
  } finally {
    await p.dispose();
  }
});
