/**
 * Broadcasting on wasm (src/model/wasm-broadcast.ts): the Tile kernel (the native addon's copy and
 * the JS fallback) against a plain index-by-index tile, and the Sum and Mean gradients against
 * tfjs's formula, bit for bit.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { enableNativeKernels, nativeKernels } from '../../../src/model/native-kernels.ts';
import { backend } from './helpers.ts';

const CASES: [number[], number[], tf.DataType][] = [
  [[64, 41, 1], [1, 1, 96], 'float32'],
  [[1, 96], [2624, 1], 'float32'],
  [[3, 1, 5], [2, 4, 3], 'float32'],
  [[2, 3], [3, 2], 'int32'],
  [[7], [5], 'float32'],
  [[1, 1, 1, 1], [2, 3, 1, 2], 'float32'],
];

/** out[i0, i1, …] = x[i0 mod d0, i1 mod d1, …], one element at a time. */
function referenceTile(x: ArrayLike<number>, shape: number[], reps: number[]): number[] {
  const outShape = shape.map((d, i) => d * reps[i]);
  const size = outShape.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  for (let flat = 0; flat < size; flat++) {
    let rest = flat;
    let src = 0;
    for (let a = 0, stride = size; a < shape.length; a++) {
      stride /= outShape[a];
      const i = Math.floor(rest / stride);
      rest -= i * stride;
      src = src * shape[a] + (i % shape[a]);
    }
    out.push(x[src]);
  }
  return out;
}

function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => Object.is(v, b[i]));
}

describe('wasm broadcast: Tile and the Sum/Mean gradients', () => {
  before(backend);

  for (const native of [true, false]) {
    it(`Tile (${native ? 'native copy' : 'JS fallback'}) copies every element to its place, every axis, float32 and int32; no buffer left behind`, (t) => {
      if (tf.getBackend() !== 'wasm') return t.skip(`backend is ${tf.getBackend()}`);
      if (native) assert.ok(nativeKernels(), 'the addon is built');
      enableNativeKernels(native);
      try {
        const buffers = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
        for (const [shape, reps, dtype] of CASES) {
          const n = shape.reduce((p, d) => p * d, 1);
          const x = tf.tensor(Float32Array.from({ length: n }, (_, i) => (dtype === 'int32' ? i - 3 : Math.sin(i) * 1e3)), shape, dtype);
          const before = buffers();
          const got = tf.tile(x, reps);
          assert.equal(buffers(), before + 1, 'one output buffer');
          assert.deepEqual(got.shape, shape.map((d, i) => d * reps[i]));
          assert.equal(got.dtype, dtype);
          assert.ok(same(got.dataSync(), referenceTile(x.dataSync(), shape, reps)), `tile ${shape} by ${reps}`);
          tf.dispose([x, got]);
        }
      } finally {
        enableNativeKernels(true);
      }
    });
  }

  it('the native tile refuses ranges outside the heap, overlap and bad dims, with codes', () => {
    const k = nativeKernels();
    assert.ok(k, 'the addon is built');
    const heap = new Float32Array(32);
    assert.throws(() => k.tile(heap, 0, 28, Int32Array.from([2, 4])), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'out past the end');
    assert.throws(() => k.tile(heap, 0, 1, Int32Array.from([2, 2])), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'overlap');
    assert.throws(() => k.tile(heap, 0, 8, Int32Array.from([0, 2])), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'empty dimension');
    assert.throws(() => k.tile(heap, 0, 8, Int32Array.from([2, 2, 2])), { code: 'ERR_TICKCAST_NATIVE_ARGS' }, 'odd dims');
    assert.throws(() => k.tile(heap, 0, 8, [2, 2] as unknown as Int32Array), { code: 'ERR_TICKCAST_NATIVE_ARGS' }, 'not an Int32Array');
    heap.set([1, 2], 0);
    k.tile(heap, 0, 8, Int32Array.from([2, 3]));
    assert.deepEqual(Array.from(heap.subarray(8, 14)), [1, 2, 1, 2, 1, 2]);
  });

  it("Sum and Mean gradients are tfjs's own numbers (dy·ones, then ÷n), on every axis form", (t) => {
    if (tf.getBackend() !== 'wasm') return t.skip(`backend is ${tf.getBackend()}`);
    const x = tf.randomNormal([6, 5, 7], 0, 1, 'float32', 3);
    const w = tf.randomNormal([6, 5, 7], 0, 1, 'float32', 4);
    for (const axis of [-1, 0, [0, 2], 1, undefined] as (number | number[] | undefined)[]) {
      for (const op of ['sum', 'mean'] as const) {
        // d/dx Σ (op(x·w, axis))² → 2·op(…)·(broadcast of 1 or 1/n)·w, through the registered gradient.
        const f = (v: tf.Tensor) => tf[op](v.mul(w), axis, true).square().sum();
        const got = tf.grad(f)(x);
        const r = tf[op](x.mul(w), axis, true);
        const axes = tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape);
        const n = op === 'mean' ? axes.reduce((p, a) => p * x.shape[a], 1) : 1;
        const dy = r.mul(2); // the gradient of square().sum() at r
        let back = tf.mul(dy, tf.ones(x.shape, 'float32'));
        if (n > 1) back = tf.div(back, n);
        const want = back.mul(w);
        assert.ok(same(got.dataSync(), want.dataSync()), `${op} over ${JSON.stringify(axis)}`);
        tf.dispose([got, r, dy, back, want]);
      }
    }
    tf.dispose([x, w]);
  });
});
