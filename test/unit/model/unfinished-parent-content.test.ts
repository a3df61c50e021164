/**
 * A start tells its own unfinished promotion (fine-tuned from the recorded version, saved, never
 * recorded) from a fine-tuned checkpoint copied from another directory by the parent's content
 * (`training.parentSha256`, written by promotions since 7 Dec 2026), not by its name alone: every
 * deployment has a `v1`. Until then a copy whose parent was another directory's `v1` was taken for
 * an unfinished promotion and not served.
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
import { readCurrent, writeCurrent } from '../../../src/model/shared-dir/current-pointer.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { FT_HYBRID, FT_SPEC, ftConfig } from '../finetune/helpers.ts';

/** v1 recorded as current, then v2 fine-tuned from a `v1` whose weights have sha256 `parentSha256` (undefined: `v1` here's). */
async function start(t: { after: (fn: () => void) => void }, parentSha256?: string): Promise<{ served: string; unfinished: string[]; recorded: string | null }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-parentsha-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const store = new CheckpointStore({ dir, keep: 5 });
  const m1 = HybridModel.create(FT_HYBRID, FT_SPEC, 1);
  await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m1.getWeights(), meta: { seed: 1 } });
  m1.dispose();
  await writeCurrent(dir, 'v1', 'test');
  await new Promise((r) => setTimeout(r, 20)); // v2 is written later (mtime) than the record
  const own = (await store.load('v1')).weightsSha256;
  const m2 = HybridModel.create(FT_HYBRID, FT_SPEC, 2);
  await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m2.getWeights(), meta: { source: 'finetune', round: 3, parent: 'v1', parentSha256: parentSha256 ?? own } });
  m2.dispose();
  const registry = new VersionRegistry(store, 5);
  const served = await loadInitialVersion(registry, ftConfig({ model: { dir } }), FT_HYBRID, FT_SPEC, {}, createLogger({ level: 'silent', name: 't' }));
  await registry.refresh();
  return { served: served.version, unfinished: registry.unfinished.map((u) => u.version), recorded: await readCurrent(dir) };
}

test('a fine-tuned checkpoint copied in whose parent has the recorded name but other weights is served as copied in', async (t) => {
  assert.deepEqual(await start(t, 'f'.repeat(64)), { served: 'v2', unfinished: [], recorded: 'v2' });
});

test('a fine-tuned version whose parent is the recorded version, content included, is still an unfinished promotion', async (t) => {
  assert.deepEqual(await start(t), { served: 'v1', unfinished: ['v2'], recorded: 'v1' });
});

// Found 7 Dec 2026 (review): with the recorded parent's manifest unreadable (its directory deleted
// by hand, or the manifest damaged) the content check read no sha256, took the unfinished
// promotion for a copy and served it, recording it as current; before parentSha256 it was not served.
for (const [how, spoil] of [
  ['deleted by hand', (d: string) => rmSync(d, { recursive: true, force: true })],
  ['whose manifest is damaged', (d: string) => writeFileSync(path.join(d, 'model.json'), '{"format": "tick')],
] as const) {
  test(`an unfinished promotion over a recorded version ${how} is still not served (its parent's content cannot be read: told by the name)`, async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tc-parentsha-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    await initBackend();
    const store = new CheckpointStore({ dir, keep: 5 });
    const save = async (seed: number, meta: Record<string, unknown>) => {
      const m = HybridModel.create(FT_HYBRID, FT_SPEC, seed);
      await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta });
      m.dispose();
    };
    await save(1, { seed: 1 });
    await save(2, { seed: 2 });
    await writeCurrent(dir, 'v2', 'test');
    await new Promise((r) => setTimeout(r, 20)); // v3 is written later (mtime) than the record
    await save(3, { source: 'finetune', round: 1, parent: 'v2', parentSha256: (await store.load('v2')).weightsSha256 });
    spoil(path.join(dir, 'v2'));
    const registry = new VersionRegistry(store, 5);
    const served = await loadInitialVersion(registry, ftConfig({ model: { dir } }), FT_HYBRID, FT_SPEC, {}, createLogger({ level: 'silent', name: 't' }));
    await registry.refresh();
    assert.deepEqual({ served: served.version, unfinished: registry.unfinished.map((u) => u.version) }, { served: 'v1', unfinished: ['v3'] });
    assert.notEqual(await readCurrent(dir), 'v3', 'the candidate is not recorded as current');
  });
}
