/** Seeded PRNG (mulberry32) for the injected-anomaly corpus: same seed, same corpus, on every machine. */
export type Rng = () => number;

/** mulberry32 and its normal draw, the model's seeded generator (one implementation: src/model/random.ts). */
export { gauss, mulberry32 } from '../../model/random.ts';

/** Uniform integer in [lo, hi]. */
export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Uniform real in [lo, hi). */
export function randReal(rng: Rng, lo: number, hi: number): number {
  return lo + rng() * (hi - lo);
}
