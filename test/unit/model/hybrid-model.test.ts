import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../../../src/model/hybrid-model.ts';
import { TfjsPredictor } from '../../../src/model/predictor.ts';
import { resolveHybridConfig, resolveHiddenSize } from '../../../src/model/config.ts';
import { weightSpecs } from '../../../src/model/weight-names.ts';
import { TINY_CONFIG, TINY_SPEC, backend, randomWindows } from './helpers.ts';

describe('HybridModel', () => {
  let backendName = '';
  before(async () => {
    backendName = await backend();
  });

  it('resolves hidden size auto = round(1.5·D)', () => {
    assert.equal(resolveHiddenSize(null, 32), 48);
    assert.equal(resolveHiddenSize(null, 15), 23);
    assert.equal(resolveHiddenSize(20, 32), 20);
    assert.throws(() => resolveHybridConfig({ dModel: 30, transformer: { heads: 4 } }), /divisible/);
  });

  it('predicts [B,H,T,Q] and attention [B,W] summing to 1', async () => {
    const m = createModel(TINY_CONFIG, TINY_SPEC, 3);
    const x = tf.tensor3d(randomWindows(5, TINY_SPEC), [5, 16, 1]);
    const out = m.predict(x, { attention: true });
    assert.deepEqual(out.y.shape, [5, 4, 1, 3]);
    assert.deepEqual(out.attention!.shape, [5, 16]);
    const a = await out.attention!.data();
    for (let b = 0; b < 5; b++) {
      let s = 0;
      for (let w = 0; w < 16; w++) s += a[b * 16 + w];
      assert.ok(Math.abs(s - 1) < 1e-4, `row ${b} sums to ${s}`);
    }
    tf.dispose([x, out.y, out.attention!]);
    m.dispose();
  });

  it('orders quantiles by construction for multi-feature, multi-target specs', async () => {
    const spec = { window: 16, features: ['a', 'b', 'c'], targets: ['c', 'a'], horizon: 3, quantiles: [0.05, 0.25, 0.5, 0.75, 0.95] };
    const m = createModel(TINY_CONFIG, spec, 9);
    const x = tf.tensor3d(randomWindows(4, spec, 5).map((v) => v * 50 + 7), [4, 16, 3]);
    const { y } = m.predict(x);
    assert.deepEqual(y.shape, [4, 3, 2, 5]);
    const d = await y.data();
    for (let i = 0; i < d.length; i += 5) {
      for (let k = 1; k < 5; k++) assert.ok(d[i + k] > d[i + k - 1], `quantile ${k} not above ${k - 1} at ${i}`);
    }
    tf.dispose([x, y]);
    m.dispose();
  });

  it('mean pooling (useAttention=false) has no pool weights and returns uniform attention', async () => {
    const m = createModel({ ...TINY_CONFIG, lstm: { useAttention: false, bidirectional: false } }, TINY_SPEC, 3);
    const names = Object.keys(m.getWeights());
    assert.ok(!names.some((n) => n.startsWith('pool/')));
    assert.ok(!names.some((n) => n.includes('_bwd/')));
    const x = tf.tensor3d(randomWindows(2, TINY_SPEC), [2, 16, 1]);
    const out = m.predict(x, { attention: true });
    for (const a of await out.attention!.data()) assert.ok(Math.abs(a - 1 / 16) < 1e-6);
    tf.dispose([x, out.y, out.attention!]);
    m.dispose();
  });

  it('rejects a wrongly shaped input with TC_MODEL_INPUT_SHAPE', () => {
    const m = createModel(TINY_CONFIG, TINY_SPEC, 3);
    const x = tf.zeros([2, 8, 1]) as tf.Tensor3D;
    assert.throws(() => m.predict(x), (e: Error & { code?: string }) => e.code === 'TC_MODEL_INPUT_SHAPE' && /\[batch, 16, 1\]/.test(e.message));
    x.dispose();
    m.dispose();
    assert.throws(() => m.predict(x), { code: 'TC_MODEL_NOT_LOADED' });
  });

  it('is deterministic for a seed and exposes every documented weight', () => {
    const a = createModel(TINY_CONFIG, TINY_SPEC, 11);
    const b = createModel(TINY_CONFIG, TINY_SPEC, 11);
    const wa = a.getWeights();
    const wb = b.getWeights();
    const specs = weightSpecs(resolveHybridConfig(TINY_CONFIG), TINY_SPEC);
    assert.deepEqual(Object.keys(wa), specs.map((s) => s.name));
    for (const s of specs) {
      assert.deepEqual(wa[s.name].shape, s.shape);
      assert.deepEqual(wa[s.name].data, wb[s.name].data);
    }
    assert.deepEqual(wa['lstm_0_fwd/kernel'].shape, [16 + 24, 96]);
    a.dispose();
    b.dispose();
  });

  it('clone is independent of the original', async () => {
    const m = createModel(TINY_CONFIG, TINY_SPEC, 4);
    const c = m.clone();
    const x = tf.tensor3d(randomWindows(2, TINY_SPEC), [2, 16, 1]);
    const run = async (model: typeof m) => {
      const { y } = model.predict(x);
      const a = await y.array();
      y.dispose();
      return a;
    };
    const before1 = await run(m);
    const w = c.getWeights();
    w['head/bias'].data.fill(3);
    c.setWeights(w);
    const afterOrig = await run(m);
    const afterClone = await run(c);
    assert.deepEqual(afterOrig, before1);
    assert.notDeepEqual(afterClone, before1);
    m.dispose();
    assert.deepEqual(await run(c), afterClone, 'clone survives disposal of the original');
    c.dispose();
    x.dispose();
  });

  it('TfjsPredictor: no tensor leak across 1,000 predictions, concurrent calls serialised', async () => {
    const m = createModel({ ...TINY_CONFIG, lstm: { numLayers: 1 }, transformer: { layers: 1, heads: 2 } }, { ...TINY_SPEC, window: 8 }, 2);
    const p = new TfjsPredictor(m, { version: 'test-1', backend: backendName });
    assert.equal(p.engine, 'tfjs');
    assert.equal(p.backend, backendName);
    const x = randomWindows(2, { ...TINY_SPEC, window: 8 });
    await p.predict({ x, batch: 2 }, { attention: true }); // warm up
    const startTensors = tf.memory().numTensors;
    const first = await p.predict({ x, batch: 2 });
    for (let i = 0; i < 1000; i += 10) {
      const rs = await Promise.all(Array.from({ length: 10 }, (_, j) => p.predict({ x, batch: 2 }, { attention: j % 2 === 0 })));
      assert.deepEqual(rs[9].y, first.y);
      assert.equal(rs[0].attention!.length, 16);
    }
    assert.equal(tf.memory().numTensors, startTensors);
    await assert.rejects(p.predict({ x: new Float32Array(5), batch: 1 }), { code: 'TC_MODEL_INPUT_SHAPE' });
    await p.dispose();
    await p.dispose();
    await assert.rejects(p.predict({ x, batch: 2 }), { code: 'TC_MODEL_NOT_LOADED' });
  });

  after(() => {
    assert.ok(tf.memory().numTensors < 50, `tensors left: ${tf.memory().numTensors}`);
  });
});
