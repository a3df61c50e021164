/**
 * A start in a model.dir without current.json records the version it serves ("start: no record",
 * src/model/initial-version.ts) — but only where still nothing is recorded: another replica sharing
 * the directory may record a change (a promotion, a rollback) between this start's read of no
 * record and its write, and that record must stand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '../../../src/model/backend.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { VersionRegistry } from '../../../src/model/version-registry.ts';
import { loadInitialVersion } from '../../../src/model/initial-version.ts';
import { readCurrent, writeCurrent } from '../../../src/model/shared-dir/current-pointer.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { FT_HYBRID, FT_SPEC, ftConfig } from '../finetune/helpers.ts';

test('a start that read no current.json does not write over a record another replica made meanwhile', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-norecord-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const store = new CheckpointStore({ dir, keep: 5 });
  for (const seed of [1, 2]) {
    const m = HybridModel.create(FT_HYBRID, FT_SPEC, seed);
    await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: { seed } });
    m.dispose();
  }
  // While this start loads the newest good version (v2), replica b records v1 (an operator's rollback).
  const load = store.loadNewestGood.bind(store);
  store.loadNewestGood = async (skip, listing) => {
    const found = await load(skip, listing);
    await writeCurrent(dir, 'v1', 'replica-b', undefined, 'manual');
    return found;
  };
  const registry = new VersionRegistry(store, 5);
  const config = ftConfig({ model: { dir } });
  const served = await loadInitialVersion(registry, config, FT_HYBRID, FT_SPEC, {}, createLogger({ level: 'silent', name: 't' }));
  assert.equal(served.version, 'v2'); // what it read; the follow moves it to the record
  assert.equal(await readCurrent(dir), 'v1', 'replica b\'s record was written over');
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'current.json'), 'utf8')).by, 'replica-b');
});

test('a start with no current.json records what it serves, by "start: no record", and leaves no temp file', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-norecord-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const store = new CheckpointStore({ dir, keep: 5 });
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 1);
  await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: {} });
  m.dispose();
  const served = await loadInitialVersion(new VersionRegistry(store, 5), ftConfig({ model: { dir } }), FT_HYBRID, FT_SPEC, {}, createLogger({ level: 'silent', name: 't' }));
  assert.equal(served.version, 'v1');
  const rec = JSON.parse(readFileSync(path.join(dir, 'current.json'), 'utf8'));
  assert.deepEqual([rec.version, rec.by, rec.epoch], ['v1', 'start: no record', 0]);
  assert.equal(await new CheckpointStore({ dir, keep: 5 }).cleanTemp(), 0);
});
