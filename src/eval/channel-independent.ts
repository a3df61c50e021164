/**
 * Channel independence (the PatchTST recipe) for multivariate data: one univariate model forecasts
 * every channel from that channel's own past, with shared weights. Wraps a one-feature predictor so
 * that it serves a spec whose targets are its features: x [B, W, C] is read as B·C univariate
 * windows and the answers are put back as [B, H, C, Q]. Used by the accuracy benchmark's
 * multivariate setting; the service gets the same effect by sending each channel as its own series.
 */
import type { ModelSpec } from '../domain/types.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import type { PredictBatch, Predictor, PredictResult } from '../pipeline/ports.ts';

export class ChannelIndependentPredictor implements Predictor {
  readonly spec: ModelSpec;
  readonly #inner: Predictor;

  /** `channels`: the multivariate spec's features, which are also its targets, in the same order. */
  constructor(inner: Predictor, channels: readonly string[]) {
    const s = inner.spec;
    if (s.features.length !== 1 || s.targets.length !== 1) {
      throw new TickcastError(ErrorCodes.CONFIG_INVALID, `channel independence needs a one-feature, one-target model; got features [${s.features.join(', ')}] → targets [${s.targets.join(', ')}]`);
    }
    this.#inner = inner;
    this.spec = { window: s.window, horizon: s.horizon, quantiles: s.quantiles, features: [...channels], targets: [...channels] };
  }

  get version(): string {
    return `${this.#inner.version} (channel-independent)`;
  }

  get engine(): string {
    return this.#inner.engine;
  }

  get backend(): string {
    return this.#inner.backend;
  }

  async predict(batch: PredictBatch): Promise<PredictResult> {
    const { window: w, horizon: h, quantiles } = this.spec;
    const c = this.spec.features.length;
    const q = quantiles.length;
    const n = batch.batch;
    if (batch.x.length !== n * w * c) {
      throw new TickcastError(ErrorCodes.MODEL_INPUT_SHAPE, `expected x of ${n}×${w}×${c} values, got ${batch.x.length}`);
    }
    // Window b, channel k → univariate row b·C + k.
    const x = new Float32Array(n * c * w);
    for (let b = 0; b < n; b++) {
      for (let t = 0; t < w; t++) {
        const src = (b * w + t) * c;
        for (let k = 0; k < c; k++) x[(b * c + k) * w + t] = batch.x[src + k];
      }
    }
    const r = await this.#inner.predict({ x, batch: n * c });
    const y = new Float32Array(n * h * c * q);
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < c; k++) {
        for (let s = 0; s < h; s++) {
          const from = ((b * c + k) * h + s) * q;
          y.set(r.y.subarray(from, from + q), ((b * h + s) * c + k) * q);
        }
      }
    }
    return { y };
  }

  dispose(): Promise<void> {
    return this.#inner.dispose();
  }
}
