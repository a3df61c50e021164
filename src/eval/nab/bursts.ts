/**
 * Bursty counts for the robustness check of `bench:nab`: a smooth source series (M4 Hourly) made
 * into what social-media volume, request counts and event feeds look like — counts per tick whose
 * rate follows the source's shape, multiplied by self-exciting bursts with a heavy (Pareto) tail.
 * The bursts are the series' normal life, not anomalies: a detector that alerts on each of them
 * pays a false positive every time. Anomalies are injected afterwards (src/eval/nab/inject.ts),
 * sized by the local spread of the bursty series, so some stand out and some drown, as they do in
 * real volume series.
 *
 * Per series (drawn from its rng): mean rate μ log-uniform in [3, 300] counts per tick; bursts
 * start with probability `burstRate` per tick, size Pareto(α, 0.5) capped at 30, and decay by
 * `decay` per tick (h_t = decay·h_{t−1} + jump); count_t ~ Poisson(λ_t·(1 + h_t)) with λ_t the
 * source scaled to mean μ. Deterministic for a given rng.
 */
import { gauss, type Rng } from './rng.ts';

export interface BurstOptions {
  burstRate: number;
  /** Pareto tail index of burst sizes (smaller: heavier). */
  alpha: number;
  decay: number;
}

export const DEFAULT_BURSTS: Readonly<BurstOptions> = Object.freeze({ burstRate: 0.03, alpha: 1.5, decay: 0.6 });

const MAX_JUMP = 30;

/** A Poisson draw: Knuth's product method up to a rate of 30, a rounded normal above. */
export function poisson(rng: Rng, rate: number): number {
  if (!(rate > 0)) return 0;
  if (rate > 30) return Math.max(0, Math.round(rate + Math.sqrt(rate) * gauss(rng)));
  const limit = Math.exp(-rate);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

/** The bursty-count version of `values` (a new array of the same length). */
export function burstyCounts(values: readonly number[], rng: Rng, o: Readonly<BurstOptions> = DEFAULT_BURSTS): number[] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // Shift so the smallest rate is 10 % of the range above 0 (a count series never sits at a negative rate).
  const shifted = values.map((v) => v - lo + 0.1 * (hi - lo || 1));
  const mean = shifted.reduce((s, v) => s + v, 0) / shifted.length;
  const mu = Math.exp(Math.log(3) + rng() * (Math.log(300) - Math.log(3)));
  let h = 0;
  return shifted.map((v) => {
    h *= o.decay;
    if (rng() < o.burstRate) h += Math.min(MAX_JUMP, 0.5 / Math.pow(Math.max(rng(), 1e-12), 1 / o.alpha));
    return poisson(rng, (v / mean) * mu * (1 + h));
  });
}
