/**
 * A promotion that fails after its version was saved (its engine could not be built: a serving
 * thread that crashed, out of memory) leaves the serving version as it was and no trace on disk:
 * until 6 Dec 2026 the saved version stayed in model.dir, newer than current.json, and the next
 * start served it as a model copied in (shared-dir/current-pointer.ts copiedInSince) — a
 * challenger that never served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, promises as fsp, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TickcastError, ErrorCodes } from '../../../src/errors/index.ts';
import { initBackend } from '../../../src/model/backend.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { TfjsPredictor } from '../../../src/model/predictor.ts';
import { Promoter } from '../../../src/model/promoter.ts';
import { copiedInSince, readCurrent, writeCurrent } from '../../../src/model/shared-dir/current-pointer.ts';
import { VersionRegistry } from '../../../src/model/version-registry.ts';
import type { Predictor, PredictorSlot } from '../../../src/pipeline/ports.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { FT_HYBRID, FT_SPEC } from '../finetune/helpers.ts';

test('a promotion whose engine cannot be built keeps the champion serving and removes the saved version, so a restart does not serve it', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-promote-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { name: backend } = await initBackend();
  const weights = (seed: number) => {
    const m = HybridModel.create(FT_HYBRID, FT_SPEC, seed);
    const w = m.getWeights();
    m.dispose();
    return w;
  };
  const store = new CheckpointStore({ dir, keep: 5 });
  const registry = new VersionRegistry(store, 5);
  const v1 = await registry.add({ config: FT_HYBRID, spec: FT_SPEC, weights: weights(1), meta: {} });
  await writeCurrent(dir, v1.version, 'test');
  await new Promise((r) => setTimeout(r, 20)); // a later mtime for what is written next
  const live: Predictor[] = [];
  let crash = false;
  const build = async (v: { version: string; config: typeof FT_HYBRID; spec: typeof FT_SPEC; weights: ReturnType<typeof weights> }): Promise<Predictor> => {
    if (crash) throw new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, 'ONNX serving thread exited (code 1) before its session was open');
    const p = new TfjsPredictor(HybridModel.fromWeights(v.config, v.spec, v.weights), { version: v.version, backend });
    live.push(p);
    return p;
  };
  let current = await build(v1);
  const slot: PredictorSlot = { get predictor() { return current; }, swap: (next) => void (current = next) };
  const promoter = new Promoter({ registry, build, slot, serving: v1, logger: createLogger({ level: 'silent', name: 't' }), metrics: createMetrics({ defaultMetrics: false }), saveCurrent: (v) => writeCurrent(dir, v, 'test') });
  t.after(async () => {
    for (const p of live) await p.dispose();
  });
  crash = true;
  await assert.rejects(promoter.promote(weights(2), { source: 'finetune' }, undefined as never), (e: TickcastError) => e.code === ErrorCodes.ENGINE_UNAVAILABLE);
  assert.equal(promoter.champion.version, 'v1');
  assert.equal(slot.predictor.version, 'v1');
  assert.equal(await readCurrent(dir), 'v1');
  assert.deepEqual(await store.list(), ['v1'], 'the challenger that never served is not left in model.dir');
  assert.deepEqual(await copiedInSince(dir, 'v1', await store.list()), [], 'a restart serves v1');
  crash = false; // the next promotion works
  assert.equal(await promoter.promote(weights(3), { source: 'finetune' }, undefined as never), 'v2');
  assert.equal(slot.predictor.version, 'v2');
  assert.equal(await readCurrent(dir), 'v2');
});

test('a save whose pruning of an old version fails (permissions) still saves: the version is in place and the failure is a warning', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-prune-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const warnings: string[] = [];
  const store = new CheckpointStore({ dir, keep: 1, log: (level, msg) => level === 'warn' && warnings.push(msg) });
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 1);
  const a = { config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: {} };
  m.dispose();
  assert.equal(await store.save(a), 'v1');
  const rm = fsp.rm.bind(fsp);
  t.mock.method(fsp, 'rm', async (p: string, o: Parameters<typeof fsp.rm>[1]) => {
    if (p === path.join(dir, 'v1')) throw Object.assign(new Error(`EACCES: permission denied, rmdir '${p}'`), { code: 'EACCES' });
    return rm(p, o);
  });
  assert.equal(await store.save(a), 'v2');
  assert.deepEqual(await store.list(), ['v2', 'v1']);
  assert.match(warnings.join('\n'), /saved v2, but older versions could not be pruned: .*EACCES/);
});

test('a promotion on a full model.dir (ENOSPC writing the challenger) fails with TC_MODEL_DIR_UNWRITABLE naming the errno; the champion keeps serving, nothing is left on disk, and the next promotion works once there is room', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-full-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { name: backend } = await initBackend();
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 1);
  const w = m.getWeights();
  m.dispose();
  const store = new CheckpointStore({ dir, keep: 5 });
  const registry = new VersionRegistry(store, 5);
  const v1 = await registry.add({ config: FT_HYBRID, spec: FT_SPEC, weights: w, meta: {} });
  const live: Predictor[] = [];
  const build = async (v: { version: string }): Promise<Predictor> => {
    const p = new TfjsPredictor(HybridModel.fromWeights(FT_HYBRID, FT_SPEC, w), { version: v.version, backend });
    live.push(p);
    return p;
  };
  let current = await build(v1);
  const slot: PredictorSlot = { get predictor() { return current; }, swap: (next) => void (current = next) };
  const promoter = new Promoter({ registry, build, slot, serving: v1, logger: createLogger({ level: 'silent', name: 't' }), metrics: createMetrics({ defaultMetrics: false }) });
  t.after(async () => {
    for (const p of live) await p.dispose();
  });
  const mkdir = fsp.mkdir.bind(fsp);
  const full = t.mock.method(fsp, 'mkdir', async (p: string, o: Parameters<typeof fsp.mkdir>[1]) => {
    if (path.basename(p).startsWith('.tmp-')) throw Object.assign(new Error(`ENOSPC: no space left on device, mkdir '${p}'`), { code: 'ENOSPC' });
    return mkdir(p, o);
  });
  await assert.rejects(promoter.promote(w, { source: 'finetune' }, undefined as never), (e: TickcastError) => {
    assert.equal(e.code, ErrorCodes.MODEL_DIR_UNWRITABLE);
    assert.equal(e.details?.errno, 'ENOSPC');
    assert.match(e.message, /challenger could not be saved in model.dir; not promoted, v1 keeps serving \(ENOSPC/);
    return true;
  });
  assert.equal(slot.predictor.version, 'v1');
  assert.deepEqual(readdirSync(dir), ['v1']);
  full.mock.restore();
  assert.equal(await promoter.promote(w, { source: 'finetune' }, undefined as never), 'v2');
  assert.equal(slot.predictor.version, 'v2');
});
