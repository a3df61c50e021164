/** The version registry's listing follows what it finds: a version found damaged on a rollback stops being offered at once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { resolveHybridConfig } from '../../../src/model/config.ts';
import { VersionRegistry } from '../../../src/model/version-registry.ts';
import { initBackend } from '../../../src/model/backend.ts';
import { createModel } from '../../../src/model/hybrid-model.ts';
import { SMALL_CONFIG, SMALL_SPEC } from '../http/support/model-serving.ts';

test('a rollback that finds its version damaged refreshes the listing: versions stops offering it, damagedVersions names it', async (t) => {
  await initBackend();
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-registry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new CheckpointStore({ dir, keep: 5 });
  for (const seed of [1, 2]) {
    const m = createModel(SMALL_CONFIG, SMALL_SPEC, seed);
    await store.save({ config: resolveHybridConfig(SMALL_CONFIG), spec: SMALL_SPEC, weights: m.getWeights(), meta: {} });
    m.dispose();
  }
  const registry = new VersionRegistry(store, 5);
  await registry.refresh();
  assert.deepEqual(registry.versions, ['v2', 'v1']);
  truncateSync(path.join(dir, 'v1', 'weights.bin'), 10); // damaged while the service runs
  await assert.rejects(registry.find('v1'), (err: { code?: string; statusCode?: number }) => err.code === 'TC_MODEL_ARTIFACT_CORRUPT' && err.statusCode === 409);
  assert.deepEqual(registry.versions, ['v2'], 'no longer offered');
  assert.deepEqual(registry.damaged.map((d) => d.version), ['v1']);
});

test('the listing after a version was loaded (a rollback, a followed version) does not read and hash that version again; a version changed since is verified again', async (t) => {
  await initBackend();
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-registry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const writer = new CheckpointStore({ dir, keep: 5 });
  const save = async (seed: number) => {
    const m = createModel(SMALL_CONFIG, SMALL_SPEC, seed);
    await writer.save({ config: resolveHybridConfig(SMALL_CONFIG), spec: SMALL_SPEC, weights: m.getWeights(), meta: {} });
    m.dispose();
  };
  await save(1);
  const store = new CheckpointStore({ dir, keep: 5 });
  const registry = new VersionRegistry(store, 5);
  await registry.refresh();
  await save(2); // promoted by another replica
  const loads = t.mock.method(store, 'load');
  await registry.find('v2'); // followed
  await registry.refresh();
  assert.deepEqual(registry.versions, ['v2', 'v1']);
  assert.deepEqual(loads.mock.calls.map((c) => c.arguments[0]), ['v2'], 'read and hashed once');
  truncateSync(path.join(dir, 'v2', 'weights.bin'), 10);
  await registry.refresh();
  assert.deepEqual(registry.versions, ['v1'], 'changed since: verified again, and found damaged');
});

test('a held version whose directory was deleted by hand is no longer listed, so a rollback without a version skips it', async (t) => {
  await initBackend();
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-registry-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const registry = new VersionRegistry(new CheckpointStore({ dir, keep: 5 }), 5);
  for (const seed of [1, 2, 3]) {
    const m = createModel(SMALL_CONFIG, SMALL_SPEC, seed);
    await registry.add({ config: resolveHybridConfig(SMALL_CONFIG), spec: SMALL_SPEC, weights: m.getWeights(), meta: {} }); // held in memory and saved
    m.dispose();
  }
  assert.deepEqual(await registry.refresh(), ['v3', 'v2', 'v1']);
  rmSync(path.join(dir, 'v2'), { recursive: true }); // an operator removes a bad version
  assert.deepEqual(await registry.refresh(), ['v3', 'v1'], 'GET /v1/model versions no longer offers it');
  assert.equal(await registry.olderThan('v3'), 'v1', 'a rollback without a version does not record a version no restart can load');
});
