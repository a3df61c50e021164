/**
 * The detector's own one-step forecaster for series the model has not learned (and, blended, for
 * all series): k nearest analogues. The last `context` values are compared (Euclidean) with every
 * earlier stretch of the same length in a bounded history; the values that followed the
 * `neighbours` closest stretches are the forecast (median = p50). No training, no assumption of a
 * period, so daily cycles, square waves and plateaus are all "seen before" once they repeat.
 *
 * Cost per tick: O(historyTicks × context) multiply-adds (512 × 4 ≈ 2k with the defaults), memory: one
 * Float64Array(historyTicks) per series.
 */
export class AnalogueForecaster {
  private readonly buf: Float64Array;
  private n = 0;
  private readonly bestD: Float64Array;
  private readonly bestV: Float64Array;

  constructor(
    private readonly capacity: number,
    private readonly context: number,
    private readonly neighbours: number,
    /** Skip candidate stretches ending within this many ticks of the present (trivial matches). */
    private readonly exclude = 0,
    /** Compare shapes, not levels: each stretch minus its own last value; forecast = last + Δ. */
    private readonly relative = false,
  ) {
    this.buf = new Float64Array(capacity);
    this.bestD = new Float64Array(neighbours);
    this.bestV = new Float64Array(neighbours);
  }

  /** Values seen (capped at the capacity). */
  get size(): number {
    return Math.min(this.n, this.capacity);
  }

  private at(i: number): number {
    // i: 0 = oldest value kept
    const start = this.n > this.capacity ? this.n % this.capacity : 0;
    return this.buf[(start + i) % this.capacity];
  }

  /**
   * Forecast the next value from the values pushed so far, or null while there are too few.
   * `spread` is the median absolute deviation of the analogues' successors around p50.
   */
  forecast(): { p50: number; spread: number } | null {
    const size = this.size;
    const m = this.context;
    // Candidate stretches end at j-1 and are followed by j; j ranges over [m, size-1], and the
    // stretch that ends at the present (size-1) is the query, so its successor is unknown.
    if (size < m + this.neighbours + 1 + this.exclude) return null;
    const start = this.n > this.capacity ? this.n % this.capacity : 0;
    const cap = this.capacity;
    const buf = this.buf;
    const qBase = size - m;
    const k = this.neighbours;
    this.bestD.fill(Infinity);
    let worst = 0; // index in best* of the largest distance kept
    const qLast = buf[(start + size - 1) % cap];
    const end = size - this.exclude;
    for (let j = m; j < end; j++) {
      let d = 0;
      const base = j - m;
      const off = this.relative ? buf[(start + j - 1) % cap] - qLast : 0;
      for (let c = 0; c < m; c++) {
        const diff = buf[(start + base + c) % cap] - off - buf[(start + qBase + c) % cap];
        d += diff * diff;
        if (d >= this.bestD[worst]) break;
      }
      if (d < this.bestD[worst]) {
        this.bestD[worst] = d;
        this.bestV[worst] = buf[(start + j) % cap] - off;
        worst = 0;
        for (let i = 1; i < k; i++) if (this.bestD[i] > this.bestD[worst]) worst = i;
      }
    }
    const vals = Array.from(this.bestV).sort((a, b) => a - b);
    const p50 = vals.length % 2 ? vals[(vals.length - 1) / 2] : (vals[vals.length / 2 - 1] + vals[vals.length / 2]) / 2;
    const dev = vals.map((v) => Math.abs(v - p50)).sort((a, b) => a - b);
    const spread = dev[Math.floor((dev.length - 1) / 2)];
    return { p50, spread };
  }

  push(value: number): void {
    this.buf[this.n % this.capacity] = value;
    this.n++;
  }

  /** Last value pushed (NaN when empty). */
  last(): number {
    return this.n === 0 ? NaN : this.at(this.size - 1);
  }
}
