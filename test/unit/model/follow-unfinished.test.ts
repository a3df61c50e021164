/**
 * A promotion another replica saved after this replica's start and never recorded (that replica
 * died between its save and its record). Until 7 Dec 2026 only the next start reported it
 * (unfinishedVersions, tickcast_model_unfinished_versions), and meanwhile a rollback without a
 * version could land on it once a later promotion put a newer version above it. Now the follow of
 * model.dir reports it once it is older than the lease's lifetime (younger: maybe a promotion
 * still building its engine, recorded a moment later).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '../../../src/model/backend.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { createModelService } from '../../../src/model/model-service.ts';
import { writeCurrent } from '../../../src/model/shared-dir/current-pointer.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { FT_HYBRID, FT_SPEC, ftConfig } from '../finetune/helpers.ts';

test('the follow reports a promotion saved after the start and never recorded, once older than the lease; its later record is followed', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-follow-unfinished-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const other = new CheckpointStore({ dir, keep: 5 }); // replica b's store
  const save = async (seed: number, meta: Record<string, unknown>) => {
    const m = HybridModel.create(FT_HYBRID, FT_SPEC, seed);
    const v = await other.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta });
    m.dispose();
    return v;
  };
  await save(1, { source: 'bootstrap' });
  await writeCurrent(dir, 'v1', 'replica-b');
  const svc = await createModelService(ftConfig({ model: { dir, followIntervalMs: 0 } }), createLogger({ level: 'silent', name: 't' }), createMetrics({ defaultMetrics: false }));
  t.after(() => svc.stop());
  assert.equal(svc.info().version, 'v1');
  assert.equal(await save(2, { source: 'finetune', round: 1, parent: 'v1' }), 'v2'); // replica b's promotion, saved
  await svc.coordinator!.followOnce();
  assert.equal(svc.info().unfinishedVersions, undefined, 'just saved: maybe still building its engine, not reported yet');
  // Replica b died before recording it: a minute later the candidate is still unrecorded.
  const manifest = path.join(dir, 'v2', 'model.json');
  const m = JSON.parse(readFileSync(manifest, 'utf8'));
  writeFileSync(manifest, JSON.stringify({ ...m, createdAt: new Date(Date.now() - 60_000).toISOString() }));
  await svc.coordinator!.followOnce();
  const info = svc.info();
  assert.equal(info.version, 'v1', 'not served');
  assert.deepEqual(info.unfinishedVersions?.map((u) => [u.version, u.parent]), [['v2', 'v1']], 'reported without waiting for the next start');
  assert.deepEqual(info.versions, ['v2', 'v1']);
  // A rollback without a version from a later version skips it, as after a start.
  await writeCurrent(dir, 'v1', 'replica-c', undefined, 'manual');
  assert.equal(await save(3, { source: 'finetune', round: 2, parent: 'v1' }), 'v3');
  await writeCurrent(dir, 'v3', 'replica-c', undefined, 'promotion');
  await svc.coordinator!.followOnce();
  assert.equal(svc.info().version, 'v3');
  assert.equal((await svc.rollback({})).version, 'v1', 'the never-finished v2 is skipped');
});
