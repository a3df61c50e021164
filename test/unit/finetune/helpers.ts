/** Tiny sizes, configs and series for the fine-tuning tests (fast on 2-core wasm). */
import { mulberry32 } from '../../../src/model/random.ts';
import type { ModelSpec } from '../../../src/domain/types.ts';
import { loadConfig, type Config } from '../../../src/config/load.ts';
import type { ConfigInput } from '../../../src/config/schema.ts';
import { resolveHybridConfig } from '../../../src/model/config.ts';

export const FT_HYBRID = resolveHybridConfig({ dModel: 8, lstm: { numLayers: 1 }, transformer: { layers: 1, heads: 2, ffn: 16 } });

export const FT_SPEC: ModelSpec = { window: 24, features: ['value'], targets: ['value'], horizon: 4, quantiles: [0.1, 0.5, 0.9] };

/** A config for the tiny spec with the given overrides (no env, no file). */
export function ftConfig(over: ConfigInput = {}): Config {
  const base: ConfigInput = {
    windows: { length: FT_SPEC.window, normHalfLifeTicks: 500 },
    model: { horizon: FT_SPEC.horizon, dModel: 8, engine: 'tfjs', keepVersions: 3, bootstrapEpochs: 2 },
    http: { enabled: false },
    telemetry: { defaultMetrics: false },
    logLevel: 'warn',
  } as ConfigInput;
  return loadConfig({ env: {}, overrides: merge(base, over) as ConfigInput });
}

function merge(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object' ? merge(a[k], v) : v;
  return out;
}

/** Deterministic pseudo-random in [0,1): the model's own mulberry32. */
export const rng = mulberry32;

/** level + amp·sin(2πt/period) + noise. */
export function sine(n: number, o: { period: number; level?: number; amp?: number; noise?: number; seed?: number; t0?: number }): Float64Array {
  const r = rng(o.seed ?? 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = (o.level ?? 0) + (o.amp ?? 1) * Math.sin((2 * Math.PI * (i + (o.t0 ?? 0))) / o.period) + (o.noise ?? 0.05) * (r() * 2 - 1);
  return v;
}
