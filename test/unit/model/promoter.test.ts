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
import { ErrorCodes, TickcastError } from '../../../src/errors/index.ts';

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

test('manual rollback never swaps in a version of another spec: named, 409 before an engine is built; by default it is skipped', async () => {
  const { name: backend } = await initBackend();
  const registry = new VersionRegistry(null, 5);
  const config = resolveHybridConfig(SMALL_CONFIG);
  const other = { ...SMALL_SPEC, window: SMALL_SPEC.window / 2 };
  const v1 = await registry.add({ config, spec: SMALL_SPEC, weights: {}, meta: {} });
  await registry.add({ config, spec: other, weights: {}, meta: {} }); // v2: e.g. `tickcast train --window 16` into model.dir
  const v3 = await registry.add({ config, spec: SMALL_SPEC, weights: {}, meta: {} });
  const built: string[] = [];
  const live: Predictor[] = [];
  const build = async (v: { version: string; spec: typeof SMALL_SPEC }): Promise<Predictor> => {
    built.push(v.version);
    const p = new TfjsPredictor(createModel(SMALL_CONFIG, v.spec, 7), { version: v.version, backend });
    live.push(p);
    return p;
  };
  let current = await build(v3);
  // As the InferenceStage: a predictor of another spec is refused.
  const slot: PredictorSlot = {
    get predictor() { return current; },
    swap: (next) => {
      if (next.spec.window !== current.spec.window) throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_MISMATCH, 'spec differs');
      current = next;
    },
  };
  const promoter = new Promoter({ registry, build, slot, serving: v3, logger: createLogger({ level: 'silent', name: 't' }), metrics: createMetrics({ defaultMetrics: false }) });
  try {
    await assert.rejects(promoter.rollbackManually({ version: 'v2' }), (err: TickcastError) => {
      assert.equal(err.code, ErrorCodes.MODEL_ARTIFACT_MISMATCH);
      assert.equal(err.statusCode, 409, 'a conflict the caller resolves by naming another version, not a server error');
      assert.match(err.message, /model v2 cannot serve on this instance: .*window 32 ≠ 16/);
      return true;
    });
    assert.deepEqual(built, ['v3'], 'no engine built for a version that cannot be swapped in');
    assert.equal(promoter.champion.version, 'v3');
    assert.deepEqual(await promoter.rollbackManually({}), { from: 'v3', to: 'v1' });
    assert.equal(promoter.champion.version, v1.version, 'the previous version with the serving spec; v2 skipped');
    assert.equal(current.version, 'v1');
    await assert.rejects(promoter.rollbackManually({}), /no version older than v1 to roll back to/);
  } finally {
    for (const p of live) await p.dispose();
  }
});

test('a built engine the slot refuses is disposed, not leaked', async () => {
  const { name: backend } = await initBackend();
  const registry = new VersionRegistry(null, 5);
  const v1 = await registry.add({ config: resolveHybridConfig(SMALL_CONFIG), spec: SMALL_SPEC, weights: {}, meta: {} });
  const v2 = await registry.add({ config: resolveHybridConfig(SMALL_CONFIG), spec: SMALL_SPEC, weights: {}, meta: {} });
  const disposed: string[] = [];
  const build = async (v: { version: string }): Promise<Predictor> => {
    const p = new TfjsPredictor(createModel(SMALL_CONFIG, SMALL_SPEC, 7), { version: v.version, backend });
    const dispose = p.dispose.bind(p);
    p.dispose = async () => {
      disposed.push(v.version);
      await dispose();
    };
    return p;
  };
  const current = await build(v2);
  const slot: PredictorSlot = { get predictor() { return current; }, swap: () => { throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_MISMATCH, 'refused'); } };
  const promoter = new Promoter({ registry, build, slot, serving: v2, logger: createLogger({ level: 'silent', name: 't' }), metrics: createMetrics({ defaultMetrics: false }) });
  try {
    await assert.rejects(promoter.rollbackTo(v1.version, 'test'), /refused/);
    assert.deepEqual(disposed, ['v1']);
    assert.equal(promoter.champion.version, 'v2');
  } finally {
    await current.dispose();
  }
});

