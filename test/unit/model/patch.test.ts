/**
 * Patch tokens (docs/model.md §2): token shapes and weight shapes, the end alignment, attention
 * mapped back onto time steps, patch length 1 as the per-step model (old artifacts without a
 * patch key load as it), artifact round trip, training through the patch embedding, no leaks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../../../src/domain/types.ts';
import { resolveHybridConfig } from '../../../src/model/config.ts';
import { createModel } from '../../../src/model/hybrid-model.ts';
import { loadArtifact, saveArtifact } from '../../../src/model/artifact.ts';
import { createOptimizer, trainStep } from '../../../src/model/train.ts';
import { modelDims, weightSpecs } from '../../../src/model/weight-names.ts';
import { assertSamePredictions, randomWindows, suiteRoot, TINY_CONFIG, TINY_SPEC } from './helpers.ts';

const SPEC: ModelSpec = { window: 20, features: ['a', 'b'], targets: ['b'], horizon: 3, quantiles: [0.1, 0.5, 0.9] };
const shapeOf = (config: Parameters<typeof resolveHybridConfig>[0], spec: ModelSpec, name: string) =>
  weightSpecs(resolveHybridConfig(config), spec).find((w) => w.name === name)?.shape;

describe('patch tokens', () => {
  const root = suiteRoot('tickcast-patch-');

  it('cuts the window into end-aligned patches: N, t0 and the weight shapes follow length and stride', () => {
    const cases: [number, number | null, { N: number; t0: number; P: number; S: number }][] = [
      [1, 1, { N: 20, t0: 0, P: 1, S: 1 }],
      [4, null, { N: 5, t0: 0, P: 4, S: 4 }],
      [8, 4, { N: 4, t0: 0, P: 8, S: 4 }],
      [6, 4, { N: 4, t0: 2, P: 6, S: 4 }], // 20 − 3·4 − 6 = 2 steps before the first patch
      [32, 8, { N: 1, t0: 0, P: 20, S: 8 }], // longer than the window: one patch of the whole window
    ];
    for (const [length, stride, want] of cases) {
      const config = resolveHybridConfig({ ...TINY_CONFIG, patch: { length, stride } });
      const d = modelDims(config, SPEC);
      assert.deepEqual({ N: d.N, t0: d.t0, P: d.P, S: d.S }, want, `patch ${length}/${stride}`);
      assert.deepEqual(shapeOf({ ...TINY_CONFIG, patch: { length, stride } }, SPEC, 'input_proj/kernel'), [want.P * 2, 16]);
      assert.deepEqual(shapeOf({ ...TINY_CONFIG, patch: { length, stride } }, SPEC, 'pos_emb'), [want.N, 16]);
      assert.deepEqual(shapeOf({ ...TINY_CONFIG, patch: { length, stride } }, SPEC, 'linear_skip/kernel'), [20, 3], 'the linear skip still sees every step');
    }
  });

  it('refuses a stride longer than the patch, or a zero length, with every problem listed', () => {
    assert.throws(
      () => resolveHybridConfig({ patch: { length: 4, stride: 6 } }),
      (e: Error & { code?: string }) => e.code === 'TC_CONFIG_INVALID' && /patch\.stride \(6\) must not exceed patch\.length \(4\)/.test(e.message),
    );
    assert.throws(() => resolveHybridConfig({ patch: { length: 0 } }), (e: Error & { code?: string }) => e.code === 'TC_CONFIG_INVALID' && /patch\.length must be an integer >= 1/.test(e.message));
  });

  it('patch length 1 is the per-step model: same weight list as a config that has no patch key', () => {
    const perStep = weightSpecs(resolveHybridConfig({ ...TINY_CONFIG, patch: { length: 1 } }), SPEC);
    assert.deepEqual(perStep.find((w) => w.name === 'input_proj/kernel')?.shape, [2, 16]);
    assert.deepEqual(perStep.find((w) => w.name === 'pos_emb')?.shape, [20, 16]);
    const legacy = { ...resolveHybridConfig({ ...TINY_CONFIG, patch: { length: 1 } }) } as Record<string, unknown>;
    delete legacy.patch;
    assert.deepEqual(weightSpecs(legacy as never, SPEC), perStep);
  });

  it('attention comes back over time steps: [B,W], rows sum to 1, steps before t0 get 0, steps of a patch share its weight', async () => {
    const m = createModel({ ...TINY_CONFIG, patch: { length: 6, stride: 4 } }, SPEC, 3);
    const x = tf.tensor3d(randomWindows(4, SPEC, 2), [4, 20, 2]);
    const out = m.predict(x, { attention: true });
    assert.deepEqual(out.y.shape, [4, 3, 1, 3]);
    assert.deepEqual(out.attention!.shape, [4, 20]);
    const a = await out.attention!.data();
    for (let b = 0; b < 4; b++) {
      const row = a.subarray(b * 20, b * 20 + 20);
      let sum = 0;
      for (const v of row) sum += v;
      assert.ok(Math.abs(sum - 1) < 1e-5);
      assert.equal(row[0], 0);
      assert.equal(row[1], 0);
      // Patches start at 2, 6, 10, 14 (6 steps each): steps 2..5 are only in patch 0, steps 6..7 in patches 0 and 1.
      assert.ok(Math.abs(row[2] - row[5]) < 1e-7, 'steps of the same single patch share its weight');
      assert.ok(row[6] > row[5], 'a step covered by two patches collects from both');
    }
    tf.dispose([x, out.y, out.attention!]);
    m.dispose();
  });

  it('trains through the patch embedding without leaking tensors', async () => {
    const m = createModel({ ...TINY_CONFIG, patch: { length: 4, stride: 2 } }, TINY_SPEC, 4);
    const opt = createOptimizer(1e-2);
    const x = randomWindows(16, TINY_SPEC, 5);
    const y = new Float32Array(16 * TINY_SPEC.horizon).map((_, i) => Math.sin(i));
    const before = m.getWeights()['input_proj/kernel'].data.slice();
    trainStep(m, opt, { x, y, batch: 16 }); // warm-up: the optimizer creates its slots
    const tensors = tf.memory().numTensors;
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) losses.push(trainStep(m, opt, { x, y, batch: 16 }).loss);
    assert.equal(tf.memory().numTensors, tensors, 'no tensor leak across training steps');
    const xt = tf.tensor3d(x, [16, 16, 1]);
    for (let i = 0; i < 20; i++) tf.dispose(Object.values(m.predict(xt, { attention: true })));
    xt.dispose();
    assert.equal(tf.memory().numTensors, tensors, 'no tensor leak across predictions');
    assert.ok(losses[19] < losses[0], `loss falls (${losses[0]} → ${losses[19]})`);
    assert.notDeepEqual(m.getWeights()['input_proj/kernel'].data, before, 'the patch embedding is trained');
    opt.dispose();
    m.dispose();
  });

  it('a patched model round-trips through an artifact with its patch config', async () => {
    const m = createModel({ ...TINY_CONFIG, patch: { length: 4, stride: 2 } }, TINY_SPEC, 6);
    const dir = path.join(root(), 'patched');
    await saveArtifact(dir, m, { version: 'v-patched' });
    const { model, manifest } = await loadArtifact(dir, { expectedConfig: m.config });
    assert.deepEqual(manifest.config.patch, { length: 4, stride: 2 });
    await assertSamePredictions(m, model, TINY_SPEC, 2, 7);
    m.dispose();
    model.dispose();
  });

  it('an artifact written before patch tokens (no patch key) loads as the per-step model with the same forecasts', async () => {
    const m = createModel({ ...TINY_CONFIG, patch: { length: 1 } }, TINY_SPEC, 8);
    const dir = path.join(root(), 'legacy');
    await saveArtifact(dir, m, { version: 'v-legacy' });
    const file = path.join(dir, 'model.json');
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    delete manifest.config.patch;
    await writeFile(file, JSON.stringify(manifest));
    const { model, manifest: loaded } = await loadArtifact(dir, { expectedConfig: m.config });
    assert.deepEqual(loaded.config.patch, { length: 1, stride: 1 });
    const x = tf.tensor3d(randomWindows(2, TINY_SPEC, 9), [2, 16, 1]);
    const a = m.predict(x);
    const b = model.predict(x);
    assert.deepEqual(await b.y.data(), await a.y.data());
    tf.dispose([x, a.y, b.y]);
    m.dispose();
    model.dispose();
  });
});
