/** Shared tiny sizes and data for the model tests (fast on wasm). */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../../../src/model/random.ts';
import type { HybridModel } from '../../../src/model/hybrid-model.ts';
import type { ModelSpec } from '../../../src/domain/types.ts';
import type { HybridConfigInput } from '../../../src/model/config.ts';
import { initBackend } from '../../../src/model/backend.ts';
import { before, after } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const TINY_CONFIG: HybridConfigInput = {
  dModel: 16,
  lstm: { hiddenSize: null, numLayers: 2, dropout: 0.1, bidirectional: true, useAttention: true },
  transformer: { layers: 1, heads: 2, ffn: 32 },
  revin: true,
};

export const TINY_SPEC: ModelSpec = {
  window: 16,
  features: ['value'],
  targets: ['value'],
  horizon: 4,
  quantiles: [0.1, 0.5, 0.9],
};

/** Tests use whatever backend the process would pick (wasm here). */
export async function backend(): Promise<string> {
  return (await initBackend()).name;
}

/** Deterministic pseudo-random in [0,1): the model's own mulberry32. */
export const rng = mulberry32;

export function randomWindows(b: number, spec: ModelSpec, seed = 1): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(b * spec.window * spec.features.length);
  for (let i = 0; i < x.length; i++) x[i] = r() * 2 - 1;
  return x;
}

/**
 * Inside a describe(): the tfjs backend ready and a temporary directory for the suite, removed
 * after it. Returns the directory's path (read it in the tests, not at registration).
 */
export function suiteRoot(prefix: string): () => string {
  let root = '';
  before(async () => {
    await backend();
    root = await mkdtemp(path.join(tmpdir(), prefix));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });
  return () => root;
}

/** Two models give bit-identical forecasts and attention on `b` random windows (an artifact round trip). */
export async function assertSamePredictions(a: HybridModel, b: HybridModel, spec: ModelSpec, n: number, seed: number): Promise<void> {
  const x = tf.tensor3d(randomWindows(n, spec, seed), [n, spec.window, spec.features.length]);
  const pa = a.predict(x, { attention: true });
  const pb = b.predict(x, { attention: true });
  try {
    assert.deepEqual(await pb.y.data(), await pa.y.data());
    assert.deepEqual(await pb.attention!.data(), await pa.attention!.data());
  } finally {
    tf.dispose([x, pa.y, pa.attention!, pb.y, pb.attention!]);
  }
}