/** v1…v3 in memory (no store), v3 serving through a promoter; `live`: every predictor built, to dispose. */
async function servingV3() {
  const { name: backend } = await initBackend();
  const registry = new VersionRegistry(null, 5);
  const config = resolveHybridConfig(SMALL_CONFIG);
  for (let i = 0; i < 3; i++) await registry.add({ config, spec: SMALL_SPEC, weights: {}, meta: {} });
  const live: Predictor[] = [];
  const build = async (v: { version: string }): Promise<Predictor> => {
    const p = new TfjsPredictor(createModel(SMALL_CONFIG, SMALL_SPEC, 7), { version: v.version, backend });
    live.push(p);
    return p;
  };
  let current = await build(await registry.find('v3'));
  const slot: PredictorSlot = { get predictor() { return current; }, swap: (next) => void (current = next) };
  const promoter = new Promoter({ registry, build, slot, serving: await registry.find('v3'), logger: createLogger({ level: 'silent', name: 't' }), metrics: createMetrics({ defaultMetrics: false }) });
  return { registry, promoter, live, slot };
}

test('an automatic rollback queued behind an operator pin or manual rollback is refused: the operator wins', async () => {
  const { promoter, live, slot } = await servingV3();
  const current = { get version() { return slot.predictor.version; } };
  try {
    // The watch of v3's promotion decides to roll back to v2 while an operator pins v3 (the REST call is ahead in the queue).
    const pin = promoter.rollbackManually({ version: 'v3', pin: true });
    const auto = promoter.rollbackTo('v2', 'automatic rollback: v3 regressed', undefined, 'v3');
    await pin;
    await assert.rejects(auto, (e: TickcastError) => e.statusCode === 409 && /automatic rollback to v2 not done: model v3 is pinned/.test(e.message));
    assert.equal(promoter.champion.version, 'v3');
    assert.equal(current.version, 'v3', 'the pinned version keeps serving');
    // An operator's manual rollback to v1 ahead of the automatic one (of v3, to v2) is not undone.
    const manual = promoter.rollbackManually({ version: 'v1' });
    const auto2 = promoter.rollbackTo('v2', 'automatic rollback: v3 regressed', undefined, 'v3');
    await manual;
    await assert.rejects(auto2, /v3 no longer serves \(v1 does\)/);
    assert.equal(current.version, 'v1');
    // Unpinned and still serving the promotion it rolls back: done.
    await promoter.rollbackManually({ version: 'v3' });
    await promoter.rollbackTo('v2', 'automatic rollback: v3 regressed', undefined, 'v3');
    assert.equal(current.version, 'v2');
  } finally {
    for (const p of live) await p.dispose();
  }
});

test('a manual rollback without a version skips an unfinished promotion, as a start does; naming it still serves it', async () => {
  const { registry, promoter, live } = await servingV3();
  // The start served v1 and found v2 unfinished (saved by a promotion from v1 that never recorded it); a later promotion made v3.
  registry.noteUnfinished(new Map([['v2', 'v1']]));
  await registry.refresh();
  try {
    assert.deepEqual(await promoter.rollbackManually({}), { from: 'v3', to: 'v1' }, 'v2 never passed its promotion: not the version to roll back to');
    assert.deepEqual(registry.unfinished.map((u) => u.version), ['v2'], 'still reported');
    await assert.rejects(promoter.rollbackManually({}), /no version older than v1 to roll back to/);
    assert.deepEqual(await promoter.rollbackManually({ version: 'v3' }), { from: 'v1', to: 'v3' });
    assert.deepEqual(await promoter.rollbackManually({ version: 'v2' }), { from: 'v3', to: 'v2' }, 'named: served');
    assert.deepEqual(registry.unfinished, []);
    assert.deepEqual(await promoter.rollbackManually({}), { from: 'v2', to: 'v1' });
  } finally {
    for (const p of live) await p.dispose();
  }
});
