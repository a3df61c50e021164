/**
 * A restart leaves no temp file of an interrupted write anywhere under model.dir
 * (CheckpointStore.cleanTemp, run by src/model/initial-version.ts): a version's graph and manifest
 * are rewritten inside its directory (src/model/stored-graph.ts, src/durable/durable-fs.ts replaceFileSynced),
 * and `tickcast train --out <model.dir>/vN` writes a hidden sibling directory (src/cli/outputs.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../../src/model/backend.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { FT_HYBRID, FT_SPEC } from '../finetune/helpers.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-clean-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function saveVersion(store: CheckpointStore): Promise<string> {
  await initBackend();
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 1);
  const v = await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: {} });
  m.dispose();
  return v;
}

/** Every path under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('a process killed while storing a version graph (temp file written, not renamed) leaves a temp file that the next start removes', async (t) => {
  const dir = tmp(t);
  const store = new CheckpointStore({ dir, keep: 5 });
  const v = await saveVersion(store);
  const before = tree(dir);
  // The child writes v1's model.onnx to its temp file, then dies (SIGKILL) before the rename.
  const code = `
    import { promises as fsp } from 'node:fs';
    import { saveGraph } from ${JSON.stringify(path.join(repo, 'src/model/stored-graph.ts'))};
    fsp.rename = async () => { process.kill(process.pid, 'SIGKILL'); await new Promise((r) => setTimeout(r, 10000)); };
    await saveGraph(${JSON.stringify(path.join(dir, v))}, new Uint8Array(1000).fill(7));
    console.log('not killed');
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, 'SIGKILL', `child was not killed mid-write: ${r.stdout} ${r.stderr}`);
  const stray = tree(dir).filter((p) => !before.includes(p));
  assert.equal(stray.length, 1, `expected one temp file, got ${stray.join(', ')}`);
  assert.match(stray[0], new RegExp(`^${v}/model\\.onnx\\.tmp-`));
  // The next start (cleanTemp, as loadInitialVersion runs it) removes it; the version still loads.
  assert.equal(await new CheckpointStore({ dir, keep: 5 }).cleanTemp(), 1);
  assert.deepEqual(tree(dir), before);
  assert.equal((await store.load(v)).version, v);
});

test('cleanTemp: temp files inside version directories and train\'s hidden temp directories go; young ones (another replica writing) stay', async (t) => {
  const dir = tmp(t);
  const store = new CheckpointStore({ dir, keep: 5 });
  const v = await saveVersion(store);
  const before = tree(dir);
  const old = (p: string) => utimesSync(p, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
  const json = path.join(dir, v, 'model.json.tmp-123-0a0b0c0d');
  const onnxYoung = path.join(dir, v, 'model.onnx.tmp-123-01020304');
  const train = path.join(dir, '.v2.tmp-123-kx9');
  writeFileSync(json, '{');
  writeFileSync(onnxYoung, 'x');
  mkdirSync(train);
  writeFileSync(path.join(train, 'weights.bin'), 'x');
  old(json);
  old(train);
  assert.equal(await store.cleanTemp(60_000), 2);
  assert.deepEqual(tree(dir), [...before, `${v}/model.onnx.tmp-123-01020304`].sort());
  assert.equal(await store.cleanTemp(), 1);
  assert.deepEqual(tree(dir), before);
});
