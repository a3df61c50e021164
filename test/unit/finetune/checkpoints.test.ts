import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, truncateSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/model/backend.ts';
import { CheckpointStore, type ModelArtifact } from '../../../src/model/checkpoints.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { FT_HYBRID, FT_SPEC } from './helpers.ts';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

async function artifact(seed: number): Promise<ModelArtifact> {
  await initBackend();
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, seed);
  const weights = m.getWeights();
  m.dispose();
  return { config: FT_HYBRID, spec: FT_SPEC, weights, meta: { seed } };
}

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-ckpt-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function firstWeight(a: ModelArtifact): number[] {
  return Array.from(a.weights['input_proj/kernel'].data.slice(0, 5));
}

test('save → load round trip; versions numbered v1, v2, …; only the newest keepVersions stay', async (t) => {
  const dir = tmp(t);
  const store = new CheckpointStore({ dir, keep: 2 });
  const a1 = await artifact(1);
  const a2 = await artifact(2);
  const a3 = await artifact(3);
  assert.equal(await store.save(a1), 'v1');
  assert.equal(await store.save(a2), 'v2');
  assert.equal(await store.save(a3), 'v3');
  assert.deepEqual(await store.list(), ['v3', 'v2']);
  const got = await store.loadNewestGood();
  assert.equal(got?.version, 'v3');
  assert.deepEqual(firstWeight(got!), firstWeight(a3));
  assert.deepEqual(got!.meta, { seed: 3 });
  // A loaded artifact builds a model whose outputs equal the original's.
  const m1 = HybridModel.fromWeights(got!.config, got!.spec, got!.weights);
  const m2 = HybridModel.fromWeights(a3.config, a3.spec, a3.weights);
  const x = tf.randomNormal([2, FT_SPEC.window, 1]) as tf.Tensor3D;
  const [y1, y2] = [m1.predict(x).y, m2.predict(x).y];
  assert.deepEqual(Array.from(await y1.data()), Array.from(await y2.data()));
  tf.dispose([x, y1, y2]);
  m1.dispose();
  m2.dispose();
});

test('a truncated or bit-flipped newest checkpoint is refused with a clear log and the previous one is loaded', async (t) => {
  const dir = tmp(t);
  const logs: string[] = [];
  const store = new CheckpointStore({ dir, keep: 5, log: (_l, msg) => logs.push(msg) });
  const a1 = await artifact(1);
  await store.save(a1);
  await store.save(await artifact(2));
  await store.save(await artifact(3));
  const w3 = path.join(dir, 'v3', 'weights.bin');
  truncateSync(w3, statSync(w3).size - 100);
  const w2 = path.join(dir, 'v2', 'weights.bin');
  const bytes = readFileSync(w2);
  bytes[17] ^= 0xff;
  writeFileSync(w2, bytes);
  const got = await store.loadNewestGood();
  assert.equal(got?.version, 'v1');
  assert.deepEqual(firstWeight(got!), firstWeight(a1));
  assert.equal(logs.length, 2);
  assert.match(logs[0], /^checkpoint v3 refused \(TC_MODEL_ARTIFACT_CORRUPT\): model artifact .*v3 is corrupt: weights.bin has \d+ bytes/);
  assert.match(logs[0], /bytes, the manifest says/);
  assert.match(logs[1], /^checkpoint v2 refused \(TC_MODEL_ARTIFACT_CORRUPT\): .*does not match its sha256/);
  // A missing manifest is refused too.
  rmSync(path.join(dir, 'v1', 'model.json'));
  assert.equal(await store.loadNewestGood(), null);
});

test('a process killed in the middle of a checkpoint write leaves the previous checkpoint loadable', async (t) => {
  const dir = tmp(t);
  const store = new CheckpointStore({ dir, keep: 5 });
  const a1 = await artifact(1);
  await store.save(a1);
  // The child writes v2's weights, then dies (SIGKILL) before the manifest and the rename.
  const code = `
    import { initBackend } from ${JSON.stringify(path.join(repo, 'src/model/backend.ts'))};
    import { CheckpointStore } from ${JSON.stringify(path.join(repo, 'src/model/checkpoints.ts'))};
    import { HybridModel } from ${JSON.stringify(path.join(repo, 'src/model/hybrid-model.ts'))};
    import { FT_HYBRID, FT_SPEC } from ${JSON.stringify(path.join(repo, 'test/unit/finetune/helpers.ts'))};
    await initBackend();
    const m = HybridModel.create(FT_HYBRID, FT_SPEC, 2);
    const store = new CheckpointStore({ dir: ${JSON.stringify(dir)}, keep: 5 });
    await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: {} }, {
      hooks: { afterWeights: async () => { process.kill(process.pid, 'SIGKILL'); await new Promise((r) => setTimeout(r, 10000)); } },
    });
    console.log('not killed');
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, 'SIGKILL', `child was not killed mid-write: ${r.stdout} ${r.stderr}`);
  const left = readdirSync(dir);
  assert.ok(left.some((n) => n.startsWith('.tmp-v2-')), `expected a partial temp dir, got ${left.join(', ')}`);
  assert.deepEqual(await store.list(), ['v1']);
  const got = await store.loadNewestGood();
  assert.equal(got?.version, 'v1');
  assert.deepEqual(firstWeight(got!), firstWeight(a1));
  // The next start cleans the debris and numbering continues.
  assert.equal(await store.cleanTemp(), 1);
  assert.equal(await store.save(await artifact(3)), 'v2');
  assert.deepEqual(readdirSync(dir).sort(), ['v1', 'v2']);
});

test('listVerified: good and damaged versions; a version whose files change after a listing is verified again', async (t) => {
  const dir = tmp(t);
  const store = new CheckpointStore({ dir, keep: 5 });
  for (const seed of [1, 2, 3]) await store.save(await artifact(seed));
  assert.deepEqual(await store.listVerified(), { good: ['v3', 'v2', 'v1'], damaged: [] });
  const w = path.join(dir, 'v2', 'weights.bin');
  truncateSync(w, statSync(w).size - 8);
  const after = await store.listVerified();
  assert.deepEqual(after.good, ['v3', 'v1']);
  assert.deepEqual(after.damaged.map((d) => d.version), ['v2']);
  assert.match(after.damaged[0].reason, /weights.bin has \d+ bytes, the manifest says \d+/);
  rmSync(path.join(dir, 'v2'), { recursive: true });
  assert.deepEqual(await store.listVerified(), { good: ['v3', 'v1'], damaged: [] });
});
