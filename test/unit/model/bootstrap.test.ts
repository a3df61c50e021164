/**
 * Bootstrap training that runs out of memory says which settings cause it. A real wasm OOM needs
 * a 4096-step window with one token per step (~15 s and ~2 GB; see docs/model.md), so the
 * failure is injected where the backend raises it: in a training step, and in the clean-up that
 * follows on a heap left unusable.
 */
import { test, before, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { trainBootstrap } from '../../../src/model/bootstrap.ts';
import { isOutOfMemory } from '../../../src/model/bootstrap-memory.ts';
import { resolveHybridConfig } from '../../../src/model/config.ts';
import { Trainer } from '../../../src/model/finetune/trainer.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { TINY_CONFIG, TINY_SPEC, backend } from './helpers.ts';

const values = Array.from({ length: 400 }, (_, i) => Math.sin(i / 5) + 0.1 * Math.cos(i / 3));
/** One token per step: 16 tokens for TINY_SPEC's 16-step window. */
const perStep = resolveHybridConfig({ ...TINY_CONFIG, patch: { length: 1 } });

/** The allocation failure of the native kernels on wasm when a product's size wrapped past the heap. */
function nativeRangeError(): Error {
  return Object.assign(new RangeError('gemm: C is outside the Float32Array'), { code: 'ERR_TICKCAST_NATIVE_RANGE' });
}

const restore: Array<() => void> = [];
function stub<T extends object, K extends keyof T>(obj: T, key: K, value: T[K]): void {
  const orig = obj[key];
  obj[key] = value;
  restore.push(() => (obj[key] = orig));
}

before(async () => {
  await backend();
});
afterEach(() => {
  while (restore.length) restore.pop()!();
});

test('an allocation failure in training becomes TC_MODEL_OUT_OF_MEMORY naming window, patch settings, tokens and batch', async () => {
  stub(Trainer.prototype, 'step', () => {
    throw nativeRangeError();
  });
  const before = tf.memory().numTensors;
  await assert.rejects(trainBootstrap(values, perStep, TINY_SPEC, { epochs: 1, batchSize: 8 }), (err: Error & { code: string; details: Record<string, unknown>; cause: unknown }) => {
    assert.equal(err.code, 'TC_MODEL_OUT_OF_MEMORY');
    assert.match(err.message, /windows\.length 16 with model\.patchLength 1 and model\.patchStride 1 gives 16 tokens per window \(TICKCAST_WINDOWS_LENGTH, TICKCAST_MODEL_PATCH_LENGTH, TICKCAST_MODEL_PATCH_STRIDE\)/);
    assert.match(err.message, /training in batches of 8 windows/);
    assert.match(err.message, /2 heads × 16² attention scores/);
    assert.match(err.message, /a larger model\.patchLength and model\.patchStride \(0 = the default 16\/8: 1 token at this window\)/);
    assert.match(err.message, /model\.bootstrapEpochs to 0/);
    assert.match(err.message, /\(RangeError: gemm: C is outside the Float32Array\)$/);
    assert.deepEqual(err.details.settings, ['windows.length', 'model.patchLength', 'model.patchStride', 'model.dModel']);
    assert.equal(err.details.tokens, 16);
    assert.equal((err.cause as Error).message, 'gemm: C is outside the Float32Array');
    return true;
  });
  assert.equal(tf.memory().numTensors, before, 'the model and trainer are disposed');
});

test('a clean-up that fails on the broken heap does not hide the out-of-memory error', async () => {
  const oob = () => Object.assign(new Error('memory access out of bounds'), { name: 'RuntimeError' });
  stub(Trainer.prototype, 'step', () => {
    throw oob();
  });
  const dispose = HybridModel.prototype.dispose;
  stub(HybridModel.prototype, 'dispose', function (this: HybridModel) {
    dispose.call(this);
    throw oob();
  });
  await assert.rejects(trainBootstrap(values, perStep, TINY_SPEC, { epochs: 1 }), { code: 'TC_MODEL_OUT_OF_MEMORY', message: /16 tokens per window.*training in batches of 32 windows.*\(RuntimeError: memory access out of bounds\)$/s });
});

test('other training failures pass through unchanged', async () => {
  const bug = new TypeError('x is not a function');
  stub(Trainer.prototype, 'step', () => {
    throw bug;
  });
  await assert.rejects(trainBootstrap(values, perStep, TINY_SPEC, { epochs: 1 }), (err) => err === bug);
});

test('isOutOfMemory: the shapes an allocation failure takes on wasm, the native kernels, V8 and TensorFlow', () => {
  assert.ok(isOutOfMemory(nativeRangeError()));
  assert.ok(isOutOfMemory(new Error('memory access out of bounds')));
  assert.ok(isOutOfMemory(new Error('Aborted(Cannot enlarge memory arrays to size 4294967296 bytes (OOM))')));
  assert.ok(isOutOfMemory(new RangeError('Array buffer allocation failed')));
  assert.ok(isOutOfMemory(new RangeError('Invalid typed array length: 8589934592')));
  assert.ok(isOutOfMemory(new Error('OOM when allocating tensor with shape[32,4,4096,4096]')));
  assert.ok(!isOutOfMemory(new TypeError('x is not a function')));
  assert.ok(!isOutOfMemory('memory access out of bounds'));
});
