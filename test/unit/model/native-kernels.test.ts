/**
 * tickcast's native kernel addon (native/kernels, docs/native-kernels.md): its GEMM against a
 * plain JS product, its argument checks, the built-in loop used without OpenBLAS (in a child
 * process: the choice is made at load), and the wasm backend's products through it against the
 * wasm kernels themselves. npm ci builds the addon; these tests fail (not skip) when it is missing.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs';
import { nativeKernels, nativeKernelsPath, nativeKernelsStatus, type NativeKernels } from '../../../src/model/native-kernels.ts';
import { setNativeKernelsOnWasm, nativeMatMulOnWasm } from '../../../src/model/wasm-native-kernels.ts';
import { nativeDropoutMask } from '../../../src/model/dropout-mask.ts';
import { dropout } from '../../../src/model/ops.ts';
import { backend, rng } from './helpers.ts';

function addon(): NativeKernels {
  const k = nativeKernels();
  const status = nativeKernelsStatus();
  assert.ok(k, `the native addon must be built (npm ci does it; by hand: npm run native:build): ${status.loaded ? '' : status.reason}`);
  return k;
}

/** op(A)·op(B) (+ bias) in plain JS, double accumulation. */
function reference(a: Float32Array, b: Float32Array, M: number, N: number, K: number, ta: boolean, tb: boolean, bias?: Float32Array): Float32Array {
  const c = new Float32Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = bias ? bias[bias.length === 1 ? 0 : j] : 0;
      for (let k = 0; k < K; k++) s += (ta ? a[k * M + i] : a[i * K + k]) * (tb ? b[j * K + k] : b[k * N + j]);
      c[i * N + j] = s;
    }
  return c;
}

