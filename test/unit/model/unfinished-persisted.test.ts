/**
 * Unfinished promotions (saved, never recorded as current) are told by their number: above the
 * `newest` of current.json. Until 7 Dec 2026 a later write of current.json (any change of the
 * serving version, on any replica) put an earlier unfinished candidate at or below `newest`: after
 * a restart it was no longer reported, and a rollback without a version could land on it. Now
 * current.json lists them (`unfinished`: version → parent), kept by every later write while they
 * are on disk and not served.
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
import { readCurrentRecord, writeCurrent } from '../../../src/model/shared-dir/current-pointer.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { FT_HYBRID, FT_SPEC, ftConfig } from '../finetune/helpers.ts';

async function dirWithTwoCandidates(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-unfinished-persisted-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const store = new CheckpointStore({ dir, keep: 5 });
  for (const [seed, meta] of [[1, { source: 'bootstrap' }], [2, { source: 'finetune', round: 1, parent: 'v1' }], [3, { source: 'finetune', round: 2, parent: 'v1' }]] as const) {
    const m = HybridModel.create(FT_HYBRID, FT_SPEC, seed);
    await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta });
    m.dispose();
  }
  // v1 recorded before v2 and v3 were saved: both are promotions over v1 that never completed.
  writeFileSync(path.join(dir, 'current.json'), `${JSON.stringify({ version: 'v1', by: 'replica-b', at: new Date().toISOString(), epoch: 0, newest: 1 })}\n`);
  return dir;
}

const start = async (t: { after: (fn: () => Promise<void>) => void }, dir: string) => {
  const svc = await createModelService(ftConfig({ model: { dir, followIntervalMs: 0 } }), createLogger({ level: 'silent', name: 't' }), createMetrics({ defaultMetrics: false }));
  t.after(() => svc.stop());
  return svc;
};

test('an unfinished candidate stays reported and skipped after a later record and a restart', async (t) => {
  const dir = await dirWithTwoCandidates(t);
  const a = await start(t, dir);
  assert.deepEqual(a.info().unfinishedVersions?.map((u) => u.version), ['v3', 'v2']);
  assert.equal((await a.rollback({ version: 'v3' })).version, 'v3', 'the operator serves v3 by name (recorded, newest 3)');
  assert.deepEqual(a.info().unfinishedVersions?.map((u) => u.version), ['v2']);
  await a.stop();
  const b = await start(t, dir); // a restart
  assert.equal(b.info().version, 'v3');
  assert.deepEqual(b.info().unfinishedVersions?.map((u) => [u.version, u.parent]), [['v2', 'v1']], 'still reported after the restart');
  assert.equal((await b.rollback({})).version, 'v1', 'a rollback without a version skips the never-finished v2');
});

test('a record written by a replica that does not know them keeps the listed ones; serving one or its removal drops it', async (t) => {
  const dir = await dirWithTwoCandidates(t);
  const a = await start(t, dir);
  await a.rollback({ version: 'v3' });
  assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'current.json'), 'utf8')).unfinished, { v2: 'v1' });
  await writeCurrent(dir, 'v1', 'replica-c', undefined, 'manual'); // another replica's change, knowing nothing
  assert.deepEqual((await readCurrentRecord(dir))?.unfinished, { v2: 'v1' }, 'kept');
  await writeCurrent(dir, 'v2', 'replica-c', undefined, 'manual'); // served by name: finished
  assert.equal((await readCurrentRecord(dir))?.unfinished, undefined);
  // Records of earlier releases (no `unfinished`) and a malformed one read as before.
  writeFileSync(path.join(dir, 'current.json'), '{"version":"v1","unfinished":["v2"]}\n');
  assert.deepEqual(await readCurrentRecord(dir), { version: 'v1', epoch: 0 });
});
