/**
 * Numenta-style anomaly likelihood on a bounded window: the short-term average of raw scores is
 * compared with a normal fitted to the recent history of such averages; the tail probability is
 * turned into a log-scaled score so that 1e-5 → 0.5 and 1e-10 → 1 (Ahmad et al. 2017, §4). This
 * is what makes a noisy series and a quiet one alert at comparable rates: each is judged against
 * its own distribution of raw scores.
 */
import { grown, OWN_ARRAYS, type ArrayAlloc } from '../arena.ts';
const LOG_1E10 = Math.log(1e-10);

/** Upper tail of the standard normal, Q(z) = P(Z > z); |error| < 1.5e-7 (Abramowitz–Stegun 7.1.26). */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/** ln Q(z) for z ≥ 0 without underflow (same approximation as `normalTail`). */
export function logNormalTail(z: number): number {
  if (z <= 0) return Math.log(normalTail(z));
  const x = z / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return Math.log(poly / 2) - x * x;
}

/** log(1 − likelihood) on a 1e-10 scale, in [0, 1]: Numenta's `computeLogLikelihood`. */
export function logLikelihoodScore(likelihood: number): number {
  return Math.min(1, Math.max(0, Math.log(1.0000000001 - likelihood) / LOG_1E10));
}

/**
 * Score from a tail probability given as ln Q: −log10(Q)/10 (Numenta's scale: 1e-5 → 0.5), but
 * above 0.9 compressed smoothly towards 1 instead of clipped at Q = 1e-10, so that very
 * different surprises (z = 7 and z = 20) still rank differently. Monotone, in [0, 1).
 */
export function tailScore(logQ: number): number {
  const x = Math.max(0, logQ / LOG_1E10);
  // 1 − 0.1/(1 + (x − 0.9)/0.1): same value and slope as x at 0.9, never reaches 1.
  return x <= 0.9 ? x : 1 - 0.1 / (1 + (x - 0.9) / 0.1);
}

/**
 * 1 − exp(−max(0, x) / scale): a residual over its floor (x) as a raw score in [0, 1). Exactly
 * that expression, but without the exp where it is 1 (x ≤ 0, most ticks).
 */
export function rawOf(x: number, scale: number): number {
  return x <= 0 ? 0 : 1 - Math.exp(-x / scale);
}

/** ln n for a small count n of views (cached: the same Math.log, once per n). */
const LN: number[] = [];
export function lnCount(n: number): number {
  return (LN[n] ??= Math.log(n));
}

/**
 * Entries the long ring starts with (at most longTicks). It grows as it fills — twice the size
 * each time, up to longTicks — so a series that has seen few ticks has not touched (nor had zeroed)
 * the whole ring: at the defaults three rings of 2,000 and 500 are 36 KB of a feature's ~53 KB.
 */
export const LONG_START = 128;

export class AnomalyLikelihood {
  private readonly short: Float64Array;
  private shortSum = 0;
  private shortN = 0;
  /** Ring of the last `longCap` short averages; shorter while it fills (LONG_START, grown by `resize`). */
  private long: Float64Array;
  private readonly longCap: number;
  private longSum = 0;
  private longSq = 0;
  private longN = 0;
  private ticks = 0;

  constructor(
    shortTicks: number,
    longTicks: number,
    private readonly minMean: number,
    private readonly minStd: number,
    alloc: ArrayAlloc = OWN_ARRAYS,
  ) {
    this.short = alloc.f64(shortTicks);
    this.longCap = longTicks;
    this.long = alloc.f64(Math.min(longTicks, LONG_START));
  }

  /** Entries the long ring holds now (it grows to `longTicks` as it fills). */
  get longLength(): number {
    return this.long.length;
  }

  /**
   * Snapshot hook (src/pipeline/snapshot/codec.ts `fillFrom`): make the ring `field` hold `n`
   * entries before a saved one of that length is copied in (a snapshot of a fuller ring, or of a
   * release whose rings were full-length from the start). Null: not a growable field or size.
   */
  growTo(field: string, n: number): Float64Array | null {
    if (field !== 'long' || n > this.longCap || n < this.long.length) return null;
    if (n > this.long.length) this.resize(n);
    return this.long;
  }

  /**
   * Feed one raw score in [0, 1]; returns ln Q, the log tail probability of the recent average
   * under this series' own long-run distribution (0 when at or below the mean: one-sided, a
   * series that is calmer than usual is not anomalous).
   */
  update(raw: number): number {
    const si = this.ticks % this.short.length;
    if (this.shortN === this.short.length) this.shortSum -= this.short[si]; else this.shortN++;
    this.short[si] = raw;
    this.shortSum += raw;
    const avg = this.shortSum / this.shortN;

    // While the ring fills, ticks === longN: the next slot is the first one the ring may lack.
    const li = this.ticks % this.longCap;
    if (this.longN === this.longCap) {
      const old = this.long[li];
      this.longSum -= old;
      this.longSq -= old * old;
    } else {
      if (li >= this.long.length) this.resize(Math.min(this.longCap, 2 * this.long.length));
      this.longN++;
    }
    this.long[li] = avg;
    this.longSum += avg;
    this.longSq += avg * avg;
    this.ticks++;
    // Running sums drift with float error; recompute exactly once per window.
    if (this.ticks % this.longCap === 0) this.recompute();

    const mean = Math.max(this.minMean, this.longSum / this.longN);
    const variance = Math.max(0, this.longSq / this.longN - (this.longSum / this.longN) ** 2);
    const std = Math.max(this.minStd, Math.sqrt(variance));
    const z = (avg - mean) / std;
    return z <= 0 ? 0 : logNormalTail(z);
  }

  /** The ring at `n` entries, the first ones kept (its own buffer: the series' arena is sized for the start). */
  private resize(n: number): void {
    this.long = grown(this.long, n);
  }

  private recompute(): void {
    let s = 0;
    let q = 0;
    for (let i = 0; i < this.longN; i++) {
      s += this.long[i];
      q += this.long[i] * this.long[i];
    }
    this.longSum = s;
    this.longSq = q;
  }
}
