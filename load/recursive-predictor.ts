/**
 * Bench-only adapter: a short-horizon Predictor run recursively (its median appended, the window
 * slid) until `horizon` steps, so the served model (window 64, horizon 8) can be scored zero-shot
 * on long-horizon protocols (ETTh1 h=96). Quantile k at step t is the inner model's quantile k at
 * that step (conditional on the medians before it).
 */
import type { ModelSpec } from '../src/domain/types.ts';
import type { PredictBatch, PredictResult, Predictor } from '../src/pipeline/ports.ts';

export class RecursivePredictor implements Predictor {
  readonly spec: ModelSpec;
  readonly engine: string;
  readonly backend: string;
  readonly version: string;

  constructor(
    private readonly inner: Predictor,
    horizon: number,
  ) {
    this.spec = { ...inner.spec, horizon };
    this.engine = inner.engine;
    this.backend = inner.backend;
    this.version = `${inner.version}-recursive`;
  }

  async predict(b: PredictBatch): Promise<PredictResult> {
    const { window: W, horizon: h, quantiles } = this.inner.spec;
    const H = this.spec.horizon;
    const Q = quantiles.length;
    const m = quantiles.indexOf(0.5);
    const x = Float32Array.from(b.x);
    const y = new Float32Array(b.batch * H * Q);
    for (let done = 0; done < H; done += h) {
      const r = await this.inner.predict({ x, batch: b.batch });
      for (let i = 0; i < b.batch; i++) {
        const take = Math.min(h, H - done);
        for (let k = 0; k < take; k++) for (let q = 0; q < Q; q++) y[(i * H + done + k) * Q + q] = r.y[(i * h + k) * Q + q];
        // Slide the window by `take` steps, appending the medians.
        const row = x.subarray(i * W, (i + 1) * W);
        row.copyWithin(0, take);
        for (let k = 0; k < take; k++) row[W - take + k] = r.y[(i * h + k) * Q + m];
      }
    }
    return { y };
  }

  async dispose(): Promise<void> {
    await this.inner.dispose();
  }
}
