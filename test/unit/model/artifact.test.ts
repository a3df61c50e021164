import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { createModel } from '../../../src/model/hybrid-model.ts';
import { loadArtifact, loadArtifactWeights, saveArtifact, readManifest } from '../../../src/model/artifact.ts';
import { assertSamePredictions, suiteRoot, TINY_CONFIG, TINY_SPEC } from './helpers.ts';

describe('model artifact', () => {
  const root = suiteRoot('tickcast-artifact-');

  async function saved(name: string, seed = 5) {
    const m = createModel(TINY_CONFIG, TINY_SPEC, seed);
    const dir = path.join(root(), name);
    const manifest = await saveArtifact(dir, m, {
      version: `v-${name}`,
      normalisation: { method: 'zscore', mean: [1.5], std: [2] },
      training: { dataFingerprint: 'sha256:abc', epochs: 3, trainLosses: [0.3, 0.2, 0.1] },
    });
    return { m, dir, manifest };
  }

  it('save → load round trip gives identical outputs and metadata', async () => {
    const { m, dir } = await saved('roundtrip');
    const { model, manifest } = await loadArtifact(dir, { expectedSpec: TINY_SPEC, expectedConfig: m.config });
    assert.equal(manifest.version, 'v-roundtrip');
    assert.deepEqual(manifest.normalisation, { method: 'zscore', mean: [1.5], std: [2] });
    assert.deepEqual(manifest.training.trainLosses, [0.3, 0.2, 0.1]);
    assert.match(manifest.weights.sha256, /^[0-9a-f]{64}$/);
    await assertSamePredictions(m, model, TINY_SPEC, 3, 9);
    m.dispose();
    model.dispose();
    assert.deepEqual((await readdir(root())).filter((f) => f.includes('.tmp-') || f.includes('.old-')), [], 'no temp dirs left');
  });

  it('overwrites an existing artifact atomically', async () => {
    const first = await saved('replace', 1);
    const m2 = createModel(TINY_CONFIG, TINY_SPEC, 2);
    await saveArtifact(first.dir, m2, { version: 'v-second' });
    const { manifest, weights } = await loadArtifactWeights(first.dir);
    assert.equal(manifest.version, 'v-second');
    assert.deepEqual(weights['head/kernel'].data, m2.getWeights()['head/kernel'].data);
    assert.deepEqual((await readdir(root())).filter((f) => f.startsWith('replace.')), []);
    first.m.dispose();
    m2.dispose();
  });

  it('refuses a flipped byte in weights.bin as corrupt (sha256)', async () => {
    const { m, dir } = await saved('flipped');
    m.dispose();
    const file = path.join(dir, 'weights.bin');
    const bytes = await readFile(file);
    bytes[100] ^= 0x40;
    await writeFile(file, bytes);
    await assert.rejects(loadArtifact(dir), (e: Error & { code?: string }) => e.code === 'TC_MODEL_ARTIFACT_CORRUPT' && /sha256/.test(e.message));
  });

  it('refuses truncated weights, a missing or garbled model.json, and a manifest that lost a weight', async () => {
    const a = await saved('truncated');
    const file = path.join(a.dir, 'weights.bin');
    await writeFile(file, (await readFile(file)).subarray(0, 1000));
    await assert.rejects(loadArtifact(a.dir), (e: Error & { code?: string }) => e.code === 'TC_MODEL_ARTIFACT_CORRUPT' && /bytes/.test(e.message));

    const b = await saved('nojson');
    await unlink(path.join(b.dir, 'model.json'));
    await assert.rejects(loadArtifact(b.dir), (e: Error & { code?: string }) => e.code === 'TC_MODEL_ARTIFACT_CORRUPT' && /missing/.test(e.message));

    const c = await saved('garbled');
    await writeFile(path.join(c.dir, 'model.json'), '{"format": "tickcast-model", ');
    await assert.rejects(loadArtifact(c.dir), { code: 'TC_MODEL_ARTIFACT_CORRUPT' });

    const d = await saved('lostweight');
    const mj = JSON.parse(await readFile(path.join(d.dir, 'model.json'), 'utf8'));
    mj.weights.entries = mj.weights.entries.filter((e: { name: string }) => e.name !== 'pool/query');
    await writeFile(path.join(d.dir, 'model.json'), JSON.stringify(mj));
    await assert.rejects(loadArtifact(d.dir), (e: Error & { code?: string }) => e.code === 'TC_MODEL_ARTIFACT_CORRUPT' && /pool\/query/.test(e.message));
    for (const s of [a, b, c, d]) s.m.dispose();
  });

  it('refuses a valid artifact that does not fit: other spec, other config, newer format', async () => {
    const { m, dir } = await saved('mismatch');
    await assert.rejects(loadArtifact(dir, { expectedSpec: { ...TINY_SPEC, horizon: 8 } }), (e: Error & { code?: string }) => e.code === 'TC_MODEL_ARTIFACT_MISMATCH' && /horizon 4 ≠ 8/.test(e.message));
    await assert.rejects(loadArtifact(dir, { expectedSpec: { ...TINY_SPEC, features: ['value', 'volume'] } }), { code: 'TC_MODEL_ARTIFACT_MISMATCH' });
    await assert.rejects(loadArtifact(dir, { expectedConfig: { ...m.config, dModel: 32 } }), { code: 'TC_MODEL_ARTIFACT_MISMATCH' });
    const mj = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'));
    mj.formatVersion = 2;
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(mj));
    await assert.rejects(readManifest(dir), (e: Error & { code?: string }) => e.code === 'TC_MODEL_ARTIFACT_MISMATCH' && /format version 2/.test(e.message));
    m.dispose();
  });

  it('setWeights refuses a map with a wrong shape and changes nothing', () => {
    const m = createModel(TINY_CONFIG, TINY_SPEC, 8);
    const w = m.getWeights();
    const bad = { ...w, 'head/kernel': { shape: [3, 3], data: new Float32Array(9) } };
    assert.throws(() => m.setWeights(bad), (e: Error & { code?: string }) => e.code === 'TC_MODEL_ARTIFACT_MISMATCH' && /head\/kernel/.test(e.message));
    assert.deepEqual(m.getWeights(), w);
    m.dispose();
  });
});
