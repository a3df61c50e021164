/**
 * A version whose directory an operator deleted from model.dir while this replica still holds it
 * in memory. Until 7 Dec 2026 a manual rollback naming it served it from memory and recorded it in
 * current.json — a version no restart or other replica could load (a restart then fell back to the
 * newest good one, undoing the rollback). Now it is refused (404 TC_MODEL_NOT_LOADED, saying why).
 * The automatic rollback of a regressed promotion served it from memory and recorded it too (a
 * restart served the regressed model); now it saves the held weights again as the next version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '../../../src/model/backend.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { resolveHybridConfig } from '../../../src/model/config.ts';
import { createModel } from '../../../src/model/hybrid-model.ts';
import { TfjsPredictor } from '../../../src/model/predictor.ts';
import { Promoter } from '../../../src/model/promoter.ts';
import { VersionRegistry, type ModelVersion } from '../../../src/model/version-registry.ts';
import { readCurrent, writeCurrent } from '../../../src/model/shared-dir/current-pointer.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import type { Predictor, PredictorSlot } from '../../../src/pipeline/ports.ts';
import { ErrorCodes, type TickcastError } from '../../../src/errors/index.ts';
import { SMALL_CONFIG, SMALL_SPEC } from '../http/support/model-serving.ts';

async function setup(t: { after: (fn: () => Promise<void> | void) => void }) {
  const { name: backend } = await initBackend();
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-rollback-deleted-'));
  const registry = new VersionRegistry(new CheckpointStore({ dir, keep: 5 }), 5);
  const versions: ModelVersion[] = [];
  for (const seed of [1, 2, 3]) {
    const m = createModel(SMALL_CONFIG, SMALL_SPEC, seed);
    versions.push(await registry.add({ config: resolveHybridConfig(SMALL_CONFIG), spec: SMALL_SPEC, weights: m.getWeights(), meta: {} })); // held and saved
    m.dispose();
  }
  const live: Predictor[] = [];
  const build = async (v: { version: string }): Promise<Predictor> => {
    const p = new TfjsPredictor(createModel(SMALL_CONFIG, SMALL_SPEC, 7), { version: v.version, backend });
    live.push(p);
    return p;
  };
  let current = await build(versions[2]);
  const slot: PredictorSlot = { get predictor() { return current; }, swap: (next) => void (current = next) };
  await writeCurrent(dir, 'v3', 'test');
  const promoter = new Promoter({ registry, build, slot, serving: versions[2], logger: createLogger({ level: 'silent', name: 't' }), metrics: createMetrics({ defaultMetrics: false }), saveCurrent: (v) => writeCurrent(dir, v, 'test') });
  await registry.refresh();
  t.after(async () => {
    for (const p of live) await p.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, promoter, versions };
}

test('a manual rollback naming a version whose directory was deleted by hand is refused (404), nothing changes', async (t) => {
  const { dir, promoter } = await setup(t);
  rmSync(path.join(dir, 'v2'), { recursive: true }); // an operator removes a bad version
  await assert.rejects(promoter.rollbackManually({ version: 'v2' }), (err: TickcastError) => {
    assert.equal(err.code, ErrorCodes.MODEL_NOT_LOADED);
    assert.equal(err.statusCode, 404);
    assert.match(err.message, /v2 was removed from model\.dir .*no restart or other replica can load/);
    assert.match(err.message, /known: v3, v1/);
    return true;
  });
  assert.equal(promoter.champion.version, 'v3', 'still serving v3');
  assert.equal(await readCurrent(dir), 'v3', 'current.json does not name a version that is not there');
  assert.deepEqual(await promoter.rollbackManually({ version: 'v1' }), { from: 'v3', to: 'v1' }, 'a version still on disk is served');
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'current.json'), 'utf8')).version, 'v1');
});

test('the automatic rollback to a parent whose directory was deleted saves its weights again as a new version, recorded, that a restart loads', async (t) => {
  const { dir, promoter, versions } = await setup(t);
  rmSync(path.join(dir, 'v2'), { recursive: true });
  await promoter.rollbackTo('v2', 'automatic rollback: v3 regressed', undefined, 'v3');
  assert.equal(promoter.champion.version, 'v4', 'the regressed model does not keep serving: v2 serves again, saved as v4');
  assert.equal(await readCurrent(dir), 'v4', 'current.json names a version on disk');
  // A restart (or another replica) loads what was rolled back to: v2's weights, with its lineage.
  const loaded = await new CheckpointStore({ dir, keep: 5 }).load('v4');
  assert.equal(loaded.meta.restoredFrom, 'v2');
  assert.equal(loaded.meta.source, 'restored', 'never taken for an unfinished fine-tune promotion');
  for (const [name, w] of Object.entries(versions[1].weights)) assert.deepEqual(loaded.weights[name].data, w.data, name);
});

test('a rollback without a version from a restored version goes below the version it restores, not to the regressed promotion', async (t) => {
  const { dir, promoter } = await setup(t);
  rmSync(path.join(dir, 'v2'), { recursive: true });
  await promoter.rollbackTo('v2', 'automatic rollback: v3 regressed', undefined, 'v3');
  assert.equal(promoter.champion.version, 'v4');
  assert.deepEqual(await promoter.rollbackManually({}), { from: 'v4', to: 'v1' }, 'v4 is v2 again: older than it is v1 (v3 is the regressed model)');
});
