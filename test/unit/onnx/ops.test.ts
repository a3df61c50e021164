/**
 * Op-by-op parity: each ONNX op the exporter relies on, run through onnxruntime on tiny inputs,
 * against the plain-JS float64 reference. Tolerances are float32 rounding, far below 1e-4.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from '../../../src/model/onnx/graph-builder.ts';
import { lstmToOnnx } from '../../../src/model/onnx/export-hybrid.ts';
import { layerNorm, linear, lstmDirection, softmax } from './reference-forward.ts';
import { maxAbsDiff, randomWindows } from './fixtures.ts';

const TOL = 1e-5;

async function run(g: GraphBuilder, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(g.toModel({ producerVersion: 'test' }));
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) inputs[k] = new ort.Tensor('float32', v.data, v.dims);
    const out = await session.run(inputs);
    const res: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
    for (const [k, v] of Object.entries(out)) res[k] = { data: v.data as Float32Array, dims: v.dims };
    return res;
  } finally {
    await session.release();
  }
}

const rows = (a: Float32Array, n: number) => Array.from({ length: a.length / n }, (_, i) => Float64Array.from(a.subarray(i * n, (i + 1) * n)));

test('bidirectional ONNX LSTM with re-ordered gates matches a step-by-step i,f,g,o LSTM', async () => {
  const S = 5, B = 3, I = 4, Hh = 3;
  const kernels = [randomWindows(1, I + Hh, 4 * Hh, 11), randomWindows(1, I + Hh, 4 * Hh, 12)].map((k) => k.map((v) => v * 0.4));
  const biases = [randomWindows(1, 1, 4 * Hh, 13), randomWindows(1, 1, 4 * Hh, 14)].map((k) => k.map((v) => v * 0.4));
  const parts = [0, 1].map((d) => lstmToOnnx(kernels[d], biases[d], I, Hh));
  const cat = (k: 'W' | 'R' | 'B') => Float32Array.from([...parts[0][k], ...parts[1][k]]);
  const g = new GraphBuilder();
  const x = g.input('x', [S, 'batch', I]);
  const y = g.node('LSTM', [x, g.initializer('W', [2, 4 * Hh, I], cat('W')), g.initializer('R', [2, 4 * Hh, Hh], cat('R')), g.initializer('B', [2, 8 * Hh], cat('B'))], { hidden_size: Hh, direction: 'bidirectional' });
  g.output(g.reshape(g.transpose(y, [0, 2, 1, 3]), [0, 0, 2 * Hh]), 'y', [S, 'batch', 2 * Hh]);
  const xs = randomWindows(S, B, I, 15); // seq-major [S, B, I]
  const out = await run(g, { x: { data: xs, dims: [S, B, I] } });
  assert.deepEqual(out.y.dims, [S, B, 2 * Hh]);
  const expected = new Float64Array(S * B * 2 * Hh);
  for (let b = 0; b < B; b++) {
    const seq = Array.from({ length: S }, (_, s) => Float64Array.from(xs.subarray((s * B + b) * I, (s * B + b + 1) * I)));
    const fwd = lstmDirection(seq, kernels[0], biases[0], Hh, false);
    const bwd = lstmDirection(seq, kernels[1], biases[1], Hh, true);
    for (let s = 0; s < S; s++) expected.set([...fwd[s], ...bwd[s]], (s * B + b) * 2 * Hh);
  }
  assert.ok(maxAbsDiff(out.y.data, expected) < TOL, `LSTM diff ${maxAbsDiff(out.y.data, expected)}`);
  // The backward half at the last step has seen one input only, so it must differ from the forward half.
  assert.ok(maxAbsDiff(out.y.data.subarray(0, Hh), out.y.data.subarray(Hh, 2 * Hh)) > 1e-3);
});

test('LayerNormalization (opset 17, last axis) matches mean/variance normalisation with gamma/beta', async () => {
  const n = 6;
  const gamma = Float32Array.from({ length: n }, (_, i) => 0.5 + i * 0.1);
  const beta = Float32Array.from({ length: n }, (_, i) => i * 0.01 - 0.02);
  const g = new GraphBuilder();
  const x = g.input('x', ['batch', 2, n]);
  g.output(g.layerNorm(x, g.initializer('g', [n], gamma), g.initializer('b', [n], beta), 1e-5), 'y', ['batch', 2, n]);
  const xs = randomWindows(3, 2, n, 21);
  const out = await run(g, { x: { data: xs, dims: [3, 2, n] } });
  const expected = layerNorm(rows(xs, n), gamma, beta).flatMap((r) => [...r]);
  assert.ok(maxAbsDiff(out.y.data, expected) < TOL);
});

test('MatMul on a rank-3 input and Softmax on a chosen axis match the reference', async () => {
  const g = new GraphBuilder();
  const x = g.input('x', ['batch', 4, 3]);
  const k = randomWindows(1, 3, 5, 31);
  const b = randomWindows(1, 1, 5, 32);
  const lin = g.linear(x, g.initializer('k', [3, 5], k), g.initializer('b', [5], b));
  g.output(lin, 'lin', ['batch', 4, 5]);
  g.output(g.softmax(lin, 1), 'sm', ['batch', 4, 5]);
  const xs = randomWindows(2, 4, 3, 33);
  const out = await run(g, { x: { data: xs, dims: [2, 4, 3] } });
  const lin64 = linear(rows(xs, 3), k, b, 5);
  assert.ok(maxAbsDiff(out.lin.data, lin64.flatMap((r) => [...r])) < TOL);
  const expected = new Float64Array(2 * 4 * 5);
  for (let bb = 0; bb < 2; bb++) {
    for (let c = 0; c < 5; c++) {
      const col = softmax([0, 1, 2, 3].map((r) => lin64[bb * 4 + r][c]));
      col.forEach((v, r) => (expected[(bb * 4 + r) * 5 + c] = v));
    }
  }
  assert.ok(maxAbsDiff(out.sm.data, expected) < TOL);
});

test('Softplus, ReduceMean over the window, Where and Split behave as the exporter assumes', async () => {
  const g = new GraphBuilder();
  const x = g.input('x', ['batch', 4, 6]);
  g.output(g.softplus(x), 'sp', ['batch', 4, 6]);
  g.output(g.reduceMean(x, [1]), 'mean', ['batch', 1, 6]);
  const mask = g.bool('mask', [6], [false, true, false, false, false, true]);
  g.output(g.where(mask, x, g.scalar(0)), 'masked', ['batch', 4, 6]);
  const [a, b] = g.multi('Split', [x, g.ints([2, 4])], 2, { axis: 2 });
  g.output(a, 'a', ['batch', 4, 2]);
  g.output(b, 'b', ['batch', 4, 4]);
  const xs = randomWindows(2, 4, 6, 41).map((v) => v * 10);
  const out = await run(g, { x: { data: xs, dims: [2, 4, 6] } });
  assert.ok(maxAbsDiff(out.sp.data, xs.map((v) => (v > 20 ? v : Math.log1p(Math.exp(v))))) < 1e-4);
  const mean = new Float64Array(12);
  for (let bb = 0; bb < 2; bb++) for (let w = 0; w < 4; w++) for (let f = 0; f < 6; f++) mean[bb * 6 + f] += xs[(bb * 4 + w) * 6 + f] / 4;
  assert.ok(maxAbsDiff(out.mean.data, mean) < TOL);
  assert.deepEqual([...out.masked.data], [...xs].map((v, i) => (i % 6 === 1 || i % 6 === 5 ? v : 0)));
  assert.deepEqual([...out.a.data], [...xs].filter((_, i) => i % 6 < 2));
  assert.deepEqual([...out.b.data], [...xs].filter((_, i) => i % 6 >= 2));
});

test('Transpose/Reshape with a dynamic batch axis give the same per-row results at batch 1 and 7', async () => {
  const g = new GraphBuilder();
  const x = g.input('x', ['batch', 3, 4]);
  // [B,3,4] → [3,B,4] → [3,B,2,2] → [B,2,3,2] → [B,12]
  const t = g.transpose(g.reshape(g.transpose(x, [1, 0, 2]), [0, 0, 2, 2]), [1, 2, 0, 3]);
  g.output(g.reshape(t, [0, -1]), 'y', ['batch', 12]);
  const session = await ort.InferenceSession.create(g.toModel({ producerVersion: 'test' }));
  try {
    const xs = randomWindows(7, 3, 4, 51);
    const all = await session.run({ x: new ort.Tensor('float32', xs, [7, 3, 4]) });
    assert.deepEqual(all.y.dims, [7, 12]);
    for (const b of [0, 6]) {
      const one = await session.run({ x: new ort.Tensor('float32', xs.slice(b * 12, (b + 1) * 12), [1, 3, 4]) });
      const row = (all.y.data as Float32Array).subarray(b * 12, (b + 1) * 12);
      assert.deepEqual([...(one.y.data as Float32Array)], [...row]);
      // element [b, i, w, j] comes from x[b, w, i*2+j]
      const xr = xs.subarray(b * 12, (b + 1) * 12);
      const expected = [];
      for (let i = 0; i < 2; i++) for (let w = 0; w < 3; w++) for (let j = 0; j < 2; j++) expected.push(xr[w * 4 + i * 2 + j]);
      assert.deepEqual([...row], expected);
    }
  } finally {
    await session.release();
  }
});
