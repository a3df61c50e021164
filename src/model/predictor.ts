/**
 * TfjsPredictor: the tfjs hybrid model behind the pipeline's `Predictor` port. Calls are
 * serialised on one promise chain (tfjs backends are single-threaded; interleaving two forward
 * passes gains nothing and makes memory peaks unpredictable). The caller's Float32Array is copied
 * into a tensor and never retained.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../domain/types.ts';
import type { PredictBatch, PredictResult, Predictor } from '../pipeline/ports.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import type { HybridModel } from './hybrid-model.ts';

export interface TfjsPredictorOptions {
  /** Version label reported with every forecast. */
  version: string;
  /** Backend name as reported by initBackend(); defaults to tf.getBackend(). */
  backend?: string;
  /** Dispose the model when the predictor is disposed (default true: the predictor owns it). */
  ownsModel?: boolean;
}

export class TfjsPredictor implements Predictor {
  readonly engine = 'tfjs';
  readonly spec: ModelSpec;
  readonly version: string;
  readonly backend: string;
  private readonly model: HybridModel;
  private readonly ownsModel: boolean;
  private chain: Promise<unknown> = Promise.resolve();
  private disposing: Promise<void> | undefined;

  constructor(model: HybridModel, opts: TfjsPredictorOptions) {
    this.model = model;
    this.spec = model.spec;
    this.version = opts.version;
    this.backend = opts.backend ?? tf.getBackend();
    this.ownsModel = opts.ownsModel ?? true;
  }

  predict(batch: PredictBatch, opts: { attention?: boolean } = {}): Promise<PredictResult> {
    if (this.disposing) {
      return Promise.reject(new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `model ${this.version} has been disposed; use the current predictor`, { retriable: true, statusCode: 503 }));
    }
    const { W, F } = this.model.dims;
    if (!Number.isInteger(batch.batch) || batch.batch < 1 || batch.x.length !== batch.batch * W * F) {
      return Promise.reject(
        new TickcastError(
          ErrorCodes.MODEL_INPUT_SHAPE,
          `predict input must hold batch × ${W} × ${F} values (batch=${batch.batch}); got ${batch.x.length}`,
          { statusCode: 400 },
        ),
      );
    }
    // Copy now: the caller may reuse its buffer as soon as we return.
    const x = new Float32Array(batch.x);
    const run = this.chain.then(() => this.run(x, batch.batch, opts.attention ?? false));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async run(x: Float32Array, b: number, attention: boolean): Promise<PredictResult> {
    const { W, F } = this.model.dims;
    const input = tf.tensor3d(x, [b, W, F]);
    let out: ReturnType<HybridModel['predict']> | undefined;
    try {
      out = this.model.predict(input, { attention });
      const y = (await out.y.data()) as Float32Array;
      if (!attention || !out.attention) return { y };
      return { y, attention: (await out.attention.data()) as Float32Array };
    } finally {
      input.dispose();
      out?.y.dispose();
      out?.attention?.dispose();
    }
  }

  /** Waits for in-flight predictions, then frees the model (if owned). Safe to call twice. */
  dispose(): Promise<void> {
    this.disposing ??= this.chain.then(() => {
      if (this.ownsModel) this.model.dispose();
    });
    return this.disposing;
  }
}
