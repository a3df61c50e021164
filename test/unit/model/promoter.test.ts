/**
 * The Promoter's version metadata: a promoted (fine-tuned) version keeps its parent's `data` —
 * where the lineage's training rows came from, their closures included — so windows.openHours
 * auto reads the same answer after a restart on a fine-tuned version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../../src/model/backend.ts';
import { resolveHybridConfig } from '../../../src/model/config.ts';
import { createModel } from '../../../src/model/hybrid-model.ts';
import { TfjsPredictor } from '../../../src/model/predictor.ts';
import { Promoter } from '../../../src/model/promoter.ts';
import { VersionRegistry } from '../../../src/model/version-registry.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import type { Predictor, PredictorSlot } from '../../../src/pipeline/ports.ts';
import { SMALL_CONFIG, SMALL_SPEC } from '../http/support/model-serving.ts';

test('a promoted version keeps its parent data record; its own metadata and parent are added', async () => {
  const { name: backend } = await initBackend();
  const registry = new VersionRegistry(null, 5);
  const data = { path: 'bars.csv', closures: { late: 60, closed: 58 } };
  const v1 = await registry.add({ config: resolveHybridConfig(SMALL_CONFIG), spec: SMALL_SPEC, weights: {}, meta: { source: 'train', data } });
  const built: Predictor[] = [];
  const build = async (v: { version: string }): Promise<Predictor> => {
    const p = new TfjsPredictor(createModel(SMALL_CONFIG, SMALL_SPEC, 7), { version: v.version, backend });
    built.push(p);
    return p;
  };
  let current = await build(v1);
  const slot: PredictorSlot = { get predictor() { return current; }, swap: (next) => void (current = next) };
  const promoter = new Promoter({ registry, build, slot, serving: v1, logger: createLogger({ level: 'silent', name: 't' }), metrics: createMetrics({ defaultMetrics: false }) });
  try {
    const v2 = await promoter.promote({}, { source: 'finetune', round: 1 }, undefined as never);
    assert.equal(v2, 'v2');
    assert.deepEqual(promoter.champion.meta, { data, source: 'finetune', round: 1, parent: 'v1' });
    const v3 = await promoter.promote({}, { source: 'finetune', round: 2 }, undefined as never);
    assert.deepEqual(promoter.champion.meta, { data, source: 'finetune', round: 2, parent: v2 }, 'down the lineage');
    assert.equal(v3, 'v3');
  } finally {
    for (const p of built) await p.dispose();
  }
});
