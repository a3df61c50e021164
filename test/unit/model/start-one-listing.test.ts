/**
 * A start decides from one listing of model.dir (src/model/initial-version.ts). Until 7 Dec 2026 a
 * start with a damaged current.json listed the directory to find the unfinished promotions, then
 * listed it again to load the newest good version: a candidate another replica saved in between
 * (its promotion in progress, not yet recorded) was never examined — and was served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '../../../src/model/backend.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { VersionRegistry } from '../../../src/model/version-registry.ts';
import { loadInitialVersion } from '../../../src/model/initial-version.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { FT_HYBRID, FT_SPEC, ftConfig } from '../finetune/helpers.ts';

test('a start with a damaged current.json does not serve a candidate another replica saved while it was deciding', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-onelisting-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const save = async (seed: number, meta: Record<string, unknown>) => {
    const m = HybridModel.create(FT_HYBRID, FT_SPEC, seed);
    await new CheckpointStore({ dir, keep: 5 }).save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta }); // another process's store
    m.dispose();
  };
  await save(1, { seed: 1 });
  writeFileSync(path.join(dir, 'current.json'), '{"version": "v1", "by": "te'); // damaged in place
  const store = new CheckpointStore({ dir, keep: 5 });
  // Once the start has cleaned temp entries, the first listing it takes lets replica b's promotion save v2 (fine-tuned from v1, not yet recorded).
  let armed = false;
  const clean = store.cleanTemp.bind(store), list = store.list.bind(store);
  store.cleanTemp = async (age) => {
    const n = await clean(age);
    armed = true;
    return n;
  };
  store.list = async () => {
    const l = await list();
    if (armed) {
      armed = false;
      await save(2, { source: 'finetune', round: 1, parent: 'v1' });
    }
    return l;
  };
  const served = await loadInitialVersion(new VersionRegistry(store, 5), ftConfig({ model: { dir } }), FT_HYBRID, FT_SPEC, {}, createLogger({ level: 'silent', name: 't' }));
  assert.deepEqual(await list(), ['v2', 'v1'], 'replica b saved its candidate during the start');
  assert.equal(served.version, 'v1', 'the candidate saved after the start listed the directory is not served');
});
