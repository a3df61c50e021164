import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { lstmSequence } from '../../../src/model/lstm.ts';
import { lstmSequenceFast } from '../../../src/model/lstm-fast.ts';
import { matmul } from '../../../src/model/linalg.ts';
import { createModel } from '../../../src/model/hybrid-model.ts';
import { pinballLoss } from '../../../src/model/train.ts';
import { enableNativeKernels, nativeKernelsStatus } from '../../../src/model/native-kernels.ts';
import { useNativeKernels } from '../../../src/model/backend.ts';
import { TINY_CONFIG, TINY_SPEC, backend, randomWindows } from './helpers.ts';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('custom-gradient kernels agree with tfjs autodiff', () => {
  before(backend);

  // JS loops: B=3 exercises the in-JS step product, B=6 the backend matmul one. Native: the
  // addon's recurrence (docs/native-kernels.md), which npm ci builds.
  for (const [recurrence, dirs, B] of [['JS', 1, 3], ['JS', 2, 3], ['JS', 1, 6], ['JS', 2, 6], ['native', 1, 3], ['native', 2, 6]] as const) {
    it(`${recurrence}-recurrence LSTM (${dirs === 2 ? 'bidirectional' : 'forward only'}, batch ${B}): same outputs and gradients as the tf-op LSTM`, async (t) => {
      const status = nativeKernelsStatus();
      if (recurrence === 'native') assert.ok(status.loaded, `the native addon must be built (npm run native:build): ${status.loaded ? '' : status.reason}`);
      enableNativeKernels(recurrence === 'native');
      t.after(() => enableNativeKernels(true));
      const W = 7, I = 5, Hh = 4;
      const x = tf.randomNormal([B, W, I], 0, 1, 'float32', 1) as tf.Tensor3D;
      const ws = Array.from({ length: dirs }, (_, d) => ({
        kernel: tf.randomNormal([I + Hh, 4 * Hh], 0, 0.5, 'float32', 10 + d),
        bias: tf.randomNormal([4 * Hh], 0, 0.5, 'float32', 20 + d),
      }));
      const probe = tf.randomNormal([B, W, dirs * Hh], 0, 1, 'float32', 3);
      const loss = (impl: typeof lstmSequence) => (...args: tf.Tensor[]) =>
        impl(args[0] as tf.Tensor3D, ws.map((_, d) => ({ kernel: args[1 + 2 * d], bias: args[2 + 2 * d] })), Hh).mul(probe).sum();
      const inputs = [x, ...ws.flatMap((w) => [w.kernel, w.bias])];
      const ref = tf.valueAndGrads(loss(lstmSequence))(inputs);
      // Twice: the second pass runs on scratch arrays the first one gave back to the pool (dirty).
      for (let pass = 0; pass < 2; pass++) {
        const fast = tf.valueAndGrads(loss(lstmSequenceFast))(inputs);
        assert.ok(Math.abs(ref.value.dataSync()[0] - fast.value.dataSync()[0]) < 1e-4);
        for (let i = 0; i < inputs.length; i++) {
          const d = maxAbsDiff(await ref.grads[i].data(), await fast.grads[i].data());
          assert.ok(d < 1e-4, `pass ${pass}: gradient ${i} differs by ${d}`);
        }
        tf.dispose([fast.value, ...fast.grads]);
      }
      tf.dispose([x, probe, ref.value, ...ref.grads, ...ws.flatMap((w) => [w.kernel, w.bias])]);
    });
  }

  it('explicit-transpose matmul: same gradients as tf.matMul, 2-D and batched', async () => {
    for (const [sa, sb] of [[[5, 3], [3, 4]], [[2, 3, 5, 6], [2, 3, 6, 4]]] as const) {
      const a = tf.randomNormal([...sa], 0, 1, 'float32', 4);
      const b = tf.randomNormal([...sb], 0, 1, 'float32', 5);
      const r1 = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q).square().sum())([a, b]);
      const r2 = tf.grads((p: tf.Tensor, q: tf.Tensor) => matmul(p, q).square().sum())([a, b]);
      for (let i = 0; i < 2; i++) assert.ok(maxAbsDiff(await r1[i].data(), await r2[i].data()) < 1e-3);
      tf.dispose([a, b, ...r1, ...r2]);
    }
  });

  const MULTI = { window: 12, features: ['a', 'b', 'c'], targets: ['c', 'a'], horizon: 3, quantiles: [0.1, 0.5, 0.9] };
  for (const [label, spec, cfg] of [
    ['default tiny', TINY_SPEC, { ...TINY_CONFIG, lstm: { dropout: 0 } }],
    ['per-step tokens (patch 1)', TINY_SPEC, { ...TINY_CONFIG, lstm: { dropout: 0 }, patch: { length: 1 } }],
    ['overlapping patches 4/2', TINY_SPEC, { ...TINY_CONFIG, lstm: { dropout: 0 }, patch: { length: 4, stride: 2 } }],
    ['3 features → 2 targets, unidirectional, mean pooling, no RevIN', MULTI, { ...TINY_CONFIG, lstm: { dropout: 0, bidirectional: false, useAttention: false }, revin: false }],
    ['default tiny, native kernels off (wasm products, JS recurrence)', TINY_SPEC, { ...TINY_CONFIG, lstm: { dropout: 0 } }],
  ] as const) {
    it(`whole model (${label}): the fast path and the tf-op path give the same loss and weight gradients`, async (t) => {
      if (label.includes('native kernels off')) {
        useNativeKernels(false);
        t.after(() => useNativeKernels(true));
      }
      const m = createModel(cfg, spec, 6);
      const { W, F, H, T } = m.dims;
      const x = tf.tensor3d(randomWindows(4, spec, 2), [4, W, F]);
      const y = tf.randomNormal([4, H, T], 0, 1, 'float32', 8);
      const run = (mode: 'ops' | 'fast') => {
        m.lstmMode = mode;
        return tf.variableGrads(() => pinballLoss(m.predict(x, { training: true }).y, y, spec.quantiles), m.variables());
      };
      const a = run('ops');
      const b = run('fast');
      assert.ok(Math.abs(a.value.dataSync()[0] - b.value.dataSync()[0]) < 1e-5);
      for (const v of m.variables()) {
        const d = maxAbsDiff(await a.grads[v.name].data(), await b.grads[v.name].data());
        assert.ok(d < 1e-4, `gradient of a variable differs by ${d}`);
      }
      tf.dispose([x, y, a.value, b.value, a.grads, b.grads]);
      m.dispose();
    });
  }
});
