/**
 * The range of a series' recent values (tenth round, docs/anomaly-rounds.md), for the never-seen
 * rule at a recent time scale: a value beyond everything of the last ≈ `ticks` values, although
 * inside the all-time range, is news — a drift or a step to a level the series left long ago
 * (`rogue_agent_key_updown`), which the all-time rule cannot see once one early excursion has
 * widened the range for good.
 *
 * Kept as the min and max of BLOCKS blocks of ⌈ticks / BLOCKS⌉ values each, plus the block being
 * filled, so the window covers the last BLOCKS whole blocks and the partial one (between `ticks`
 * and `ticks` + one block): O(BLOCKS) per read, O(1) per value, 2·BLOCKS + 5 doubles.
 */
import { OWN_ARRAYS, type ArrayAlloc } from '../arena.ts';

const BLOCKS = 20;
const CUR_MIN = 2 * BLOCKS;
const CUR_MAX = CUR_MIN + 1;
const IN_BLOCK = CUR_MIN + 2;
const DONE = CUR_MIN + 3;
const LEN = CUR_MIN + 4;

export class RecentRange {
  /** [0, B): block minima (ring), [B, 2B): block maxima, then the open block's min, max and count, and the blocks closed. */
  readonly s: Float64Array;
  private readonly block: number;

  constructor(ticks: number, alloc: ArrayAlloc = OWN_ARRAYS) {
    this.block = Math.max(1, Math.ceil(ticks / BLOCKS));
    this.s = alloc.f64(LEN);
    this.s[CUR_MIN] = Infinity;
    this.s[CUR_MAX] = -Infinity;
  }

  /** True once BLOCKS whole blocks have been seen. */
  get full(): boolean {
    return this.s[DONE] >= BLOCKS;
  }

  /** [min, max] of the window (±Infinity before any value): `beyond`'s bounds as a pair (off the scoring path). */
  range(): [number, number] {
    let out: [number, number] = [Infinity, -Infinity];
    this.beyond(0, 0, (_value, lo, hi) => {
      out = [lo, hi];
      return false;
    });
    return out;
  }

  /** `test(value, lo, hi, tolerance)` over the window's [lo, hi], without allocating a pair (every scored tick). */
  beyond(value: number, tolerance: number, test: (value: number, lo: number, hi: number, tolerance: number) => boolean): boolean {
    const s = this.s;
    let lo = s[CUR_MIN];
    let hi = s[CUR_MAX];
    const n = Math.min(BLOCKS, s[DONE]);
    for (let i = 0; i < n; i++) {
      if (s[i] < lo) lo = s[i];
      if (s[BLOCKS + i] > hi) hi = s[BLOCKS + i];
    }
    return test(value, lo, hi, tolerance);
  }

  push(value: number): void {
    const s = this.s;
    if (value < s[CUR_MIN]) s[CUR_MIN] = value;
    if (value > s[CUR_MAX]) s[CUR_MAX] = value;
    if (++s[IN_BLOCK] < this.block) return;
    const slot = s[DONE] % BLOCKS;
    s[slot] = s[CUR_MIN];
    s[BLOCKS + slot] = s[CUR_MAX];
    s[DONE]++;
    s[IN_BLOCK] = 0;
    s[CUR_MIN] = Infinity;
    s[CUR_MAX] = -Infinity;
  }
}
