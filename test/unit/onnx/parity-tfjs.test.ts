/**
 * ONNX vs the tfjs model itself (the engine the service falls back to): same weights, same
 * windows, max |Δ| ≤ 1e-4 on forecasts and attention weights, batch 1 and batch 512, across the
 * architecture switches. Random windows, sine windows, and (single-feature configs) real windows
 * from the bundled NYC taxi series.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import type { ModelSpec } from '../../../src/domain/types.ts';
import { initBackend } from '../../../src/model/backend.ts';
import type { HybridConfigInput } from '../../../src/model/config.ts';
import { createModel } from '../../../src/model/hybrid-model.ts';
import { exportOnnx } from '../../../src/model/onnx/export-hybrid.ts';
import { maxAbsDiff, randomWindows, sineWindows, taxiWindows } from './fixtures.ts';

const TOL = 1e-4;

before(async () => {
  await initBackend({ prefer: 'wasm' });
});

const cases: { name: string; config: HybridConfigInput; spec: ModelSpec; batches: number[] }[] = [
  {
    name: 'defaults (revin, 2 BiLSTM layers, 1 encoder layer, hidden auto, default patches), T=1',
    config: {},
    spec: { window: 32, features: ['v'], targets: ['v'], horizon: 8, quantiles: [0.1, 0.5, 0.9] },
    batches: [1, 512],
  },
  {
    name: 'per-step model (patch 1), window 32',
    config: { patch: { length: 1 } },
    spec: { window: 32, features: ['v'], targets: ['v'], horizon: 8, quantiles: [0.1, 0.5, 0.9] },
    batches: [1, 512],
  },
  {
    name: 'overlapping patches 16/8 on window 100 (t0 = 4), T=1',
    config: { patch: { length: 16, stride: 8 } },
    spec: { window: 100, features: ['v'], targets: ['v'], horizon: 8, quantiles: [0.1, 0.5, 0.9] },
    batches: [1, 64],
  },
  {
    name: 'revin off, 2 encoder layers, hidden explicit, T=2 of F=4',
    config: { dModel: 16, revin: false, lstm: { hiddenSize: 20 }, transformer: { layers: 2, heads: 4 } },
    spec: { window: 24, features: ['a', 'b', 'c', 'd'], targets: ['d', 'b'], horizon: 6, quantiles: [0.1, 0.5, 0.9] },
    batches: [1, 512],
  },
  {
    name: 'mean pooling, single LSTM layer, 8 features, window 64, patches 4/2',
    config: { dModel: 16, lstm: { numLayers: 1, useAttention: false }, transformer: { layers: 1, heads: 2 }, patch: { length: 4, stride: 2 } },
    spec: { window: 64, features: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], targets: ['a'], horizon: 8, quantiles: [0.05, 0.5, 0.95] },
    batches: [1, 32],
  },
];

for (const c of cases) {
  test(`onnx matches tfjs within ${TOL}: ${c.name}`, async () => {
    const model = createModel(c.config, c.spec, 9);
    const session = await ort.InferenceSession.create(exportOnnx(model.getWeights(), model.config, c.spec));
    const before = tf.memory().numTensors;
    try {
      const { window: W, features } = c.spec;
      const F = features.length;
      for (const batch of c.batches) {
        const inputs: [string, Float32Array][] = [
          ['random', randomWindows(batch, W, F, batch)],
          ['sine', sineWindows(batch, W, F, batch + 1)],
        ];
        if (F === 1) inputs.push(['nyc_taxi', taxiWindows(batch, W)]); // real series, single feature
        for (const [kind, x] of inputs) {
          const onnx = await session.run({ x: new ort.Tensor('float32', x, [batch, W, F]) });
          const xt = tf.tensor3d(x, [batch, W, F]);
          const out = model.predict(xt, { attention: true });
          const [y, att] = await Promise.all([out.y.data(), out.attention!.data()]);
          tf.dispose([xt, out.y, out.attention!]);
          const dy = maxAbsDiff(onnx.y.data as Float32Array, y);
          const da = maxAbsDiff(onnx.attention.data as Float32Array, att);
          assert.deepEqual(onnx.y.dims, out.y.shape);
          assert.ok(dy <= TOL, `${kind} batch ${batch}: y differs by ${dy}`);
          assert.ok(da <= TOL, `${kind} batch ${batch}: attention differs by ${da}`);
        }
      }
      assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
    } finally {
      await session.release();
      model.dispose();
    }
  });
}
