import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { currentBackend, initBackend } from '../../../src/model/backend.ts';

describe('tfjs backend selection', () => {
  it('falls through the native packages (not installed here) to wasm, logs once, and refuses a later switch', async () => {
    const logs: string[] = [];
    const handlers = () => [process.listeners('uncaughtException').length, process.listeners('unhandledRejection').length];
    const before = handlers();
    const info = await initBackend({ log: (m) => logs.push(m) });
    // Emscripten's glue adds listeners that rethrow (any unhandled rejection then killed the process
    // with exit 7, no drain); the process' handlers are the host's (src/main.ts).
    assert.deepEqual(handlers(), before, 'the backend leaves the process-wide error handlers as they were');
    const nativeInstalled = info.source === 'tfjs-node-gpu' || info.source === 'tfjs-node';
    if (!nativeInstalled) {
      assert.equal(info.name, 'wasm');
      assert.equal(info.source, 'wasm');
      assert.deepEqual(info.skipped.map((s) => s.split(':')[0]), ['tfjs-node-gpu', 'tfjs-node']);
      // npm ci builds the native kernel addon; wasm's products go through it.
      assert.match(info.matmul ?? '', /^native: (OpenBLAS|builtin)/);
    }
    assert.equal(tf.getBackend(), info.name);
    assert.equal(currentBackend(), info.name);
    assert.deepEqual(logs, [`tfjs backend: ${info.name} (${info.source})${info.matmul ? `, matrix products: ${info.matmul}` : ''}`]);
    assert.equal((await initBackend()).name, info.name, 'idempotent');
    await assert.rejects(initBackend({ prefer: 'cpu' }), { code: 'TC_BACKEND_UNAVAILABLE' });
    const t = tf.tensor1d([1, 2, 3]).square();
    assert.deepEqual(Array.from(await t.data()), [1, 4, 9]);
    t.dispose();
  });

  it('on wasm, a clone shares its source buffer (no copy) and outlives it; gradients through saved tensors are unchanged', async () => {
    await initBackend();
    if (tf.getBackend() !== 'wasm') return; // the kernel is only replaced on wasm
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const c = tf.clone(a);
    assert.equal(c.dataId, a.dataId, 'the clone refers to the same buffer');
    a.dispose();
    assert.deepEqual(Array.from(await c.data()), [1, 2, 3, 4], 'the clone keeps the data after its source is disposed');
    c.dispose();
    // Reference counting frees the shared buffer once the last holder is gone.
    const ids = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const base = ids();
    for (let i = 0; i < 100; i++) {
      const s = tf.tensor1d([i, i + 1]);
      const k = tf.clone(s);
      tf.dispose(i % 2 ? [s, k] : [k, s]);
    }
    assert.equal(ids(), base, 'no buffer left behind by clone/dispose in either order');
    // d/dx sum(x² · 3) = 6x, through ops whose gradients save their inputs (clones).
    const x = tf.tensor1d([0.5, -2, 3]);
    const g = tf.grad((v: tf.Tensor) => v.square().mul(3).sum())(x);
    assert.deepEqual(Array.from(await g.data()), [3, -12, 18]);
    const v = tf.variable(tf.tensor1d([1, 2]));
    const snap = tf.clone(v);
    v.assign(tf.tensor1d([7, 8]));
    assert.deepEqual(Array.from(await snap.data()), [1, 2], 'a clone of a variable keeps the old value after assign');
    tf.dispose([x, g, v, snap]);
  });

  it('on wasm, a cast to the dtype a tensor has shares its buffer; a real cast still converts', async () => {
    await initBackend();
    if (tf.getBackend() !== 'wasm') return; // the kernel is only replaced on wasm
    const ids = () => (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    const base = ids();
    const a = tf.tensor1d([1.5, -2.25, 3]);
    const same = tf.cast(a, 'float32');
    assert.equal(same.dataId, a.dataId, 'float32 → float32 is the same buffer');
    a.dispose();
    assert.deepEqual(Array.from(await same.data()), [1.5, -2.25, 3]);
    const ints = tf.cast(same, 'int32');
    assert.notEqual(ints.dataId, same.dataId);
    assert.equal(ints.dtype, 'int32');
    assert.deepEqual(Array.from(await ints.data()), [1, -2, 3]);
    const back = tf.cast(ints, 'float32');
    assert.deepEqual(Array.from(await back.data()), [1, -2, 3]);
    tf.dispose([same, ints, back]);
    assert.equal(ids(), base, 'no buffer left behind');
  });
});
