/**
 * `npm run bench:gpu:prepare -- <dir>` — the Node half of the GPU check (docs/gpu.md). A lent GPU
 * machine has no Node.js and reaches no registry, so this writes, on the machine that builds
 * tickcast, everything load/gpu/run.sh needs there:
 *   - serving/: the shipped pretrained default model (models/pretrained/default), as the graph
 *     tickcast's own ONNX exporter makes of it — exactly what `npm start` serves;
 *   - ett336/: the default architecture at look-back 336, horizon 96 (the ETT shape of issue 12),
 *     random weights, seed 7.
 * Each folder holds model.onnx; weights.bin + manifest.json (spec, config, weight offsets) in the
 * format load/pytorch/reference.py reads; check_x.bin / check_y.bin / check_attention.bin: 16
 * windows and the outputs onnxruntime-node (CPU) gives here, so every engine on the GPU machine
 * proves it computes the same model before it is timed. index.json lists the folders.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { ModelSpec } from '../../src/domain/types.ts';
import { loadArtifactWeights } from '../../src/model/artifact.ts';
import { initBackend } from '../../src/model/backend.ts';
import type { ResolvedHybridConfig } from '../../src/model/config.ts';
import { createModel } from '../../src/model/hybrid-model.ts';
import { exportOnnx } from '../../src/model/onnx/export-hybrid.ts';
import { PRETRAINED_DIR } from '../../src/model/pretrained.ts';
import { mulberry32 } from '../../src/model/random.ts';
import type { WeightMap } from '../../src/model/weight-names.ts';
import { writeReferenceDir } from '../pytorch/reference-dir.ts';

const CHECK_BATCH = 16;

async function writeModel(root: string, name: string, weights: WeightMap, config: ResolvedHybridConfig, spec: ModelSpec, version: string): Promise<string> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const bytes = exportOnnx(weights, config, spec, { version });
  writeFileSync(join(dir, 'model.onnx'), bytes);
  const F = spec.features.length;
  const rand = mulberry32(99);
  const x = new Float32Array(CHECK_BATCH * spec.window * F);
  for (let b = 0; b < CHECK_BATCH; b++) {
    const phase = rand() * 6;
    for (let t = 0; t < spec.window; t++) for (let f = 0; f < F; f++) x[(b * spec.window + t) * F + f] = 50 + 10 * Math.sin(t / 7 + phase + f) + 2 * (rand() - 0.5);
  }
  await writeReferenceDir(dir, { weights, config, spec, version, onnx: bytes }, x, CHECK_BATCH);
  return name;
}

async function main(): Promise<void> {
  const dir = resolve(process.argv[2] ?? 'tmp/gpu');
  mkdirSync(dir, { recursive: true });
  await initBackend({ prefer: 'wasm' });
  const { manifest, weights } = await loadArtifactWeights(join(PRETRAINED_DIR, 'default'));
  const models = [await writeModel(dir, 'serving', weights, manifest.config, manifest.spec, manifest.version)];
  const ettSpec: ModelSpec = { window: 336, features: ['value'], targets: ['value'], horizon: 96, quantiles: [0.1, 0.5, 0.9] };
  const ett = createModel(manifest.config, ettSpec, 7);
  models.push(await writeModel(dir, 'ett336', ett.getWeights(), ett.config, ettSpec, 'random-seed7'));
  ett.dispose();
  const ortVersion = createRequire(import.meta.url)('onnxruntime-node/package.json').version as string;
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ onnxruntimeNode: ortVersion, models }, null, 2));
  console.log(`wrote ${models.join(', ')} (model.onnx, weights, checks) to ${dir} (onnxruntime-node ${ortVersion})`);
}

await main();
