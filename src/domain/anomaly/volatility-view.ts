/**
 * Second view of surprise: a change in how much the series moves. The mean |Δ| of the last
 * `shortTicks` ticks is compared with its slow long-run mean (EW, bias-corrected at start):
 * r = ln(short / long). Two-sided: a series that suddenly moves much more (variance up, faster
 * oscillation) gives r ≫ 0; one that stops moving (flatline, stuck sensor, slower oscillation)
 * gives r ≪ 0 — the things a one-step forecaster cannot see, because a flat line is easy to
 * forecast. Ratios of |Δ| are invariant to the units of the series (scale and offset).
 *
 * Cost per tick O(1); memory one Float64Array(shortTicks).
 */
import { OWN_ARRAYS, type ArrayAlloc } from '../arena.ts';
import { rawOf } from './likelihood.ts';
/** e^(±floor) moved inwards by 1e-9 (far more than ln's rounding), for the last floor asked: x strictly between them has |ln x| < floor. */
let boundsFloor = Number.NaN;
let boundLo = 0;
let boundHi = 0;
function quietBelow(floor: number, side: -1 | 1): number {
  if (floor !== boundsFloor) {
    boundsFloor = floor;
    boundLo = Math.exp(-floor) * (1 + 1e-9);
    boundHi = Math.exp(floor) * (1 - 1e-9);
  }
  return side < 0 ? boundLo : boundHi;
}

export class VolatilityView {
  private readonly ring: Float64Array;
  private sum = 0;
  private n = 0;
  private long = 0;
  private longN = 0;
  private prev = NaN;

  constructor(
    shortTicks: number,
    private readonly longAlpha: number,
    /** |r| up to this is no news (0.7 ≈ ln 2: moving up to twice or half as much as usual). */
    private readonly floor: number,
    private readonly scale: number,
    alloc: ArrayAlloc = OWN_ARRAYS,
  ) {
    this.ring = alloc.f64(shortTicks);
  }

  /**
   * Feed one value; returns |r| mapped to [0, 1): 1 − exp(−max(0, |r| − floor) / scale), or 0 while fewer than
   * `shortTicks` differences have been seen. The long mean is updated after scoring (causal).
   * `divisor`: the step to this value is read ÷ it (√(interval / typical) across closed hours, as a
   * random walk's step over that many readings; tick-score.ts, `closureVolatilityStep`).
   */
  update(value: number, divisor = 1): number {
    const prev = this.prev;
    this.prev = value;
    if (Number.isNaN(prev)) return 0;
    const d = Math.abs(value - prev) / divisor;
    const L = this.ring.length;
    const i = this.n % L;
    if (this.n >= L) this.sum -= this.ring[i];
    this.ring[i] = d;
    this.sum += d;
    this.n++;
    if (this.n % (16 * L) === 0) this.recompute();
    let r = 0;
    if (this.n >= L && this.longN >= L) {
      const s = Math.max(0, this.sum) / L;
      const lg = this.long;
      if (lg > 0) {
        const x = (s + 0.01 * lg) / (1.01 * lg);
        // |ln x| clearly within the floor (most ticks; the floor is > 0 there) scores 0, as r = 0 does: no log then.
        if (!(x > quietBelow(this.floor, -1) && x < quietBelow(this.floor, 1))) r = Math.log(x);
      } else r = s > 0 ? 10 : 0;
    }
    this.longN++;
    const a = Math.max(this.longAlpha, 1 / this.longN);
    // Clip at 10× the long mean so one burst does not blind the view to the next.
    this.long += a * (Math.min(d, this.longN > L && this.long > 0 ? 10 * this.long : d) - this.long);
    return rawOf(Math.abs(r) - this.floor, this.scale);
  }

  private recompute(): void {
    let s = 0;
    for (let k = 0; k < this.ring.length; k++) s += this.ring[k];
    this.sum = s;
  }
}
