/**
 * The fused LayerNorm (src/model/fused-layer-norm.ts, native/kernels/src/layernorm.c) against the
 * tensor-op LayerNorm it replaces on wasm: values and every gradient, plain and with the gated
 * skip, no tensor or wasm buffer left behind; and the addon's argument checks.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { gatedLayerNorm, gatedSkipOps, layerNorm, layerNormOps } from '../../../src/model/fused-layer-norm.ts';
import { nativeKernels } from '../../../src/model/native-kernels.ts';
import { backend } from './helpers.ts';

/** max |a − b| / max(max |b|, 1). */
function relDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().div(b.abs().max().maximum(1)).dataSync()[0]);
}

describe('fused LayerNorm', () => {
  before(backend);

  for (const [label, shape] of [
    ['[64, 41, 96] (the gated skip of the default model)', [64, 41, 96]],
    ['[5, 3, 37] (a width that is no multiple of 8)', [5, 3, 37]],
    ['[7, 1] (one feature: the output is beta)', [7, 1]],
  ] as [string, number[]][]) {
    it(`${label}: values and gradients as the tensor ops, gated and plain, nothing left behind`, (t) => {
      if (tf.getBackend() !== 'wasm') return t.skip(`backend is ${tf.getBackend()}: the tensor ops run there`);
      assert.ok(nativeKernels(), 'the addon is built');
      const D = shape[shape.length - 1];
      const [h, s, a, dy] = [1, 2, 3, 4].map((seed) => tf.randomNormal(shape, 0, seed === 3 ? 3 : 1, 'float32', seed));
      const gamma = tf.randomNormal([D], 1, 0.3, 'float32', 5);
      const beta = tf.randomNormal([D], 0, 0.3, 'float32', 6);
      const buffers = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
      const [tensors0, buffers0] = [tf.memory().numTensors, buffers()];
      tf.tidy(() => {
        const gated = [h, s, a, gamma, beta];
        const fused = tf.grads((...x: tf.Tensor[]) => gatedLayerNorm(x[0], x[1], x[2], x[3], x[4]))(gated, dy);
        const ref = tf.grads((...x: tf.Tensor[]) => layerNormOps(gatedSkipOps(x[0], x[1], x[2]), x[3], x[4], 1e-5))(gated, dy);
        ['dh', 'ds', 'da', 'dgamma', 'dbeta'].forEach((name, i) => assert.ok(relDiff(fused[i], ref[i]) < 2e-5, `gated ${name}: ${relDiff(fused[i], ref[i])}`));
        assert.ok(relDiff(gatedLayerNorm(h, s, a, gamma, beta), layerNormOps(gatedSkipOps(h, s, a), gamma, beta, 1e-5)) < 2e-5);
        const plain = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNorm(x, g, b))([h, gamma, beta], dy);
        const plainRef = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => layerNormOps(x, g, b, 1e-5))([h, gamma, beta], dy);
        ['dx', 'dgamma', 'dbeta'].forEach((name, i) => assert.ok(relDiff(plain[i], plainRef[i]) < 2e-5, `plain ${name}: ${relDiff(plain[i], plainRef[i])}`));
        const y = layerNorm(h, gamma, beta);
        assert.ok(relDiff(y, layerNormOps(h, gamma, beta, 1e-5)) < 2e-5);
        // With gamma = 1 and beta = 0 each row comes out with mean 0 and variance 1.
        const unit = layerNorm(h, tf.onesLike(gamma), tf.zerosLike(beta));
        const { mean, variance } = tf.moments(unit, -1);
        if (D > 1) {
          assert.ok(mean.abs().max().dataSync()[0] < 1e-5);
          assert.ok(variance.sub(1).abs().max().dataSync()[0] < 1e-3);
        }
      });
      assert.equal(tf.memory().numTensors, tensors0, 'no tensor left behind');
      assert.equal(buffers(), buffers0, 'no wasm buffer left behind');
      tf.dispose([h, s, a, dy, gamma, beta]);
    });
  }

  it('inputs the fused op does not take (a broadcast skip, gamma of another width) run the tensor ops', (t) => {
    if (tf.getBackend() !== 'wasm') return t.skip(`backend is ${tf.getBackend()}`);
    const h = tf.randomNormal([4, 3, 8], 0, 1, 'float32', 1);
    const s = tf.randomNormal([1, 3, 8], 0, 1, 'float32', 2); // broadcasts over the batch
    const a = tf.randomNormal([4, 3, 8], 0, 1, 'float32', 3);
    const [g, b] = [tf.ones([8]), tf.zeros([8])];
    const got = gatedLayerNorm(h, s, a, g, b);
    const want = layerNormOps(gatedSkipOps(h, s, a), g, b, 1e-5);
    assert.deepEqual(Array.from(got.dataSync()), Array.from(want.dataSync()), 'the tensor ops, exactly');
    assert.throws(() => layerNorm(h, tf.ones([5]), tf.zeros([5])), /Operands could not be broadcast|shapes/i, "the tensor ops' own error");
    tf.dispose([h, s, a, g, b, got, want]);
  });

  it('the addon refuses bad dimensions and ranges, and s without a, with codes', () => {
    const k = nativeKernels();
    assert.ok(k, 'the addon is built');
    const heap = new Float32Array(64);
    assert.throws(() => k.layerNormForward(heap, 0, 4, 0, -1, -1, 16, 20, 1e-5, 24, 40, 44), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'no rows');
    assert.throws(() => k.layerNormForward(heap, 4, 4, 0, -1, -1, 16, 20, 1e-5, 56, 40, 44), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'y past the end');
    assert.throws(() => k.layerNormForward(heap, 2, 4, 0, 8, -1, 16, 20, 1e-5, 24, 40, 44), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 's without a');
    assert.throws(() => k.layerNormForward(heap, 2, 4, 0, -1, -1, 16, 20, -1, 24, 40, 44), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'negative eps');
    assert.throws(() => k.layerNormBackward(heap, 2, 4, 0, 8, 16, 24, 28, 30, 32, 40, -1, 48, 56, 60), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'gated without ds');
    assert.throws(() => (k.layerNormForward as unknown as (h: Float32Array) => void)(heap), { code: 'ERR_TICKCAST_NATIVE_ARGS' });
  });
});
