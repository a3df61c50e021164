/**
 * Turns the live tick stream into training pairs as the truth arrives: for each series, once
 * `window + horizon` ticks are known, the window ending `horizon` ticks ago and the `horizon`
 * values that followed form one (x, y) pair.
 *
 * Normalisation mirrors the window store (src/domain/window-store.ts): exponentially weighted
 * mean/variance whose weight starts at 1/n and settles at a half-life of `normHalfLifeTicks`, and
 * the pair uses the statistics current when its window's last tick arrived — exactly what the
 * serving model saw when it forecast from that window. Univariate only (ticks carry one value).
 */
import { normStd } from '../../domain/window-store.ts';

export interface Pair {
  series: string;
  /** Global sequence number of the window's last tick (the forecast origin). */
  originSeq: number;
  /** Normalised window [W] and future [H]. */
  x: Float32Array;
  y: Float32Array;
  /** Standard deviation used (to express errors in series units when needed). */
  std: number;
}

class SeriesHistory {
  readonly raw: Float64Array;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  readonly seq: Float64Array;
  head = 0;
  count = 0;
  m = 0;
  v = 0;
  constructor(len: number) {
    this.raw = new Float64Array(len);
    this.mean = new Float64Array(len);
    this.std = new Float64Array(len);
    this.seq = new Float64Array(len);
  }
}

export interface LivePairsOptions {
  window: number;
  horizon: number;
  normHalfLifeTicks: number;
  /** Most series tracked (least recently seen dropped beyond). */
  maxSeries: number;
  /** Pairs whose |z| exceeds this anywhere are dropped as garbage (default 50). */
  maxAbsZ?: number;
}

export class LivePairs {
  readonly #o: LivePairsOptions;
  readonly #len: number;
  readonly #alphaFloor: number;
  readonly #series = new Map<string, SeriesHistory>();
  #seq = 0;
  dropped = 0;

  constructor(o: LivePairsOptions) {
    this.#o = o;
    this.#len = o.window + o.horizon;
    this.#alphaFloor = 1 - Math.pow(0.5, 1 / o.normHalfLifeTicks);
  }

  /** Global tick counter (the next tick gets this number). */
  get seq(): number {
    return this.#seq;
  }

  /** Normalisation statistics after the last tick of a series. */
  stats(series: string): { mean: number; std: number } | null {
    const s = this.#series.get(series);
    if (!s || s.count === 0) return null;
    const i = (s.head - 1 + this.#len) % this.#len;
    return { mean: s.mean[i], std: s.std[i] };
  }

  /** Add an accepted tick; returns the pair it completes, if any. */
  push(series: string, value: number): Pair | null {
    if (!Number.isFinite(value)) return null;
    let s = this.#series.get(series);
    if (!s) {
      if (this.#series.size >= this.#o.maxSeries) this.#series.delete(this.#series.keys().next().value as string);
      s = new SeriesHistory(this.#len);
    } else this.#series.delete(series);
    this.#series.set(series, s);
    const n = s.count + 1;
    const alpha = Math.max(1 / n, this.#alphaFloor);
    const d = value - s.m;
    s.m += alpha * d;
    s.v = (1 - alpha) * (s.v + alpha * d * d);
    const h = s.head;
    s.raw[h] = value;
    s.mean[h] = s.m;
    s.std[h] = normStd(s.v, s.m);
    s.seq[h] = this.#seq++;
    s.head = (h + 1) % this.#len;
    s.count = n;
    if (n < this.#len) return null;
    const { window: W, horizon: H } = this.#o;
    // Oldest slot is s.head; the window's last tick is W−1 slots after it.
    const originSlot = (s.head + W - 1) % this.#len;
    const mu = s.mean[originSlot];
    const sd = s.std[originSlot];
    const x = new Float32Array(W);
    const y = new Float32Array(H);
    const lim = this.#o.maxAbsZ ?? 50;
    let bad = false;
    for (let i = 0; i < this.#len; i++) {
      const z = (s.raw[(s.head + i) % this.#len] - mu) / sd;
      if (!(Math.abs(z) <= lim)) bad = true;
      if (i < W) x[i] = z;
      else y[i - W] = z;
    }
    if (bad) {
      this.dropped++;
      return null;
    }
    return { series, originSeq: s.seq[originSlot], x, y, std: sd };
  }

  has(series: string): boolean {
    return this.#series.has(series);
  }

  forget(series: string): void {
    this.#series.delete(series);
  }
}
