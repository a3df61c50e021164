import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { currentBackend, initBackend } from '../../../src/model/backend.ts';

describe('tfjs backend selection', () => {
  it('falls through the native packages (not installed here) to wasm, logs once, and refuses a later switch', async () => {
    const logs: string[] = [];
    const info = await initBackend({ log: (m) => logs.push(m) });
    const nativeInstalled = info.source === 'tfjs-node-gpu' || info.source === 'tfjs-node';
    if (!nativeInstalled) {
      assert.equal(info.name, 'wasm');
      assert.equal(info.source, 'wasm');
      assert.deepEqual(info.skipped.map((s) => s.split(':')[0]), ['tfjs-node-gpu', 'tfjs-node']);
    }
    assert.equal(tf.getBackend(), info.name);
    assert.equal(currentBackend(), info.name);
    assert.deepEqual(logs, [`tfjs backend: ${info.name} (${info.source})`]);
    assert.equal((await initBackend()).name, info.name, 'idempotent');
    await assert.rejects(initBackend({ prefer: 'cpu' }), { code: 'TC_BACKEND_UNAVAILABLE' });
    const t = tf.tensor1d([1, 2, 3]).square();
    assert.deepEqual(Array.from(await t.data()), [1, 4, 9]);
    t.dispose();
  });
});
