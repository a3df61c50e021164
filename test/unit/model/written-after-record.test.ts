/**
 * "Written after current.json was recorded" decides, at a start, whether a newer version was copied
 * in (served and recorded) or is an unfinished promotion (reported, not served). Until 7 Dec 2026 it
 * compared directory mtimes: removing a temp file inside an old version (a crashed graph save,
 * cleaned by the next start) made that version look new. Since, a record names the newest version
 * in the directory when it was written (`newest`); older records are compared by recorded times
 * (the manifest's `createdAt` against the record's `at`), never by directory mtimes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

async function dirWith(t: { after: (fn: () => void) => void }, metas: Record<string, unknown>[]): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-after-record-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  for (const [i, meta] of metas.entries()) {
    const m = HybridModel.create(FT_HYBRID, FT_SPEC, i + 1);
    await new CheckpointStore({ dir, keep: 5 }).save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta });
    m.dispose();
  }
  return dir;
}

/** A graph save inside `version` that crashed 20 minutes ago: its temp file, and the directory's mtime then. */
function oldDebris(dir: string, version: string): void {
  const old = new Date(Date.now() - 20 * 60_000);
  const tmp = path.join(dir, version, 'model.onnx.tmp-123-abcd');
  writeFileSync(tmp, 'partial graph');
  utimesSync(tmp, old, old);
  utimesSync(path.join(dir, version), old, old);
}

const start = (dir: string) => loadInitialVersion(new VersionRegistry(new CheckpointStore({ dir, keep: 5 }), 5), ftConfig({ model: { dir } }), FT_HYBRID, FT_SPEC, {}, createLogger({ level: 'silent', name: 't' }));

test('a rollback to v1 stands across a restart that cleans a temp file left inside v2 (a model copied in earlier)', async (t) => {
  const dir = await dirWith(t, [{ source: 'bootstrap' }, { source: 'train' }]);
  oldDebris(dir, 'v2');
  await writeCurrent(dir, 'v1', 'replica-a', undefined, 'manual'); // the operator rolled back from v2
  const served = await start(dir);
  assert.equal(served.version, 'v1', 'the temp-file cleanup inside v2 does not make v2 a model copied in after the record');
  assert.equal(await readCurrent(dir), 'v1');
});

test('a fine-tuned version rolled back from is not reported as an unfinished promotion after such a cleanup', async (t) => {
  const dir = await dirWith(t, [{ source: 'bootstrap' }, { source: 'finetune', parent: 'v1' }]);
  oldDebris(dir, 'v2');
  await writeCurrent(dir, 'v1', 'replica-a', undefined, 'rollback');
  const registry = new VersionRegistry(new CheckpointStore({ dir, keep: 5 }), 5);
  const served = await loadInitialVersion(registry, ftConfig({ model: { dir } }), FT_HYBRID, FT_SPEC, {}, createLogger({ level: 'silent', name: 't' }));
  await registry.refresh();
  assert.equal(served.version, 'v1');
  assert.deepEqual(registry.unfinished, [], 'v2 was promoted and rolled back from, not left unfinished');
});

test('a model copied in after the record is still served, and an unfinished promotion still found, by the record\'s newest version', async (t) => {
  const dir = await dirWith(t, [{ source: 'bootstrap' }]);
  await writeCurrent(dir, 'v1', 'replica-a');
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 9);
  await new CheckpointStore({ dir, keep: 5 }).save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: { source: 'train' } });
  m.dispose();
  assert.equal((await start(dir)).version, 'v2', 'copied in: served');
  assert.equal(await readCurrent(dir), 'v2', 'and recorded');
  const m2 = HybridModel.create(FT_HYBRID, FT_SPEC, 10);
  await new CheckpointStore({ dir, keep: 5 }).save({ config: FT_HYBRID, spec: FT_SPEC, weights: m2.getWeights(), meta: { source: 'finetune', parent: 'v2' } });
  m2.dispose();
  assert.equal((await start(dir)).version, 'v2', 'an unfinished promotion over v2 is not served');
});

test('a record written before `newest` existed is compared by recorded times, not directory mtimes', async (t) => {
  const dir = await dirWith(t, [{ source: 'bootstrap' }, { source: 'train' }]);
  oldDebris(dir, 'v2');
  writeFileSync(path.join(dir, 'current.json'), `${JSON.stringify({ version: 'v1', by: 'old-release', at: new Date().toISOString(), epoch: 0 })}\n`);
  assert.equal((await start(dir)).version, 'v1');
});
