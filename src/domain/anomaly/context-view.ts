/**
 * Fourth view of surprise, after CAD OSE (Smirnov's Contextual Anomaly Detector, open-source
 * edition, the NAB detector strongest at few false positives): has this value followed these
 * recent values before?
 *
 * Each value is discretised into one of `bins` levels of the series' running range (all-time
 * min/max including the value itself, so units and offset do not matter). A *left semi-context*
 * is the sequence of the last k levels (k = 1..`order`: CAD's intersections of long contexts
 * into shorter, more general ones); the *right semi-context* is the level that followed. The
 * context operator counts, per left semi-context, how often each right one followed it. On each
 * tick, before learning the tick (causal):
 *
 *  - selected contexts: every (left, right) pair learned for the left semi-contexts that just
 *    occurred; active: those whose right semi-context is the current level;
 *  - prediction: the right semi-contexts with the highest weight count / total over the selected
 *    contexts. A predicted level is no news (CAD's "prediction error 0" → score 0);
 *  - otherwise raw = (1 − active / selected + new / potential) / 2 — CAD's two shares: the share
 *    of the selected contexts that did not come true, plus the share of this tick's contexts
 *    (one per order) never seen before.
 *
 * What differs from CAD OSE: levels are plain bins of the running range (CAD encodes the bin as
 * bits over the file's min/max, which a causal service cannot know), contexts are sequences of
 * levels instead of CAD's sets of bit facts and "neuron" facts (the ids of active contexts),
 * and memory is bounded: the table holds at most `capacity` left semi-contexts (open
 * addressing), a left semi-context's counts are halved (rounding up) once their total reaches
 * 256 (the view keeps adapting, a successor once seen stays known), and when the table is ¾
 * full the rarest left semi-contexts (total < 2, then < 4, …) are dropped until it is at most
 * half full. All state is
 * typed arrays and numbers (snapshots: src/pipeline/snapshot/codec.ts).
 *
 * Cost per tick O(order · bins) plus amortised O(capacity · bins) per compaction; memory
 * capacity × (8 + 4·bins) bytes + 8·order (10 KiB with 256 × 8 bins).
 */
import { OWN_ARRAYS, type ArrayAlloc } from '../arena.ts';

/** A left semi-context's counts are halved when their total reaches this (adaptation). */
const HALVE_AT = 256;
/** Values within this fraction of a bin of its upper edge go up: x and a·x + b bin alike. */
const EDGE = 1e-9;

export class ContextView {
  /** Left semi-context keys (0 = empty slot): code of the levels × 8 + length. */
  private readonly keys: Float64Array;
  /** `bins` counts per slot: how often each level followed the slot's left semi-context. */
  private readonly counts: Float32Array;
  /** The last `order` levels (ring). */
  private readonly recent: Float64Array;
  private readonly shift: number;
  private used = 0;
  private seen = 0;
  private min = Infinity;
  private max = -Infinity;

  constructor(
    private readonly bins: number,
    private readonly order: number,
    /** Slots of the table, a power of two (left semi-contexts kept at most). */
    private readonly capacity: number,
    alloc: ArrayAlloc = OWN_ARRAYS,
  ) {
    this.keys = alloc.f64(capacity);
    this.counts = alloc.f32(capacity * bins);
    this.recent = alloc.f64(order);
    this.shift = 32 - Math.log2(capacity);
  }

  /** Left semi-contexts held now (≤ ¾ of the capacity). */
  get size(): number {
    return this.used;
  }

  /** Feed one value; returns the raw surprise in [0, 1] (0 on the first tick), then learns it. */
  update(value: number): number {
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const range = this.max - this.min;
    const level = range > 0 ? Math.min(this.bins - 1, Math.floor(((value - this.min) / range) * this.bins + EDGE)) : 0;
    const depth = Math.min(this.order, this.seen);
    const raw = depth > 0 ? this.score(level, depth) : 0;
    for (let k = 1; k <= depth; k++) this.learn(this.keyOf(k), level);
    this.recent[this.seen % this.order] = level;
    this.seen++;
    return raw;
  }

