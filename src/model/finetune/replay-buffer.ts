/**
 * Bounded replay buffer of training pairs that mixes recency and coverage: half the capacity is
 * a ring of the most recent pairs (what the stream looks like now), the other half one reservoir
 * per series (a uniform sample of each series' whole history, so a quiet or older series is not
 * forgotten). Per-series reservoirs share their half equally and shrink as series appear. With
 * more series than that half has slots, the reservoir of the series quiet the longest (least
 * recently added to) is dropped for a new one: the buffer never holds more than `capacity` pairs
 * (before 6 Dec 2026 every series kept one pair, and many series overran it).
 *
 * Sampling draws half of a batch from the recent ring and half from the reservoirs (series
 * chosen uniformly, then a pair uniformly), always excluding the round's hold-out slice (origins
 * at or after `beforeSeq`) and, per series of the slice, the pairs whose truth reaches into it
 * (`truthSeq` at or after that series' first hold-out origin, `purge`): they would train on values
 * the slice judges (until 7 Dec 2026 only the origin was cut, and they leaked).
 */
import type { Pair } from './live-pairs.ts';

export class ReplayBuffer {
  readonly capacity: number;
  readonly #recent: Pair[] = [];
  #recentHead = 0;
  readonly #res = new Map<string, { items: Pair[]; seen: number }>();
  #resCount = 0;
  readonly #rand: () => number;

  constructor(capacity: number, rand: () => number = Math.random) {
    this.capacity = Math.max(2, capacity);
    this.#rand = rand;
  }

  get recentCapacity(): number {
    return Math.ceil(this.capacity / 2);
  }

  /** Stored pair slots (recent ring plus reservoirs; a pair may sit in both). */
  get size(): number {
    return this.#recent.length + this.#resCount;
  }

  get seriesCount(): number {
    return this.#res.size;
  }

  /** Slots of the coverage half: at most this many series have a reservoir. */
  get #coverageCapacity(): number {
    return this.capacity - this.recentCapacity;
  }

  #perSeries(): number {
    return Math.max(1, Math.floor(this.#coverageCapacity / Math.max(1, this.#res.size)));
  }

  add(p: Pair): void {
    if (this.#recent.length < this.recentCapacity) this.#recent.push(p);
    else {
      this.#recent[this.#recentHead] = p;
      this.#recentHead = (this.#recentHead + 1) % this.recentCapacity;
    }
    let r = this.#res.get(p.series);
    if (r) this.#res.delete(p.series); // Map order doubles as recency order (re-set below)
    else {
      r = { items: [], seen: 0 };
      if (this.#res.size >= this.#coverageCapacity) this.forget(this.#res.keys().next().value as string);
    }
    this.#res.set(p.series, r);
    if (r.seen === 0) this.#shrink();
    r.seen++;
    const cap = this.#perSeries();
    if (r.items.length < cap) {
      r.items.push(p);
      this.#resCount++;
    } else {
      const j = Math.floor(this.#rand() * r.seen);
      if (j < cap) r.items[j] = p;
    }
  }

  #shrink(): void {
    const cap = this.#perSeries();
    for (const r of this.#res.values()) {
      while (r.items.length > cap) {
        const j = Math.floor(this.#rand() * r.items.length);
        r.items[j] = r.items[r.items.length - 1];
        r.items.pop();
        this.#resCount--;
      }
    }
  }

  /** The `n` most recent pairs, oldest first. */
  recent(n: number): Pair[] {
    const len = this.#recent.length;
    const out: Pair[] = [];
    for (let i = Math.max(0, len - n); i < len; i++) out.push(this.#recent[(this.#recentHead + i) % len]);
    return out;
  }

  /**
   * A round's hold-out: the newest `n` pairs of every series in the recent ring while the slice
   * holds more than `horizon` / 2 pairs of each (n > S × horizon / 2); with more series, the newest
   * `n` pairs of at most half of them (at least one), the plain newest `n` when those have fewer;
   * oldest first. Each held series loses for training the pairs whose truth reaches its slice
   * (`horizon` + its held pairs); a series not held loses the pairs after the slice's start. Holding
   * every series, the newest trainable pair of each is n / S + horizon back; holding half, about
   * 2n / S (not held) and 2n / S + horizon (held): every series while n / S > horizon / 2. Holding
   * every series with one pair each (S ≈ n) left training only pairs `horizon` + 1 ticks old or
   * older (until 7 Dec 2026); holding half of 2–50 series (7 Dec 2026, later that day) judged the
   * gate on half of them and trained on older pairs (2 series, hold-out 200, horizon 8: the newest
   * draw 200 ticks back, not 108).
   */
  holdout(n: number, horizon: number): Pair[] {
    const len = this.#recent.length;
    const all = new Set<string>();
    for (const p of this.#recent) all.add(p.series);
    if (n * 2 > all.size * horizon) return this.recent(n);
    const cap = Math.max(1, Math.ceil(all.size / 2));
    const held = new Set<string>();
    const out: Pair[] = [];
    for (let i = len - 1; i >= 0 && out.length < n; i--) {
      const p = this.#recent[(this.#recentHead + i) % len];
      if (!held.has(p.series)) {
        if (held.size >= cap) continue;
        held.add(p.series);
      }
      out.push(p);
    }
    return out.length < n ? this.recent(n) : out.reverse();
  }

  /** `n` pairs drawn with replacement (half recent, half coverage), origins before `beforeSeq`, none purged (`purge`: series → first hold-out origin). */
  sample(n: number, beforeSeq = Infinity, purge: ReadonlyMap<string, number> = new Map()): Pair[] {
    const ok = eligible(beforeSeq, purge);
    const recent = this.#recent.filter(ok);
    const groups = [...this.#res.values()].map((r) => r.items.filter(ok)).filter((g) => g.length > 0);
    const out: Pair[] = [];
    if (recent.length === 0 && groups.length === 0) return out;
    for (let i = 0; i < n; i++) {
      const fromRecent = groups.length === 0 || (recent.length > 0 && i % 2 === 0);
      if (fromRecent) out.push(recent[Math.floor(this.#rand() * recent.length)]);
      else {
        const g = groups[Math.floor(this.#rand() * groups.length)];
        out.push(g[Math.floor(this.#rand() * g.length)]);
      }
    }
    return out;
  }

  /**
   * Distinct pairs `sample` may draw with the same cut (ring and reservoirs; a pair in both counts
   * once), counted up to `limit`: a round only asks whether there are enough, and runs this on the
   * serving thread (measured 7 Dec 2026, 20,000 pairs of 1,000 series, load average 7.7: a full
   * count 31–58 ms, up to 64 0.1–0.3 ms).
   */
  countBefore(beforeSeq: number, purge: ReadonlyMap<string, number> = new Map(), limit = Infinity): number {
    const ok = eligible(beforeSeq, purge);
    const seen = new Set<Pair>();
    for (const group of [this.#recent, ...[...this.#res.values()].map((r) => r.items)]) {
      for (const p of group) {
        if (ok(p)) seen.add(p);
        if (seen.size >= limit) return seen.size;
      }
    }
    return seen.size;
  }

  forget(series: string): void {
    const r = this.#res.get(series);
    if (r) {
      this.#resCount -= r.items.length;
      this.#res.delete(series);
    }
  }
}

/** Training may use `p`: its origin precedes the hold-out, and its truth that series' part of it. */
function eligible(beforeSeq: number, purge: ReadonlyMap<string, number>): (p: Pair) => boolean {
  return (p) => p.originSeq < beforeSeq && p.truthSeq < (purge.get(p.series) ?? Infinity);
}
