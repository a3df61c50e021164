/**
 * A rollback without a version serves the serving version's predecessor by lineage: the version it
 * was fine-tuned from (`training.parent`), or the copy an automatic rollback saved of it
 * (`training.restoredFrom`) when its directory was deleted — not the next lower number. Until
 * 7 Dec 2026 it took the newest lower number: from a re-promoted v2 whose parent v1 lives on as v3
 * it answered 409 (nothing below v2), and from v3 promoted over v1 after v2 was rolled back it
 * served the regressed v2 again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '../../../src/model/backend.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { resolveHybridConfig } from '../../../src/model/config.ts';
import { createModel } from '../../../src/model/hybrid-model.ts';
import { TfjsPredictor } from '../../../src/model/predictor.ts';
import { Promoter } from '../../../src/model/promoter.ts';
import { VersionRegistry } from '../../../src/model/version-registry.ts';
import { readCurrent, writeCurrent } from '../../../src/model/shared-dir/current-pointer.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import type { Predictor, PredictorSlot } from '../../../src/pipeline/ports.ts';
import type { WeightMap } from '../../../src/model/weight-names.ts';
import { SMALL_CONFIG, SMALL_SPEC } from '../http/support/model-serving.ts';
import { createModelService } from '../../../src/model/model-service.ts';
import { ftConfig } from '../finetune/helpers.ts';
import { build, KEY } from '../http/support/build.ts';
import { TrendServing } from '../http/support/trend-serving.ts';
import type { ModelInfo } from '../../../src/pipeline/ports.ts';

function weights(seed: number): WeightMap {
  const m = createModel(SMALL_CONFIG, SMALL_SPEC, seed);
  const w = m.getWeights();
  m.dispose();
  return w;
}

/** v1 (bootstrap) serving in a fresh model.dir, and v2 promoted over it by a fine-tune round (parent v1). */
async function setup(t: { after: (fn: () => Promise<void> | void) => void }) {
  const { name: backend } = await initBackend();
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-rollback-lineage-'));
  const registry = new VersionRegistry(new CheckpointStore({ dir, keep: 5 }), 5);
  const v1 = await registry.add({ config: resolveHybridConfig(SMALL_CONFIG), spec: SMALL_SPEC, weights: weights(1), meta: { source: 'bootstrap' } });
  const live: Predictor[] = [];
  const build = async (v: { version: string }): Promise<Predictor> => {
    const p = new TfjsPredictor(createModel(SMALL_CONFIG, SMALL_SPEC, 7), { version: v.version, backend });
    live.push(p);
    return p;
  };
  let current = await build(v1);
  const slot: PredictorSlot = { get predictor() { return current; }, swap: (next) => void (current = next) };
  await writeCurrent(dir, 'v1', 'test');
  const promoter = new Promoter({ registry, build, slot, serving: v1, logger: createLogger({ level: 'silent', name: 't' }), metrics: createMetrics({ defaultMetrics: false }), saveCurrent: (v) => writeCurrent(dir, v, 'test') });
  await registry.refresh();
  assert.equal(await promoter.promote(weights(2), { source: 'finetune', round: 1 }, undefined as never), 'v2');
  t.after(async () => {
    for (const p of live) await p.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, promoter, registry };
}

test('re-promoted v2 whose parent v1 was restored as v3: a rollback without a version serves v3 (v1 again), not 409', async (t) => {
  const { dir, promoter } = await setup(t);
  rmSync(path.join(dir, 'v1'), { recursive: true }); // deleted by hand while v2 is watched
  await promoter.rollbackTo('v1', 'automatic rollback: v2 regressed', undefined, 'v2');
  assert.equal(promoter.champion.version, 'v3', 'v1 restored as v3');
  assert.deepEqual(await promoter.rollbackManually({ version: 'v2' }), { from: 'v3', to: 'v2' }, 'the operator re-promotes v2');
  assert.deepEqual(await promoter.rollbackManually({}), { from: 'v2', to: 'v3' }, "v2's predecessor is v1, whose weights are v3 now");
  assert.equal(await readCurrent(dir), 'v3');
  await assert.rejects(promoter.rollbackManually({}), /no version older than v3/, 'v3 is v1 again: nothing precedes it');
});

test('v3 promoted over v1 after v2 was rolled back: a rollback without a version serves v1, not the regressed v2', async (t) => {
  const { promoter } = await setup(t);
  await promoter.rollbackTo('v1', 'automatic rollback: v2 regressed', undefined, 'v2');
  assert.equal(promoter.champion.version, 'v1');
  assert.equal(await promoter.promote(weights(3), { source: 'finetune', round: 2 }, undefined as never), 'v3');
  assert.deepEqual(await promoter.rollbackManually({}), { from: 'v3', to: 'v1' }, 'v3 was fine-tuned from v1: that is what served before it');
});

test('after a restart the lineage is read from the manifests: re-promoted v2 rolls back to v3, the restored v1', async (t) => {
  const { dir, promoter } = await setup(t);
  rmSync(path.join(dir, 'v1'), { recursive: true });
  await promoter.rollbackTo('v1', 'automatic rollback: v2 regressed', undefined, 'v2');
  await promoter.rollbackManually({ version: 'v2' });
  await promoter.idle();
  const svc = await createModelService(ftConfig({ model: { dir, followIntervalMs: 0, keepVersions: 5 } }), createLogger({ level: 'silent', name: 't' }), createMetrics({ defaultMetrics: false }));
  t.after(() => svc.stop());
  assert.equal(svc.info().version, 'v2', 'the restart serves what current.json records');
  assert.equal((await svc.rollback({})).version, 'v3', "read from the manifests after a restart: v2's parent v1 lives on as v3");
});

test('the rollback from re-promoted v2 to v3 (the restored v1) counts as a rollback: direction older, last-rollback time set', async (t) => {
  const { dir, promoter } = await setup(t);
  rmSync(path.join(dir, 'v1'), { recursive: true });
  await promoter.rollbackTo('v1', 'automatic rollback: v2 regressed', undefined, 'v2');
  await promoter.rollbackManually({ version: 'v2' });
  await promoter.idle();
  const metrics = createMetrics({ defaultMetrics: false });
  const svc = await createModelService(ftConfig({ model: { dir, followIntervalMs: 0, keepVersions: 5 } }), createLogger({ level: 'silent', name: 't' }), metrics);
  t.after(() => svc.stop());
  assert.equal((await svc.rollback({})).version, 'v3');
  const text = await metrics.registry.metrics();
  assert.match(text, /tickcast_model_manual_changes_total\{direction="older"\} 1/, 'v3 holds v1: going there is a rollback, though its number is higher');
  assert.match(text, /tickcast_model_manual_changes_total\{direction="newer"\} 0/);
  assert.doesNotMatch(text, /tickcast_model_last_rollback_timestamp_seconds 0\n/, 'the last-rollback time is set');
});

test("a copy of a copy (v5 restoring v3, itself v1 restored) stands for v1: v2's predecessor once v3 is gone too, and older than v2", async (t) => {
  const { dir, promoter, registry } = await setup(t);
  rmSync(path.join(dir, 'v1'), { recursive: true });
  await promoter.rollbackTo('v1', 'automatic rollback: v2 regressed', undefined, 'v2');
  assert.equal(await promoter.promote(weights(4), { source: 'finetune', round: 2 }, undefined as never), 'v4');
  rmSync(path.join(dir, 'v3'), { recursive: true }); // v4's parent deleted by hand while v4 is watched
  await promoter.rollbackTo('v3', 'automatic rollback: v4 regressed', undefined, 'v4');
  assert.equal(promoter.champion.version, 'v5', 'v3 (v1) restored again as v5');
  assert.deepEqual([promoter.champion.meta.restoredFrom, promoter.champion.meta.restoredOrigin, promoter.champion.meta.restoredSource], ['v3', 'v1', 'bootstrap']);
  assert.equal(await registry.position('v5'), 1, 'v5 holds v1: its place in the lineage is v1\'s');
  assert.deepEqual(await promoter.rollbackManually({ version: 'v2' }), { from: 'v5', to: 'v2' });
  assert.deepEqual(await promoter.rollbackManually({}), { from: 'v2', to: 'v5' }, "v2's parent v1 lives on as v5 (v3 is gone)");
});

test('GET /v1/model names the restored copies: restoredVersions {version, restoredFrom, origin} (a copy of a copy: its origin too), after a restart as well', async (t) => {
  const { dir, promoter } = await setup(t);
  rmSync(path.join(dir, 'v1'), { recursive: true });
  await promoter.rollbackTo('v1', 'automatic rollback: v2 regressed', undefined, 'v2');
  assert.equal(await promoter.promote(weights(4), { source: 'finetune', round: 2 }, undefined as never), 'v4');
  await promoter.rollbackTo('v3', 'automatic rollback: v4 regressed', undefined, 'v4'); // v3 still on disk: served as is
  await promoter.rollbackManually({ version: 'v4' });
  rmSync(path.join(dir, 'v3'), { recursive: true });
  await promoter.rollbackTo('v3', 'automatic rollback: v4 regressed again', undefined, 'v4'); // restored again: v5
  await promoter.idle();
  const svc = await createModelService(ftConfig({ model: { dir, followIntervalMs: 0, keepVersions: 5 } }), createLogger({ level: 'silent', name: 't' }), createMetrics({ defaultMetrics: false }));
  t.after(() => svc.stop());
  class Served extends TrendServing {
    override modelInfo(): ModelInfo {
      return svc.info();
    }
  }
  const { app } = await build({ apiKeys: [KEY] }, new Served());
  t.after(() => app.close());
  const res = await app.inject({ url: '/v1/model', headers: { authorization: `Bearer ${KEY}` } });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json().versions, ['v5', 'v4', 'v2']);
  assert.deepEqual(res.json().restoredVersions, [{ version: 'v5', restoredFrom: 'v3', origin: 'v1' }]);
});
