/**
 * Features that never go below zero (input.nonNegative: counts, rates, utilisation, queue
 * lengths). A forecast of one is raised to 0 wherever it falls below, every quantile of every
 * step, whichever forecast made it (the model, a fused baseline, a cold-start baseline, a REST
 * prediction). Raising every quantile to the same floor keeps them in order. The values a series
 * sends are not checked: the floor is a statement about forecasts only.
 */
import { quantileKey, type ForecastStep } from './types.ts';

export class ForecastFloor {
  /** Per target, in the model's output order: whether its forecasts are floored at 0. */
  readonly floored: readonly boolean[];
  readonly #keys: readonly string[];

  private constructor(floored: readonly boolean[], keys: readonly string[]) {
    this.floored = floored;
    this.#keys = keys;
  }

  /** The floor for a model's `targets` (its output order), or null when none of them is in `nonNegative`. */
  static of(targets: readonly string[], quantiles: readonly number[], nonNegative: readonly string[]): ForecastFloor | null {
    const floored = targets.map((t) => nonNegative.includes(t));
    return floored.some(Boolean) ? new ForecastFloor(floored, quantiles.map(quantileKey)) : null;
  }

  /** Raise, in place, every quantile below 0 of each floored target's steps (one array per target, in target order); returns `perTarget`. */
  apply(perTarget: ForecastStep[][]): ForecastStep[][] {
    for (let t = 0; t < perTarget.length; t++) {
      if (!this.floored[t]) continue;
      for (const step of perTarget[t]) for (const k of this.#keys) if (step[k] < 0) step[k] = 0;
    }
    return perTarget;
  }
}