function random(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Checks gemm on every transpose combination, batched with and without a broadcast B, with biases. */
function checkGemm(k: NativeKernels): void {
  const [M, N, K, batch] = [7, 33, 19, 3];
  for (const ta of [false, true])
    for (const tb of [false, true])
      for (const [bStride, bias] of [[K * N, undefined], [0, random(N, 9)], [K * N, random(1, 10)]] as const) {
        const a = random(batch * M * K, 1), b = random(batch * K * N, 2);
        // One heap: [A | B | bias | C], with a gap in front so that no offset is 0.
        const aOff = 5, bOff = aOff + a.length, biasOff = bOff + b.length, cOff = biasOff + N;
        const heap = new Float32Array(cOff + batch * M * N).fill(Number.NaN);
        heap.set(a, aOff);
        heap.set(b, bOff);
        if (bias) heap.set(bias, biasOff);
        k.gemm(heap, batch, M, N, K, aOff, M * K, ta ? 1 : 0, bOff, bStride, tb ? 1 : 0, cOff, bias ? biasOff : -1, bias?.length ?? 0);
        for (let i = 0; i < batch; i++) {
          const want = reference(a.subarray(i * M * K), b.subarray(i * bStride), M, N, K, ta, tb, bias);
          const got = heap.subarray(cOff + i * M * N, cOff + (i + 1) * M * N);
          const d = maxAbsDiff(want, got);
          assert.ok(d < 1e-5, `ta=${ta} tb=${tb} bStride=${bStride} bias=${bias?.length ?? 0} batch ${i}: off by ${d}`);
        }
      }
}

describe('native kernels: the addon', () => {
  it('loads, and says which BLAS does the products', () => {
    const k = addon();
    const { blas, threads } = k.info();
    assert.match(blas, /OpenBLAS|builtin/);
    assert.equal(threads, 1, 'one BLAS thread unless OPENBLAS_NUM_THREADS says otherwise');
  });

  it('gemm: every transpose, batch stride and bias form equals the plain product', () => {
    checkGemm(addon());
  });

  it('gemm without OpenBLAS (the built-in loop) gives the same products, register blocks and every edge', () => {
    // TICKCAST_NATIVE_BLAS=0 makes the addon skip OpenBLAS; it decides once, at load, so in a child.
    const file = nativeKernelsPath();
    assert.ok(file);
    const code = `
      const k = require(${JSON.stringify(file)});
      ${random.toString()}
      ${reference.toString()}
      const rng = (seed) => () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
      let worst = 0;
      const all = [];
      // 4×16 register blocks (4×32 and 4×16 on AVX-512), the 8-column panel and the row/column
      // edges: 53 = 3·16 + 5 columns, 27 = 16 + 8 + 3, 41 = 2·16 + 8 + 1, 7 (no block at all),
      // 96 = 3·32, 57 = 32 + 16 + 8 + 1; 37 = 9·4 + 1 rows.
      const shapes = [[37, 53, 29], [8, 27, 5], [41, 41, 16], [4, 16, 1], [3, 7, 2], [64, 24, 33], [9, 96, 20], [6, 57, 13]];
      for (const [ta, tb] of [[0, 0], [1, 0], [0, 1], [1, 1]]) for (const [M, N, K] of shapes) {
        const a = random(M * K, 1), b = random(K * N, 2), bias = random(N, 3);
        const heap = new Float32Array(a.length + b.length + N + M * N);
        heap.set(a, 0); heap.set(b, a.length); heap.set(bias, a.length + b.length);
        const cOff = a.length + b.length + N;
        k.gemm(heap, 1, M, N, K, 0, 0, ta, a.length, 0, tb, cOff, a.length + b.length, N);
        const want = reference(a, b, M, N, K, ta === 1, tb === 1, bias);
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - heap[cOff + i]));
        all.push(...heap.subarray(cOff));
      }
      console.log(JSON.stringify({ info: k.info(), worst, bits: Array.from(new Uint32Array(Float32Array.from(all).buffer)) }));`;
    // TICKCAST_NATIVE_AVX512=0 keeps the 8-lane blocks on an AVX-512 CPU: the same bits either way.
    const runs = ['1', '0'].map((avx512) => {
      const child = spawnSync(process.execPath, ['-e', code], { env: { ...process.env, TICKCAST_NATIVE_BLAS: '0', TICKCAST_NATIVE_AVX512: avx512 }, encoding: 'utf8', maxBuffer: 1 << 26 });
      assert.equal(child.status, 0, child.stderr);
      return JSON.parse(child.stdout) as { info: { blas: string }; worst: number; bits: number[] };
    });
    for (const out of runs) {
      assert.equal(out.info.blas, 'builtin');
      assert.ok(out.worst < 1e-5, `the built-in loop is off by ${out.worst}`);
    }
    assert.deepEqual(runs[0].bits, runs[1].bits, '16-lane and 8-lane blocks give the same bits');
  });

  it('refuses ranges outside the array and wrong argument types, with codes', () => {
    const k = addon();
    const heap = new Float32Array(16);
    assert.throws(() => k.gemm(heap, 1, 4, 4, 4, 0, 0, 0, 0, 0, 0, 4, -1, 0), { name: 'RangeError', code: 'ERR_TICKCAST_NATIVE_RANGE' });
    assert.throws(() => k.gemm(heap, 2, 2, 2, 2, 0, 4, 0, 0, 0, 0, 12, -1, 0), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'the second batch item of C ends past the array');
    assert.throws(() => k.gemm(heap, 1, 2, 2, 2, 0, 0, 0, 4, 0, 0, 8, 15, 2), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'bias past the end');
    assert.throws(() => k.gemm(heap, 1, 2, 2, 2, 0, 0, 0, 4, 0, 0, 8, 0, 3), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'bias length neither N nor 1');
    assert.throws(() => k.gemm(new Float64Array(16) as unknown as Float32Array, 1, 2, 2, 2, 0, 0, 0, 4, 0, 0, 8, -1, 0), { name: 'TypeError', code: 'ERR_TICKCAST_NATIVE_ARGS' });
    assert.throws(() => (k.gemm as unknown as (h: Float32Array) => void)(heap), { name: 'TypeError', code: 'ERR_TICKCAST_NATIVE_ARGS', message: 'gemm takes 14 arguments' });
    assert.throws(() => k.sumRows(heap, 4, 4, 4, 0), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'sumRows input past the end');
    const f = new Float32Array(10);
    assert.throws(() => k.lstmForward(f, f, 1, 1, 4, 0, f, 4, 0, f, f, f, f), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'xp shorter than B·W·4Hh');
    assert.throws(() => k.lstmBackward(f, f, f, f, f, 1, 1, 1, 0, 0, 0, f), { code: 'ERR_TICKCAST_NATIVE_RANGE' }, 'yStride smaller than yOffset + Hh');
  });
});

describe('native kernels: the wasm backend products and sums', () => {
  before(backend);

  const CASES: [string, () => tf.Tensor][] = [
    ['2-D', () => tf.matMul(tf.randomNormal([9, 5], 0, 1, 'float32', 1), tf.randomNormal([5, 7], 0, 1, 'float32', 2))],
    ['transposed A and B', () => tf.matMul(tf.randomNormal([5, 9], 0, 1, 'float32', 1), tf.randomNormal([7, 5], 0, 1, 'float32', 2), true, true)],
    ['batched rank 4', () => tf.matMul(tf.randomNormal([2, 3, 4, 5], 0, 1, 'float32', 3), tf.randomNormal([2, 3, 5, 6], 0, 1, 'float32', 4))],
    ['one matrix broadcast against a batch', () => tf.matMul(tf.randomNormal([3, 4, 5], 0, 1, 'float32', 5), tf.randomNormal([5, 2], 0, 1, 'float32', 6))],
    ['mixed broadcast (wasm kernel)', () => tf.matMul(tf.randomNormal([2, 1, 4, 5], 0, 1, 'float32', 7), tf.randomNormal([1, 3, 5, 2], 0, 1, 'float32', 8))],
    ['fused with bias', () => tf.fused.matMul({ a: tf.randomNormal([6, 5], 0, 1, 'float32', 9), b: tf.randomNormal([5, 4], 0, 1, 'float32', 10), bias: tf.randomNormal([4], 0, 1, 'float32', 11) })],
    ['fused with relu (wasm kernel)', () => tf.fused.matMul({ a: tf.randomNormal([6, 5], 0, 1, 'float32', 9), b: tf.randomNormal([5, 4], 0, 1, 'float32', 10), activation: 'relu' })],
    ['sum over axis 0', () => tf.sum(tf.randomNormal([37, 11], 0, 1, 'float32', 14), 0)],
    ['sum over the two leading axes, keepDims, negative axes', () => tf.sum(tf.randomNormal([4, 9, 6], 0, 1, 'float32', 15), [-3, 1], true)],
    ['sum of everything', () => tf.sum(tf.randomNormal([5, 7], 0, 1, 'float32', 16))],
    ['sum over an inner axis (wasm kernel)', () => tf.sum(tf.randomNormal([5, 7, 3], 0, 1, 'float32', 17), 1)],
    ['sum of int32 (wasm kernel)', () => tf.sum(tf.tensor2d([[1, 2], [3, 4]], [2, 2], 'int32'), 0)],
    ['gradients of a product', () => tf.concat(tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q, false, true).square().sum())([tf.randomNormal([4, 3], 0, 1, 'float32', 12), tf.randomNormal([5, 3], 0, 1, 'float32', 13)]).map((g) => g.flatten()))],
  ];

  for (const [label, run] of CASES) {
    const fallback = label.endsWith('(wasm kernel)');
    it(`${label}: same values as the wasm kernel${fallback ? ' (which it calls)' : ''}, no tensor or buffer left behind`, async (t) => {
      if (tf.getBackend() !== 'wasm') return t.skip(`backend is ${tf.getBackend()}`);
      // Count the addon's calls, to know which path each case took.
      const k = addon();
      let calls = 0;
      const counted: NativeKernels = { ...k, gemm: (...a) => (calls++, k.gemm(...a)), sumRows: (...a) => (calls++, k.sumRows(...a)) };
      assert.ok(setNativeKernelsOnWasm(counted));
      assert.ok(nativeMatMulOnWasm());
      const buffers = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
      const [tensors0, buffers0] = [tf.memory().numTensors, buffers()];
      const native = tf.tidy(run);
      assert.equal(tf.memory().numTensors, tensors0 + 1, 'tidy kept only the result');
      assert.equal(buffers(), buffers0 + 1, 'no wasm buffer left behind');
      assert.ok(fallback ? calls === 0 : calls > 0, `${calls} native calls`);
      setNativeKernelsOnWasm(null);
      assert.ok(!nativeMatMulOnWasm());
      const wasm = tf.tidy(run);
      setNativeKernelsOnWasm(k);
      assert.deepEqual(native.shape, wasm.shape);
      const d = maxAbsDiff(await native.data(), await wasm.data());
      assert.ok(d < 1e-4, `differs by ${d}`);
      tf.dispose([native, wasm]);
    });
  }
});

