/**
 * The exported graph against the independent float64 reference (reference-forward.ts) across
 * the architecture's switches, plus the exporter's input checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import type { ModelSpec } from '../../../src/domain/types.ts';
import { resolveHybridConfig, type HybridConfigInput } from '../../../src/model/config.ts';
import { exportOnnx } from '../../../src/model/onnx/export-hybrid.ts';
import { maxAbsDiff, randomWeights, randomWindows, sineWindows } from './fixtures.ts';
import { referenceForward } from './reference-forward.ts';

const TOL = 1e-4;

const cases: { name: string; config: HybridConfigInput; spec: ModelSpec }[] = [
  {
    name: 'per-step (patch 1), revin on, 1 encoder layer, T=1, hidden auto',
    config: { dModel: 8, transformer: { layers: 1, heads: 2 }, patch: { length: 1 } },
    spec: { window: 10, features: ['v'], targets: ['v'], horizon: 4, quantiles: [0.1, 0.5, 0.9] },
  },
  {
    name: 'revin off, 2 encoder layers, T=2 of F=3, hidden explicit, 5 quantiles',
    config: { dModel: 8, revin: false, lstm: { hiddenSize: 5 }, transformer: { layers: 2, heads: 4, ffn: 12 } },
    spec: { window: 7, features: ['a', 'b', 'c'], targets: ['c', 'a'], horizon: 3, quantiles: [0.05, 0.25, 0.5, 0.75, 0.95] },
  },
  {
    name: 'mean pooling, 3 LSTM layers, median is the lowest quantile',
    config: { dModel: 4, lstm: { numLayers: 3, useAttention: false }, transformer: { layers: 1, heads: 1 } },
    spec: { window: 6, features: ['a', 'b'], targets: ['b'], horizon: 2, quantiles: [0.5, 0.9] },
  },
  {
    name: 'overlapping patches 4/2 on window 11 (first step in no patch), T=1',
    config: { dModel: 8, transformer: { layers: 1, heads: 2 }, patch: { length: 4, stride: 2 } },
    spec: { window: 11, features: ['v'], targets: ['v'], horizon: 4, quantiles: [0.1, 0.5, 0.9] },
  },
  {
    name: 'patches 3/3, T=2 of F=3, revin off, mean pooling',
    config: { dModel: 8, revin: false, lstm: { useAttention: false }, transformer: { layers: 1, heads: 2 }, patch: { length: 3 } },
    spec: { window: 12, features: ['a', 'b', 'c'], targets: ['c', 'a'], horizon: 3, quantiles: [0.1, 0.5, 0.9] },
  },
  {
    name: 'patch longer than the window: one token of the whole window',
    config: { dModel: 4, transformer: { layers: 1, heads: 1 }, patch: { length: 16, stride: 8 } },
    spec: { window: 6, features: ['a', 'b'], targets: ['b'], horizon: 2, quantiles: [0.1, 0.5, 0.9] },
  },
  {
    name: 'unidirectional LSTM, no encoder layers',
    config: { dModel: 6, lstm: { bidirectional: false, numLayers: 1 }, transformer: { layers: 0, heads: 2 } },
    spec: { window: 5, features: ['a', 'b'], targets: ['a', 'b'], horizon: 2, quantiles: [0.1, 0.5] },
  },
];

for (const c of cases) {
  test(`exported graph matches the float64 reference: ${c.name}`, async () => {
    const config = resolveHybridConfig(c.config);
    const spec = c.spec;
    const weights = randomWeights(config, spec, 7);
    const session = await ort.InferenceSession.create(exportOnnx(weights, config, spec));
    try {
      const F = spec.features.length;
      for (const [batch, x] of [
        [1, randomWindows(1, spec.window, F, 1)],
        [9, sineWindows(9, spec.window, F, 2)],
      ] as const) {
        const out = await session.run({ x: new ort.Tensor('float32', x, [batch, spec.window, F]) });
        const ref = referenceForward(weights, config, spec, x, batch);
        assert.deepEqual(out.y.dims, [batch, spec.horizon, spec.targets.length, spec.quantiles.length]);
        assert.deepEqual(out.attention.dims, [batch, spec.window]);
        const y = out.y.data as Float32Array;
        const att = out.attention.data as Float32Array;
        assert.ok(maxAbsDiff(y, ref.y) <= TOL, `y differs by ${maxAbsDiff(y, ref.y)}`);
        assert.ok(maxAbsDiff(att, ref.attention) <= TOL, `attention differs by ${maxAbsDiff(att, ref.attention)}`);
        const Q = spec.quantiles.length;
        for (let i = 0; i < y.length; i += Q) for (let q = 1; q < Q; q++) assert.ok(y[i + q] >= y[i + q - 1], 'quantiles ascending');
        for (let b = 0; b < batch; b++) {
          const sum = att.subarray(b * spec.window, (b + 1) * spec.window).reduce((a, v) => a + v, 0);
          assert.ok(Math.abs(sum - 1) < 1e-5, `attention row ${b} sums to ${sum}`);
        }
      }
    } finally {
      await session.release();
    }
  });
}

test('a revin model forecasts in the input scale: shifting the window shifts the forecast', async () => {
  const config = resolveHybridConfig({ dModel: 8, transformer: { layers: 1, heads: 2 } });
  const spec: ModelSpec = { window: 8, features: ['v'], targets: ['v'], horizon: 2, quantiles: [0.1, 0.5, 0.9] };
  const session = await ort.InferenceSession.create(exportOnnx(randomWeights(config, spec, 3), config, spec));
  try {
    const x = sineWindows(1, 8, 1, 4);
    const a = (await session.run({ x: new ort.Tensor('float32', x, [1, 8, 1]) })).y.data as Float32Array;
    const b = (await session.run({ x: new ort.Tensor('float32', x.map((v) => v + 100), [1, 8, 1]) })).y.data as Float32Array;
    assert.ok(maxAbsDiff(b.map((v) => v - 100), a) < 1e-3);
  } finally {
    await session.release();
  }
});

test('export rejects a missing or mis-shaped weight with its name', () => {
  const config = resolveHybridConfig({ dModel: 4, transformer: { layers: 1, heads: 1 } });
  const spec: ModelSpec = { window: 4, features: ['v'], targets: ['v'], horizon: 1, quantiles: [0.5] };
  const weights = randomWeights(config, spec, 1);
  const { ['pool/query']: _dropped, ...missing } = weights;
  assert.throws(() => exportOnnx(missing, config, spec), /weight "pool\/query" is missing/);
  const bad = { ...weights, 'head/kernel': { shape: [3, 1], data: new Float32Array(3) } };
  assert.throws(() => exportOnnx(bad, config, spec), /"head\/kernel" has shape \[3,1\], expected \[4,1\]/);
});
