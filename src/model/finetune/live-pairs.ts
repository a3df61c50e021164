/**
 * Turns the live tick stream into training pairs as the truth arrives: for each series, once
 * `window + horizon` ticks are known, the window ending `horizon` ticks ago and the `horizon`
 * values of the targets that followed form one (x, y) pair, every feature and target of the
 * serving spec.
 *
 * Normalisation is the window store's: each tick arrives with the statistics the pipeline had
 * after it (TickObservation), and a pair uses those of its window's last tick — exactly what the
 * serving model saw when it forecast from that window. No statistics are computed here.
 *
 * Clean data: a pair is not made when any tick of its window or future was suppressed (inside a
 * firing alert, or a confirmed anomaly), nor when any normalised value is beyond `maxAbsZ`.
 *
 * Missed readings: readings the window store filled into the window before a tick
 * (TickObservation.filled, `windows.fillMissed`) are filled in here the same way (linear
 * interpolation between the rows either side, in model space, with the tick's statistics), so a
 * training window is on the feed's clock like the window served. They are window rows only: a
 * pair whose origin or future holds one is not made (its truth was never seen).
 */
import type { TickObservation } from '../../pipeline/ports.ts';

export interface Pair {
  series: string;
  /** Global sequence number of the window's last tick (the forecast origin). */
  originSeq: number;
  /**
   * Global sequence number of the pair's last target tick (the tick that completed it). A round's
   * training pairs must have all their truth before its hold-out (./replay-buffer.ts `sample`).
   */
  truthSeq: number;
  /** Normalised window [W, F] and future [H, T], row-major. */
  x: Float32Array;
  y: Float32Array;
  /** Standard deviation of the first target at the origin (errors in series units when needed). */
  std: number;
}

class SeriesHistory {
  readonly raw: Float64Array;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  readonly seq: Float64Array;
  readonly suppressed: Uint8Array;
  /** 1: a reading the feed missed, filled in (a window row, never a target or an origin). */
  readonly filled: Uint8Array;
  head = 0;
  count = 0;
  constructor(len: number, features: number) {
    this.raw = new Float64Array(len * features);
    this.mean = new Float64Array(len * features);
    this.std = new Float64Array(len * features);
    this.seq = new Float64Array(len);
    this.suppressed = new Uint8Array(len);
    this.filled = new Uint8Array(len);
  }
}

export interface LivePairsOptions {
  window: number;
  horizon: number;
  /** Features per tick (spec order). */
  features: number;
  /** Index of each target among the features. */
  targets: readonly number[];
  /** Most series tracked (least recently seen dropped beyond). */
  maxSeries: number;
  /** Pairs whose |z| exceeds this anywhere are dropped as garbage (default 50). */
  maxAbsZ?: number;
}

export class LivePairs {
  readonly #o: LivePairsOptions;
  readonly #len: number;
  readonly #series = new Map<string, SeriesHistory>();
  #seq = 0;
  /** Pairs dropped as garbage (|z| beyond maxAbsZ). */
  dropped = 0;
  /** Pairs not made because a tick of theirs was suppressed. */
  suppressed = 0;
  /** Pairs not made because their origin or future held a filled-in reading. */
  filledOut = 0;

  constructor(o: LivePairsOptions) {
    this.#o = o;
    this.#len = o.window + o.horizon;
  }

  /** Global tick counter (the next tick gets this number). */
  get seq(): number {
    return this.#seq;
  }

  /** Add an accepted tick; returns the pair it completes, if any. */
  push(o: Pick<TickObservation, 'series' | 'values' | 'mean' | 'std' | 'suppressed' | 'filled'>): Pair | null {
    const s = this.#history(o.series);
    const n = o.filled ?? 0;
    if (n > 0 && s.count > 0) {
      const F = this.#o.features;
      const at = ((s.head - 1 + this.#len) % this.#len) * F;
      const prev = s.raw.slice(at, at + F); // a copy: the rows written below may reach its slot
      // Only the newest `len` rows can be read: older filled ones would be overwritten at once.
      for (let k = Math.max(1, n - this.#len + 1); k <= n; k++) {
        const frac = k / (n + 1);
        this.#row(s, Float64Array.from(prev, (a, f) => a + frac * (o.values[f] - a)), o, 1);
      }
    }
    this.#row(s, o.values, o, 0);
    if (s.count < this.#len) return null;
    if (s.suppressed.some((x) => x === 1)) {
      this.suppressed++;
      return null;
    }
    for (let i = 0; i <= this.#o.horizon; i++) {
      if (s.filled[(s.head + this.#o.window - 1 + i) % this.#len] === 1) {
        this.filledOut++;
        return null;
      }
    }
    return this.#pair(o.series, s);
  }

  /** Write one row at the head (`filled` 1: a filled-in reading, which takes no sequence number). */
  #row(s: SeriesHistory, values: ArrayLike<number>, o: Pick<TickObservation, 'mean' | 'std' | 'suppressed'>, filled: 0 | 1): void {
    const F = this.#o.features;
    const h = s.head;
    for (let f = 0; f < F; f++) {
      s.raw[h * F + f] = values[f];
      s.mean[h * F + f] = o.mean[f];
      s.std[h * F + f] = o.std[f];
    }
    let finite = true;
    for (let f = 0; f < F; f++) finite &&= Number.isFinite(values[f]);
    s.suppressed[h] = filled === 0 && (o.suppressed || !finite) ? 1 : 0;
    s.filled[h] = filled;
    s.seq[h] = filled ? this.#seq : this.#seq++;
    s.head = (h + 1) % this.#len;
    s.count++;
  }

  has(series: string): boolean {
    return this.#series.has(series);
  }

  forget(series: string): void {
    this.#series.delete(series);
  }

  #history(series: string): SeriesHistory {
    let s = this.#series.get(series);
    if (!s) {
      if (this.#series.size >= this.#o.maxSeries) this.#series.delete(this.#series.keys().next().value as string);
      s = new SeriesHistory(this.#len, this.#o.features);
    } else this.#series.delete(series);
    this.#series.set(series, s); // Map order doubles as recency order
    return s;
  }

  #pair(series: string, s: SeriesHistory): Pair | null {
    const { window: W, horizon: H, features: F, targets } = this.#o;
    const T = targets.length;
    const lim = this.#o.maxAbsZ ?? 50;
    // Oldest slot is s.head; the window's last tick is W−1 slots after it.
    const origin = (s.head + W - 1) % this.#len;
    const x = new Float32Array(W * F);
    const y = new Float32Array(H * T);
    let bad = false;
    const z = (slot: number, f: number) => {
      const v = (s.raw[slot * F + f] - s.mean[origin * F + f]) / s.std[origin * F + f];
      if (!(Math.abs(v) <= lim)) bad = true;
      return v;
    };
    for (let i = 0; i < W; i++) {
      const slot = (s.head + i) % this.#len;
      for (let f = 0; f < F; f++) x[i * F + f] = z(slot, f);
    }
    for (let i = 0; i < H; i++) {
      const slot = (s.head + W + i) % this.#len;
      for (let t = 0; t < T; t++) y[i * T + t] = z(slot, targets[t]);
    }
    if (bad) {
      this.dropped++;
      return null;
    }
    return { series, originSeq: s.seq[origin], truthSeq: s.seq[(s.head + W + H - 1) % this.#len], x, y, std: s.std[origin * F + targets[0]] };
  }
}
