/**
 * Two replicas over one model.dir: replica A's promotion saved v3 over the recorded v2 and died
 * before its record; replica B, started before v3 was saved, never saw it and then recorded a
 * manual rollback. current.json names the newest version in the directory (`newest`), so v3 was
 * no longer "written after the record", and B did not list it in `unfinished` either: until
 * 7 Dec 2026 a restart neither reported v3 nor kept a rollback without a version off it. Now every
 * write of current.json carries the promotions written after the record it replaces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '../../../src/model/backend.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { createModelService } from '../../../src/model/model-service.ts';
import { readCurrentRecord } from '../../../src/model/shared-dir/current-pointer.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { FT_HYBRID, FT_SPEC, ftConfig } from '../finetune/helpers.ts';

const save = async (store: CheckpointStore, seed: number, meta: Record<string, unknown>) => {
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, seed);
  const v = await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta });
  m.dispose();
  return v;
};

test('a record written by a replica that never saw an unfinished promotion keeps it unfinished across a restart', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-unfinished-unseen-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const store = new CheckpointStore({ dir, keep: 5 });
  await save(store, 1, { source: 'bootstrap' });
  await save(store, 2, { source: 'finetune', round: 1, parent: 'v1', parentSha256: await store.recordedSha256('v1') });
  writeFileSync(path.join(dir, 'current.json'), `${JSON.stringify({ version: 'v2', by: 'replica-a', at: new Date().toISOString(), epoch: 1, change: 'promotion', newest: 2 })}\n`);
  const start = async () => {
    const svc = await createModelService(ftConfig({ model: { dir, followIntervalMs: 0 } }), createLogger({ level: 'silent', name: 't' }), createMetrics({ defaultMetrics: false }));
    t.after(() => svc.stop());
    return svc;
  };
  const b = await start(); // replica B
  assert.equal(b.info().version, 'v2');
  // Replica A's promotion over v2: saved, then killed before current.json was written.
  assert.equal(await save(new CheckpointStore({ dir, keep: 5 }), 3, { source: 'finetune', round: 2, parent: 'v2', parentSha256: await store.recordedSha256('v2') }), 'v3');
  assert.equal(b.info().unfinishedVersions, undefined, 'B has not seen v3');
  assert.equal((await b.rollback({ version: 'v1' })).version, 'v1', "B's operator rolls back to v1 (recorded)");
  const rec = await readCurrentRecord(dir);
  assert.deepEqual([rec?.version, rec?.unfinished], ['v1', { v3: 'v2' }], 'the record keeps v3 listed as unfinished');
  await b.stop();
  const c = await start(); // a restart
  assert.equal(c.info().version, 'v1');
  assert.deepEqual(c.info().unfinishedVersions?.map((u) => [u.version, u.parent]), [['v3', 'v2']], 'still reported after the restart');
  assert.equal(await save(new CheckpointStore({ dir, keep: 5 }), 4, { source: 'train' }), 'v4', 'the next number is above every directory on disk');
});
