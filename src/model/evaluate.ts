/**
 * The one evaluator of src/model: mean pinball loss and MAE of the median forecast over a data
 * set, in chunks, no gradients. Used by `fit` (validation), the CLI, the bootstrap model's report
 * and, through finetune/trainer.ts (`evaluate`, `evaluatePaced` on a TrainBatch), the fine-tune trainer.
 */
import * as tf from '@tensorflow/tfjs';
import type { HybridModel } from './hybrid-model.ts';
import { pinballLoss, yieldToEventLoop, type Dataset } from './train.ts';

export interface EvalScores {
  pinball: number;
  mae: number;
}

/** Mean pinball loss and MAE of the median over a data set, in chunks of `batchSize` pairs. */
export function evaluate(model: HybridModel, data: Dataset, batchSize = 256): EvalScores {
  const acc = { pin: 0, abs: 0 };
  for (let s = 0; s < data.n; s += batchSize) evaluateChunk(model, data, s, Math.min(batchSize, data.n - s), acc);
  return finishEvaluation(model, data, acc);
}

/** evaluate() awaiting `pause` between chunks (not after the last; default: yield to the event loop; the fine-tune trainer rests by its duty cycle). */
export async function evaluateAsync(model: HybridModel, data: Dataset, batchSize = 256, pause: () => Promise<void> = yieldToEventLoop): Promise<EvalScores> {
  const acc = { pin: 0, abs: 0 };
  for (let s = 0; s < data.n; s += batchSize) {
    evaluateChunk(model, data, s, Math.min(batchSize, data.n - s), acc);
    if (s + batchSize < data.n) await pause();
  }
  return finishEvaluation(model, data, acc);
}

function evaluateChunk(model: HybridModel, data: Dataset, s: number, n: number, acc: { pin: number; abs: number }): void {
  const { W, F, H, T, Q } = model.dims;
  const m = model.spec.quantiles.indexOf(0.5);
  const ys = data.y.subarray(s * H * T, (s + n) * H * T);
  tf.tidy(() => {
    const x = tf.tensor3d(data.x.subarray(s * W * F, (s + n) * W * F), [n, W, F]);
    const { y } = model.predict(x);
    acc.pin += pinballLoss(y, tf.tensor3d(ys, [n, H, T]), model.spec.quantiles).dataSync()[0] * n;
    const p = y.dataSync();
    for (let i = 0; i < ys.length; i++) acc.abs += Math.abs(p[i * Q + m] - ys[i]);
  });
}

function finishEvaluation(model: HybridModel, data: Dataset, acc: { pin: number; abs: number }): EvalScores {
  const { H, T } = model.dims;
  return { pinball: acc.pin / data.n, mae: acc.abs / (data.n * H * T) };
}
