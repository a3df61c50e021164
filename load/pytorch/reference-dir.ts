/**
 * The folder load/pytorch/reference.py reads (bench:model, bench:gpu:prepare): the weights as one
 * float32 file with their names, shapes and offsets (in floats) in manifest.json, beside the spec
 * and config; and check windows with the outputs onnxruntime-node gives for them, which the
 * reference must reproduce before it is timed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelSpec } from '../../src/domain/types.ts';
import type { ResolvedHybridConfig } from '../../src/model/config.ts';
import { OnnxPredictor } from '../../src/model/onnx/onnx-predictor.ts';
import type { WeightMap } from '../../src/model/weight-names.ts';

export interface ReferenceModel {
  weights: WeightMap;
  config: ResolvedHybridConfig;
  spec: ModelSpec;
  version: string;
  /** The exported ONNX graph of the same weights. */
  onnx: Uint8Array;
}

/** Writes weights.bin, manifest.json and check_{x,y,attention}.bin into `dir` (which exists). */
export async function writeReferenceDir(dir: string, m: ReferenceModel, checkX: Float32Array, checkBatch: number): Promise<void> {
  let offset = 0;
  const entries: { name: string; shape: number[]; offset: number }[] = [];
  for (const [name, w] of Object.entries(m.weights)) {
    entries.push({ name, shape: w.shape, offset });
    offset += w.data.length;
  }
  const all = new Float32Array(offset);
  for (const e of entries) all.set(m.weights[e.name].data, e.offset);
  writeFileSync(join(dir, 'weights.bin'), all);
  const p = await OnnxPredictor.fromBytes(m.onnx, { spec: m.spec, version: m.version, intraOpThreads: 1 });
  const out = await p.predict({ x: checkX, batch: checkBatch }, { attention: true });
  await p.dispose();
  writeFileSync(join(dir, 'check_x.bin'), checkX);
  writeFileSync(join(dir, 'check_y.bin'), out.y);
  writeFileSync(join(dir, 'check_attention.bin'), out.attention!);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ version: m.version, spec: m.spec, config: m.config, weights: entries, check: { batch: checkBatch } }));
}