  private score(level: number, depth: number): number {
    let selected = 0;
    let active = 0;
    let fresh = 0;
    let best = 0;
    let predicted = false;
    for (let k = 1; k <= depth; k++) {
      const slot = this.find(this.keyOf(k));
      if (slot < 0) { fresh++; continue; }
      const o = slot * this.bins;
      let total = 0;
      for (let b = 0; b < this.bins; b++) {
        total += this.counts[o + b];
        if (this.counts[o + b] > 0) selected++;
      }
      const c = this.counts[o + level];
      if (c > 0) active++; else fresh++;
      for (let b = 0; b < this.bins; b++) {
        const w = this.counts[o + b] / total;
        if (w > best) { best = w; predicted = b === level; } else if (w === best && b === level) predicted = true;
      }
    }
    if (predicted) return 0;
    return (1 - (selected > 0 ? active / selected : 0) + fresh / depth) / 2;
  }

  /** Key of the left semi-context made of the last k levels (most recent first). */
  private keyOf(k: number): number {
    let code = 0;
    for (let i = 1; i <= k; i++) code = code * this.bins + this.recent[(this.seen - i) % this.order];
    return code * 8 + k;
  }

  private home(key: number): number {
    return Math.imul(key >>> 0, 0x9e3779b1) >>> this.shift;
  }

  /** Slot of `key`, or −1. */
  private find(key: number): number {
    const mask = this.capacity - 1;
    for (let i = this.home(key); ; i = (i + 1) & mask) {
      if (this.keys[i] === key) return i;
      if (this.keys[i] === 0) return -1;
    }
  }

  private learn(key: number, level: number): void {
    let slot = this.find(key);
    if (slot < 0) {
      if (4 * (this.used + 1) > 3 * this.capacity) this.compact();
      const mask = this.capacity - 1;
      for (slot = this.home(key); this.keys[slot] !== 0; slot = (slot + 1) & mask);
      this.keys[slot] = key;
      this.used++;
    }
    const o = slot * this.bins;
    this.counts[o + level]++;
    let total = 0;
    for (let b = 0; b < this.bins; b++) total += this.counts[o + b];
    // Halved rounding up: a successor once seen is never forgotten this way (a square wave's
    // switch follows its plateau once in hundreds of ticks and must stay known).
    if (total >= HALVE_AT) for (let b = 0; b < this.bins; b++) this.counts[o + b] = Math.ceil(this.counts[o + b] / 2);
  }

  /** Drop the rarest left semi-contexts (total < 2, then < 4, …) until the table is at most half full. */
  private compact(): void {
    for (let below = 2; 2 * this.used > this.capacity; below *= 2) {
      for (let s = 0; s < this.capacity; ) {
        if (this.keys[s] !== 0 && this.total(s) < below) this.remove(s); // re-check s: an entry moved in
        else s++;
      }
    }
  }

  private total(slot: number): number {
    let t = 0;
    for (let b = 0; b < this.bins; b++) t += this.counts[slot * this.bins + b];
    return t;
  }

  /** Linear-probing deletion by backward shift (no tombstones): later entries of the cluster move up. */
  private remove(slot: number): void {
    const mask = this.capacity - 1;
    let hole = slot;
    for (let j = (slot + 1) & mask; this.keys[j] !== 0; j = (j + 1) & mask) {
      const h = this.home(this.keys[j]);
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const inRange = hole <= j ? h > hole && h <= j : h > hole || h <= j;
      if (inRange) continue;
      this.keys[hole] = this.keys[j];
      this.counts.copyWithin(hole * this.bins, j * this.bins, (j + 1) * this.bins);
      hole = j;
    }
    this.keys[hole] = 0;
    this.counts.fill(0, hole * this.bins, (hole + 1) * this.bins);
    this.used--;
  }
}
