/**
 * Third view of surprise, after ARTime (adaptive resonance over short normalised windows): has
 * this SHAPE been seen before? Ticks are averaged in blocks of `block`; the last `width` block
 * means, scaled by the series' own running range of block means (so units do not matter), form
 * a pattern. Patterns are matched against a bounded set of learned prototypes (categories) by
 * mean absolute difference. A pattern close to a prototype "resonates" and nudges it; one that is
 * further than the vigilance — self-tuned as a multiple of the series' typical match distance —
 * founds a new category, replacing the least recently used when the set is full. The view's raw
 * surprise is the best-match distance over the typical one, reported once per block.
 *
 * Cost per tick O(1) amortised: one match of `prototypes × width` per `block` ticks; memory
 * prototypes × width float64.
 */
import { OWN_ARRAYS, type ArrayAlloc } from '../arena.ts';
const MIN_TYPICAL = 0.02;

export class PatternView {
  private readonly protos: Float64Array;
  private readonly lastUsed: Float64Array;
  private count = 0;
  private readonly recent: Float64Array;
  private blocks = 0;
  private acc = 0;
  private inBlock = 0;
  private min = Infinity;
  private max = -Infinity;
  private typical = 0;
  private matched = 0;
  private readonly x: Float64Array;

  constructor(
    private readonly block: number,
    private readonly width: number,
    private readonly capacity: number,
    /** A match farther than `vigilance × typical distance` founds a new category. */
    private readonly vigilance: number,
    alloc: ArrayAlloc = OWN_ARRAYS,
  ) {
    this.protos = alloc.f64(capacity * width);
    this.lastUsed = alloc.f64(capacity);
    this.recent = alloc.f64(width);
    this.x = alloc.f64(width);
  }

  /** Feed one value; returns a raw surprise in [0, 1) at the end of a block, else −1 (no news). */
  update(value: number): number {
    this.acc += value;
    if (++this.inBlock < this.block) return -1;
    const mean = this.acc / this.block;
    this.acc = 0;
    this.inBlock = 0;
    this.recent[this.blocks % this.width] = mean;
    this.blocks++;
    if (mean < this.min) this.min = mean;
    if (mean > this.max) this.max = mean;
    if (this.blocks < this.width) return 0;
    const range = this.max - this.min;
    const w = this.width;
    for (let k = 0; k < w; k++) this.x[k] = range > 0 ? (this.recent[(this.blocks + k) % w] - this.min) / range : 0;
    return this.match();
  }

  private match(): number {
    const w = this.width;
    const x = this.x;
    let best = -1;
    let bestD = Infinity;
    for (let p = 0; p < this.count; p++) {
      let d = 0;
      const o = p * w;
      for (let k = 0; k < w && d < bestD; k++) d += Math.abs(x[k] - this.protos[o + k]);
      if (d < bestD) { bestD = d; best = p; }
    }
    bestD /= w;
    // Distances are in units of the series' range: a floor of 2 % keeps a noiseless periodic
    // series (typical distance → 0) from calling a rounding difference new.
    const typical = Math.max(this.typical, MIN_TYPICAL);
    const surprise = best < 0 ? 0 : bestD / typical;
    if (best >= 0 && bestD <= this.vigilance * typical) {
      const o = best * w;
      for (let k = 0; k < w; k++) this.protos[o + k] += 0.1 * (x[k] - this.protos[o + k]);
      this.lastUsed[best] = this.blocks;
    } else this.found();
    // Typical match distance: bias-corrected EW mean, learning from every block (clipped).
    this.matched++;
    const a = Math.max(0.02, 1 / this.matched);
    if (Number.isFinite(bestD)) this.typical += a * (Math.min(bestD, this.matched > 1 ? 10 * typical : bestD) - this.typical);
    return 1 - Math.exp(-Math.max(0, surprise - 1) / 3);
  }

  private found(): void {
    let slot = this.count;
    if (this.count < this.capacity) this.count++;
    else {
      slot = 0;
      for (let p = 1; p < this.capacity; p++) if (this.lastUsed[p] < this.lastUsed[slot]) slot = p;
    }
    this.protos.set(this.x, slot * this.width);
    this.lastUsed[slot] = this.blocks;
  }
}
