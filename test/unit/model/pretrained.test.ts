/**
 * The shipped pretrained model (models/pretrained, `npm run pretrain`): it loads and verifies for
 * the default spec and architecture and forecasts better than repeating the last value on the
 * bundled sample's tail; a damaged copy, another spec, or a missing index is refused with the
 * reason (the service then trains a bootstrap model instead).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BOOTSTRAP_SAMPLE, naiveMae, pairsFromSeries, readValueColumn, zscore } from '../../../src/model/bootstrap.ts';
import { DEFAULT_SPEC, resolveHybridConfig } from '../../../src/model/config.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { PRETRAINED_DIR, loadPretrained } from '../../../src/model/pretrained.ts';
import { evaluate } from '../../../src/model/evaluate.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createModelService } from '../../../src/model/model-service.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { Writable } from 'node:stream';
import { suiteRoot } from './helpers.ts';

describe('shipped pretrained model', () => {
  const root = suiteRoot('tickcast-pretrained-');

  it('loads and verifies for the default spec and architecture, is small, and beats repeat-last on the sample tail', async () => {
    const config = resolveHybridConfig({});
    const r = await loadPretrained(config, DEFAULT_SPEC);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.match(r.version, /^pretrained-16x8-s\d+$/);
    assert.equal(r.meta.source, 'pretrained');
    const bytes = (await stat(path.join(PRETRAINED_DIR, 'default', 'weights.bin'))).size;
    assert.ok(bytes <= 5 * 1024 * 1024, `weights.bin is ${bytes} bytes (limit 5 MB)`);
    const before = tf.memory().numTensors;
    const model = HybridModel.fromWeights(config, DEFAULT_SPEC, r.weights);
    const z = zscore(readValueColumn(BOOTSTRAP_SAMPLE));
    const tail = pairsFromSeries(z.subarray(Math.floor(z.length * 0.9) - 64), 64, 8, 4);
    const mae = evaluate(model, { x: tail.x, y: tail.y, n: tail.batch }).mae;
    const naive = naiveMae(tail, 64, 8);
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.ok(mae < 0.8 * naive, `pretrained MAE ${mae.toFixed(4)} vs repeat-last ${naive.toFixed(4)}`);
  });

  it('refuses a damaged copy (sha256), another spec, and a missing index, saying why', async () => {
    const config = resolveHybridConfig({});
    const copy = path.join(root(), 'copy');
    await cp(PRETRAINED_DIR, copy, { recursive: true });
    const file = path.join(copy, 'default', 'weights.bin');
    const b = await readFile(file);
    b[64] ^= 0x10;
    await writeFile(file, b);
    const damaged = await loadPretrained(config, DEFAULT_SPEC, copy);
    assert.ok(!damaged.ok && /weights\.bin does not match its sha256/.test(damaged.reason));
    const other = await loadPretrained(config, { ...DEFAULT_SPEC, window: 96 }, PRETRAINED_DIR);
    assert.ok(!other.ok && /does not fit this configuration: .*window 64 ≠ 96/.test(other.reason), other.ok ? '' : other.reason);
    const perStep = await loadPretrained(resolveHybridConfig({ patch: { length: 1 } }), DEFAULT_SPEC, PRETRAINED_DIR);
    assert.ok(!perStep.ok && /architecture config differs/.test(perStep.reason));
    const missing = await loadPretrained(config, DEFAULT_SPEC, path.join(root(), 'nowhere'));
    assert.ok(!missing.ok && /no shipped pretrained model/.test(missing.reason));
  });

  it('a fresh service with the default config serves it without training, saves it as v1 and forecasts with its weights', async () => {
    const dir = path.join(root(), 'ckpt');
    const lines: { msg?: string }[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) });
    const config = loadConfig({ env: {}, overrides: { model: { dir, engine: 'tfjs' }, finetune: { enabled: false }, http: { enabled: false }, telemetry: { defaultMetrics: false } } as never });
    const t0 = performance.now();
    const svc = await createModelService(config, createLogger({ level: 'info', name: 't', destination: sink }), createMetrics({ defaultMetrics: false }));
    const seconds = (performance.now() - t0) / 1000;
    try {
      const info = svc.info();
      assert.equal(info.version, 'v1');
      assert.equal((info.training as { source: string }).source, 'pretrained');
      assert.ok(lines.some((l) => /serving the shipped pretrained model pretrained-16x8-s\d+ \(no training at start\)/.test(String(l.msg))));
      assert.ok(!lines.some((l) => /bootstrap model trained/.test(String(l.msg))), 'no bootstrap training');
      assert.deepEqual(await new CheckpointStore({ dir, keep: 5 }).list(), ['v1']);
      const pre = await loadPretrained(resolveHybridConfig({}), DEFAULT_SPEC);
      assert.ok(pre.ok);
      const saved = await new CheckpointStore({ dir, keep: 5 }).load('v1');
      assert.deepEqual(saved.weights['head/kernel'].data, pre.weights['head/kernel'].data, 'v1 holds the shipped weights (fine-tuning starts from them)');
      const x = new Float32Array(64).map((_, i) => Math.sin(i / 5));
      const out = await svc.predictor.predict({ x, batch: 1 });
      assert.equal(out.y.length, 8 * 3);
      console.log(`service ready with the pretrained model in ${seconds.toFixed(2)} s (no training)`);
    } finally {
      await svc.stop();
    }
  });
});