describe('native kernels: dropout masks', () => {
  before(backend);

  it("are tf.dropout's own multipliers, bit for bit, for any seed and rate; the product and its gradient too", () => {
    for (const [rate, seed, shape] of [
      [0.2, 12345, [64, 41, 96]],
      [0.1, 2147483647, [3, 7, 5]],
      [0.5, 0, [1000]],
      [0.33, 987654321, [2, 2]],
    ] as [number, number, number[]][]) {
      const x = tf.randomNormal(shape, 0, 1, 'float32', seed % 97);
      const mask = nativeDropoutMask(shape, rate, seed);
      assert.ok(mask, 'the addon is loaded');
      const ref = tf.dropout(tf.onesLike(x), rate, undefined, seed);
      const [m, r] = [mask.dataSync(), ref.dataSync()];
      const differ = m.findIndex((v, i) => !Object.is(v, r[i]));
      assert.equal(differ, -1, `rate ${rate}, seed ${seed}: first difference at ${differ}`);
      // ops.dropout (what the model calls) against tf.dropout: values and gradients identical.
      const f = (p: tf.Tensor) => dropout(p, rate, seed).square().sum();
      const g = (p: tf.Tensor) => tf.dropout(p, rate, undefined, seed).square().sum();
      assert.deepEqual(Array.from(tf.grad(f)(x).dataSync()), Array.from(tf.grad(g)(x).dataSync()));
      assert.deepEqual(Array.from(dropout(x, rate, seed).dataSync()), Array.from(tf.dropout(x, rate, undefined, seed).dataSync()));
      const kept = Array.from(m).filter((v) => v !== 0).length / m.length;
      assert.ok(m.length < 100 || Math.abs(kept - (1 - rate)) < 0.05, `kept ${kept} of ${1 - rate}`);
      tf.dispose([x, mask, ref]);
    }
  });

  it('refuse a bad seed or keep probability, with codes', () => {
    const k = addon();
    const out = new Float32Array(4);
    assert.throws(() => k.dropoutMask('', 0.9, out), { code: 'ERR_TICKCAST_NATIVE_RANGE' });
    assert.throws(() => k.dropoutMask('1'.repeat(40), 0.9, out), { code: 'ERR_TICKCAST_NATIVE_RANGE' });
    assert.throws(() => k.dropoutMask('7', 0, out), { code: 'ERR_TICKCAST_NATIVE_RANGE' });
    assert.throws(() => k.dropoutMask('7', 0.9, new Float64Array(4) as unknown as Float32Array), { code: 'ERR_TICKCAST_NATIVE_ARGS' });
    assert.throws(() => (k.dropoutMask as unknown as (s: number) => void)(7), { code: 'ERR_TICKCAST_NATIVE_ARGS' });
  });
});
