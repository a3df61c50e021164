/**
 * A seed ensemble: several predictors with the same spec, forecasting their mean. The mean of
 * ascending quantile vectors is ascending, so the output stays a valid quantile forecast. Used by
 * the accuracy benchmark's "ensemble of the seeds" rows.
 */
import type { ModelSpec } from '../domain/types.ts';
import { specDiffs } from '../domain/model-spec.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import type { PredictBatch, Predictor, PredictResult } from '../pipeline/ports.ts';

export class MeanPredictor implements Predictor {
  readonly spec: ModelSpec;
  readonly #members: readonly Predictor[];

  constructor(members: readonly Predictor[]) {
    if (members.length === 0) throw new TickcastError(ErrorCodes.CONFIG_INVALID, 'an ensemble needs at least one predictor');
    const bad = members.find((p) => specDiffs(p.spec, members[0].spec).length > 0);
    if (bad) throw new TickcastError(ErrorCodes.CONFIG_INVALID, `ensemble members must share one spec; ${bad.version} differs from ${members[0].version}`);
    this.spec = members[0].spec;
    this.#members = members;
  }

  get version(): string {
    return `mean of ${this.#members.map((p) => p.version).join(', ')}`;
  }

  get engine(): string {
    return this.#members[0].engine;
  }

  get backend(): string {
    return this.#members[0].backend;
  }

  async predict(batch: PredictBatch): Promise<PredictResult> {
    const ys: Float32Array[] = [];
    for (const p of this.#members) ys.push((await p.predict(batch)).y);
    const y = new Float32Array(ys[0].length);
    for (const m of ys) for (let i = 0; i < y.length; i++) y[i] += m[i];
    for (let i = 0; i < y.length; i++) y[i] /= ys.length;
    return { y };
  }

  /** Disposes every member. */
  async dispose(): Promise<void> {
    await Promise.all(this.#members.map((p) => p.dispose()));
  }
}
