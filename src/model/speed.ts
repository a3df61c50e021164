/**
 * Training and inference speed measurement for a model configuration, used by docs/model.md's
 * figures and callable from the model benchmark. Random data; the point is steps per second,
 * not accuracy.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../domain/types.ts';
import type { HybridConfigInput } from './config.ts';
import { createModel } from './hybrid-model.ts';
import { mulberry32 } from './random.ts';
import { createOptimizer, trainStep } from './train.ts';

export interface SpeedResult {
  lstmMode: 'ops' | 'fast';
  batch: number;
  /** Training steps (forward + backward + Adam) per second, after warm-up. */
  trainStepsPerSec: number;
  /** Forward passes per second at this batch size (predict, no gradients). */
  forwardPerSec: number;
  params: number;
}

export async function measureSpeed(config: HybridConfigInput, spec: ModelSpec, opts: { batch?: number; steps?: number; warmup?: number; lstmMode?: 'ops' | 'fast' } = {}): Promise<SpeedResult> {
  const batch = opts.batch ?? 32;
  const steps = opts.steps ?? 10;
  const warmup = opts.warmup ?? 2;
  const model = createModel(config, spec, 1);
  model.lstmMode = opts.lstmMode ?? 'fast';
  const { W, F, H, T } = model.dims;
  const r = mulberry32(3);
  const x = Float32Array.from({ length: batch * W * F }, () => r() * 2 - 1);
  const y = Float32Array.from({ length: batch * H * T }, () => r() * 2 - 1);
  const opt = createOptimizer(1e-3);
  try {
    for (let i = 0; i < warmup; i++) trainStep(model, opt, { x, y, batch });
    let t = performance.now();
    for (let i = 0; i < steps; i++) trainStep(model, opt, { x, y, batch });
    const trainStepsPerSec = steps / ((performance.now() - t) / 1000);
    const xt = tf.tensor3d(x, [batch, W, F]);
    const fwd = async () => {
      const out = model.predict(xt);
      await out.y.data();
      out.y.dispose();
    };
    await fwd();
    t = performance.now();
    for (let i = 0; i < steps; i++) await fwd();
    const forwardPerSec = steps / ((performance.now() - t) / 1000);
    xt.dispose();
    return { lstmMode: model.lstmMode === 'ops' ? 'ops' : 'fast', batch, trainStepsPerSec, forwardPerSec, params: model.parameterCount() };
  } finally {
    opt.dispose();
    model.dispose();
  }
}
