/**
 * The detector's own one-step forecaster for series the model has not learned (and, blended, for
 * all series): k nearest analogues. The last `context` values are compared (Euclidean) with every
 * earlier stretch of the same length in a bounded history; the values that followed the
 * `neighbours` closest stretches are the forecast (median = p50). No training, no assumption of a
 * period, so daily cycles, square waves and plateaus are all "seen before" once they repeat.
 *
 * Cost per tick: O(historyTicks × context) multiply-adds (512 × 4 ≈ 2k with the defaults), memory: one
 * Float64Array(historyTicks + context) per series: a ring whose first `context` values are mirrored
 * after its end, so that every stretch of context + 1 values (a candidate and its successor) is
 * contiguous: no modulo in the inner loop.
 */
import { OWN_ARRAYS, type ArrayAlloc } from '../arena.ts';
export class AnalogueForecaster {
  private readonly buf: Float64Array;
  private n = 0;
  private readonly bestD: Float64Array;
  private readonly bestV: Float64Array;
  private readonly sorted: Float64Array;

  constructor(
    private readonly capacity: number,
    private readonly context: number,
    private readonly neighbours: number,
    /** Skip candidate stretches ending within this many ticks of the present (trivial matches). */
    private readonly exclude = 0,
    /** Compare shapes, not levels: each stretch minus its own last value; forecast = last + Δ. */
    private readonly relative = false,
    alloc: ArrayAlloc = OWN_ARRAYS,
  ) {
    this.buf = alloc.f64(capacity + context);
    this.bestD = alloc.f64(neighbours);
    this.bestV = alloc.f64(neighbours);
    this.sorted = alloc.f64(neighbours);
  }

  /** Values seen (capped at the capacity). */
  get size(): number {
    return Math.min(this.n, this.capacity);
  }

  /** Index in the ring of the oldest value kept; the i-th oldest is at (start + i) mod capacity, i < size. */
  private get start(): number {
    return this.n > this.capacity ? this.n % this.capacity : 0;
  }

  /**
   * Forecast the next value from the values pushed so far, or null while there are too few.
   * `spread` is the median absolute deviation of the analogues' successors around p50.
   * `relative`: compare shapes this once, whatever the forecaster was made with (after a gap).
   * `fit`: also return the median distance of the analogues to the context (how well they match).
   */
  forecast(relative = this.relative, fit = false): { p50: number; spread: number; fit?: number } | null {
    const size = this.size;
    const m = this.context;
    // Candidate stretches end at j-1 and are followed by j; j ranges over [m, size-1], and the
    // stretch that ends at the present (size-1) is the query, so its successor is unknown.
    if (size < m + this.neighbours + 1 + this.exclude) return null;
    const start = this.start;
    const buf = this.buf;
    const cap = this.capacity;
    const q = (start + size - m) % cap; // query stretch: buf[q .. q+m-1] (contiguous: mirrored head)
    const k = this.neighbours;
    const bestD = this.bestD;
    const bestV = this.bestV;
    bestD.fill(Infinity);
    const end = size - this.exclude;
    if (m === 4 && !relative) scan4(buf, q, start, cap, end, bestD, bestV, k);
    else scan(buf, q, m, start, cap, end, bestD, bestV, k, relative);
    const p50 = median(bestV, this.sorted);
    const d = fit ? median(bestD, this.sorted) : NaN;
    for (let i = 0; i < k; i++) this.sorted[i] = Math.abs(bestV[i] - p50);
    const spread = lowerMedianInPlace(this.sorted);
    return fit ? { p50, spread, fit: d } : { p50, spread };
  }

  push(value: number): void {
    const p = this.n % this.capacity;
    this.buf[p] = value;
    if (p < this.context) this.buf[p + this.capacity] = value;
    this.n++;
  }

  /** Last value pushed (NaN when empty). */
  last(): number {
    return this.n === 0 ? NaN : this.buf[(this.n - 1) % this.capacity];
  }
}

/** Index of the first largest of d[0..k). */
function worstOf(d: Float64Array, k: number): number {
  let worst = 0;
  for (let i = 1; i < k; i++) if (d[i] > d[worst]) worst = i;
  return worst;
}

/**
 * The candidate loop of `forecast`: keeps in best* the k stretches nearest the query (at q) and
 * their successors. `base`: ring index of the candidate stretch that ends at j-1, i.e.
 * (start + j - m) mod cap.
 */
function scan(buf: Float64Array, q: number, m: number, start: number, cap: number, end: number, bestD: Float64Array, bestV: Float64Array, k: number, relative: boolean): void {
  const qLast = buf[q + m - 1];
  let worst = 0; // index in best* of the largest distance kept
  for (let j = m, base = start; j < end; j++, base = base + 1 === cap ? 0 : base + 1) {
    let d = 0;
    const off = relative ? buf[base + m - 1] - qLast : 0;
    const limit = bestD[worst];
    for (let c = 0; c < m; c++) {
      const diff = buf[base + c] - off - buf[q + c];
      d += diff * diff;
      if (d >= limit) break;
    }
    if (d < limit) {
      bestD[worst] = d;
      bestV[worst] = buf[base + m] - off;
      worst = worstOf(bestD, k);
    }
  }
}

/**
 * `scan` for the default shape (context 4, levels compared, not
 * shapes), unrolled with the query held in locals: the same sums in the same order and the same
 * early exits (a partial sum at or above the k-th best distance; a NaN one is never kept), so the same analogues.
 */
function scan4(buf: Float64Array, q: number, start: number, cap: number, end: number, bestD: Float64Array, bestV: Float64Array, k: number): void {
  const q0 = buf[q];
  const q1 = buf[q + 1];
  const q2 = buf[q + 2];
  const q3 = buf[q + 3];
  let worst = 0;
  let limit = bestD[0];
  for (let j = 4, base = start; j < end; j++, base = base + 1 === cap ? 0 : base + 1) {
    let diff = buf[base] - q0;
    let d = diff * diff;
    if (!(d < limit)) continue;
    diff = buf[base + 1] - q1;
    d += diff * diff;
    if (!(d < limit)) continue;
    diff = buf[base + 2] - q2;
    d += diff * diff;
    if (!(d < limit)) continue;
    diff = buf[base + 3] - q3;
    d += diff * diff;
    if (!(d < limit)) continue;
    bestD[worst] = d;
    bestV[worst] = buf[base + 4];
    worst = worstOf(bestD, k);
    limit = bestD[worst];
  }
}

/** Insertion sort of a small array in place (k ≤ ~15 analogues). */
function sortSmall(a: Float64Array): void {
  for (let i = 1; i < a.length; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

/** Median of `src` (mean of the middle two for even length), using `tmp` as scratch. */
function median(src: Float64Array, tmp: Float64Array): number {
  tmp.set(src);
  sortSmall(tmp);
  const n = tmp.length;
  return n % 2 ? tmp[(n - 1) / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/** Lower median of `a`, sorting it in place. */
function lowerMedianInPlace(a: Float64Array): number {
  sortSmall(a);
  return a[Math.floor((a.length - 1) / 2)];
}
