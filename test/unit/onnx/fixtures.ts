/** Test data for the ONNX tests: seeded random weights for any config, random, sine and real windows. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModelSpec } from '../../../src/domain/types.ts';
import type { ResolvedHybridConfig } from '../../../src/model/config.ts';
import { mulberry32 } from '../../../src/model/random.ts';
import { sizeOf, weightSpecs, type WeightMap } from '../../../src/model/weight-names.ts';

/** Every weight uniform in ±scale (LayerNorm gammas around 1), deterministic per seed. */
export function randomWeights(config: ResolvedHybridConfig, spec: ModelSpec, seed: number, scale = 0.3): WeightMap {
  const rand = mulberry32(seed);
  const out: WeightMap = {};
  for (const s of weightSpecs(config, spec)) {
    const data = new Float32Array(sizeOf(s.shape));
    const isGamma = s.name.endsWith('/gamma');
    for (let i = 0; i < data.length; i++) data[i] = (isGamma ? 1 : 0) + (rand() * 2 - 1) * scale;
    out[s.name] = { shape: [...s.shape], data };
  }
  return out;
}

/** Windows with i.i.d. N(0,1)-ish values, row-major [batch, window, features]. */
export function randomWindows(batch: number, window: number, features: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: batch * window * features }, () => (rand() + rand() + rand() - 1.5) * 2);
}

/** Sine + small noise per feature with a random phase and level per window: a "real" looking series. */
export function sineWindows(batch: number, window: number, features: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  const out = new Float32Array(batch * window * features);
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < features; f++) {
      const phase = rand() * 2 * Math.PI;
      const level = (rand() - 0.5) * 4;
      const period = 12 + f * 5;
      for (let w = 0; w < window; w++) {
        out[(b * window + w) * features + f] = level + Math.sin(phase + (2 * Math.PI * w) / period) + (rand() - 0.5) * 0.1;
      }
    }
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/**
 * Real windows: the NYC taxi passenger counts bundled for the embedded demo
 * (src/adapters/embedded/sample/nyc_taxi.csv, 30-minute steps), z-scored with the series' own
 * mean/std as the pipeline would, cut every `stride` steps. Row-major [batch, window, 1].
 */
export function taxiWindows(batch: number, window: number, stride = 16): Float32Array {
  const csv = readFileSync(fileURLToPath(new URL('../../../src/adapters/embedded/sample/nyc_taxi.csv', import.meta.url)), 'utf8');
  const values = csv.trim().split('\n').slice(1).map((line) => Number(line.split(',')[1]));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  if ((batch - 1) * stride + window > values.length) throw new Error(`nyc_taxi has ${values.length} points; ${batch} windows of ${window} at stride ${stride} do not fit`);
  const out = new Float32Array(batch * window);
  for (let b = 0; b < batch; b++) for (let w = 0; w < window; w++) out[b * window + w] = (values[b * stride + w] - mean) / sd;
  return out;
}
