/**
 * Seasonal view of surprise: a value unlike the same phase of the last few cycles. A holiday in a
 * weekly series, a missing daily bump or a bump at the wrong hour are easy for a one-step
 * forecaster (each step looks like the one before) and plain to this view.
 *
 * Period: at 256 and 512 ticks, then every `detectEvery` ticks, the autocorrelation of the
 * linearly detrended last `acfWindow` values (the usual biased estimator, Σ y_t·y_{t−L} / Σ y²,
 * which leans towards the shorter of two periods — a day over a week — measured better on both
 * corpora than the per-lag correlation) is searched for its highest peak after the first
 * zero crossing, between `minPeriod` and `maxPeriod` lags; it is kept when it reaches `minAcf`
 * and when the expectation below, with one cycle, beats the level alone over the window (the
 * current period is kept while its own autocorrelation is ≥ 90 % of the peak's, so the view does
 * not flap between a day and a week). Without a period the view is silent.
 *
 * Expectation: for c = 1 … `cycles`, the value c periods earlier shifted by the change of level
 * since then (the mean of the last `levelTicks` values minus the mean of the `levelTicks` values
 * before that earlier one); the median of those. r = |x − expectation| over its own EW mean
 * absolute error (bias-corrected at start, errors clipped at 10× so one burst does not blind it),
 * mapped to [0, 1) by 1 − exp(−max(0, r − floor) / scale).
 *
 * Causal (a tick is scored before it is learned), invariant to units (correlations and error
 * ratios). Cost per tick O(cycles · levelTicks) plus the period search, O(acfWindow · maxPeriod)
 * every `detectEvery` ticks; memory one Float64Array of max(cycles · maxPeriod + levelTicks,
 * acfWindow) + 1.
 */
import { grown, OWN_ARRAYS, type ArrayAlloc } from '../arena.ts';
import { detrend, lagSums } from './lag-sums.ts';

export interface SeasonalParams {
  maxPeriod: number;
  minPeriod: number;
  acfWindow: number;
  detectEvery: number;
  minAcf: number;
  /** Cycles back the median is taken over (1 … MAX_CYCLES). */
  cycles: number;
  /** Ticks of the level correction (0: none); capped at period − 1. */
  levelTicks: number;
  errAlpha: number;
  floor: number;
  scale: number;
  /** How the period is chosen among autocorrelation peaks (see detect); default 'acf'. */
  choose?: 'acf' | 'error';
}

export const MAX_CYCLES = 8;
/** The current period is kept while its autocorrelation is at least this share of the peak's. */
const KEEP_SHARE = 0.9;
/** First searches at these tick counts (powers of two from here until `detectEvery`). */
const FIRST_SEARCH = 256;
/** Entries the ring starts with: it grows as it fills (doubled up to its length), as the likelihoods' rings do (likelihood.ts). */
const RING_START = 128;
/** Errors seen before the view scores (its error scale is a mean of at least this many). */
const MIN_ERRORS = 16;

/** Scratch shared by all views (one update runs at a time: single-threaded). */
let series = new Float64Array(0);
let acfs = new Float64Array(0);
const past = new Float64Array(MAX_CYCLES);
const cycleErr = new Float64Array(2);
let sums = new Float64Array(0);

export class SeasonalView {
  /** The last `cap` values, slot n % cap; shorter while it fills (RING_START, doubled by `put`). */
  private ring: Float64Array;
  private readonly cap: number;
  private n = 0;
  /** Current period in ticks; 0 while none is found. */
  period = 0;
  private err = 0;
  private errN = 0;
  /** Ticks left before the view scores again after a gap (its level correction needs real values). */
  private quiet = 0;

  constructor(private readonly p: Readonly<SeasonalParams>, alloc: ArrayAlloc = OWN_ARRAYS) {
    // The oldest value read: `cycles` periods and `levelTicks` before them (level correction).
    this.cap = Math.max(p.cycles * p.maxPeriod + p.levelTicks, p.acfWindow) + 1;
    this.ring = alloc.f64(Math.min(this.cap, RING_START));
  }

  /** Snapshot hook (../../pipeline/snapshot/codec.ts `fillFrom`): the ring made `n` long before a saved one is copied in. */
  growTo(field: string, n: number): Float64Array | null {
    if (field !== 'ring' || n > this.cap || n < this.ring.length) return null;
    if (n > this.ring.length) this.ring = grown(this.ring, n);
    return this.ring;
  }

  /** Entries the ring holds now (it grows to its full length as it fills). */
  get ringLength(): number {
    return this.ring.length;
  }

  /** Store the n-th value (while the ring fills, n is the first slot it may lack). */
  private put(value: number): void {
    const i = this.n % this.cap;
    if (i >= this.ring.length) this.ring = grown(this.ring, Math.min(this.cap, 2 * this.ring.length));
    this.ring[i] = value;
  }

  /** Feed one value; returns the surprise in [0, 1), or −1 while the view has no period. `floor`: the least error scale. */
  update(value: number, floor = 0): number {
    let raw = this.score(value, floor);
    if (this.quiet > 0) {
      this.quiet--;
      raw = -1;
    }
    this.put(value);
    if (this.searchDue(++this.n)) this.detect();
    return raw;
  }

  /**
   * `k` ticks were missed (a gap in the series): their slots are filled (`fill`), so phases stay
   * aligned after the gap, and the view is quiet for `levelTicks` ticks, until its level correction
   * reads values from after the gap (the level may have moved while nothing was seen). On a series
   * read on a clock (`onClock`), a gap of at most a quarter of `levelTicks` is a run of lost
   * readings, not an outage: no quiet spell (its level correction is still mostly real values).
   */
  skip(k: number, onClock = false): void {
    this.fill(k);
    this.rest(k, onClock);
  }

  /**
   * `k` ticks' time passed in hours the feed is closed (its nights, weekends: ../open-hours.ts):
   * no slot to fill (the series runs in its open hours' time), but the quiet spell of a gap as
   * long (the level may have moved meanwhile).
   */
  rest(k: number, onClock = false): void {
    if (!(onClock && k <= this.p.levelTicks / 4)) this.quiet = this.p.levelTicks;
  }

  /**
   * Fill the slots of `k` missed ticks with the same phase one period back (the last value while no
   * period is known), without a quiet spell: for a reading or two missed between ticks (irregular
   * sampling), whose level cannot have moved far. Whole cycles beyond the ring are dropped from `k`
   * (they do not change the phase).
   */
  fill(k: number): void {
    const len = this.cap;
    const P = this.period;
    let fill = Math.max(0, Math.floor(k));
    if (fill >= len) fill = P > 0 ? fill - P * Math.ceil((fill - len + 1) / P) : len - 1;
    for (let i = 0; i < fill && this.n > 0; i++) {
      this.put(P > 0 && this.n >= P ? this.at(P) : this.at(1));
      if (this.searchDue(++this.n)) this.detect();
    }
  }

  /** Whether the period search runs after the n-th value (a filled one counts: see fill). */
  private searchDue(n: number): boolean {
    return n % this.p.detectEvery === 0 || (n < this.p.detectEvery && n >= FIRST_SEARCH && (n & (n - 1)) === 0);
  }

  private at(ticksAgo: number): number {
    return this.ring[(this.n - ticksAgo) % this.cap];
  }

  /** Mean of the `m` values before the one `ticksAgo` back (ticksAgo 0: the last m values). */
  private meanBefore(ticksAgo: number, m: number): number {
    let s = 0;
    for (let j = 1; j <= m; j++) s += this.at(ticksAgo + j);
    return s / m;
  }

  private expectation(P: number): number {
    const k = this.p.cycles;
    const m = Math.min(this.p.levelTicks, P - 1);
    const recent = m > 0 ? this.meanBefore(0, m) : 0;
    for (let c = 1; c <= k; c++) {
      const adj = m > 0 && this.n >= c * P + m ? recent - this.meanBefore(c * P, m) : 0;
      past[c - 1] = this.at(c * P) + adj;
    }
    const v = past.subarray(0, k).sort();
    const mid = k >> 1;
    return k % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  /**
   * The level-corrected value at the same phase `c` periods back (one term of the expectation,
   * before the median); NaN without a period or that much history. Read by the long-cycle filter
   * (long-cycle.ts).
   */
  phaseValue(c: number): number {
    const P = this.period;
    const m = Math.min(this.p.levelTicks, P - 1);
    if (P === 0 || c > this.p.cycles || this.n < c * P + m) return Number.NaN;
    return this.at(c * P) + (m > 0 ? this.meanBefore(0, m) - this.meanBefore(c * P, m) : 0);
  }

  private score(value: number, floor: number): number {
    const P = this.period;
    if (P === 0 || this.n < this.p.cycles * P) return -1;
    const e = Math.abs(value - this.expectation(P));
    const scale = Math.max(this.err, floor);
    const r = this.errN < MIN_ERRORS ? 0 : scale > 0 ? e / scale : e > 0 ? Infinity : 0;
    this.errN++;
    const a = Math.max(this.p.errAlpha, 1 / this.errN);
    this.err += a * (Math.min(e, this.errN > 1 && scale > 0 ? 10 * scale : e) - this.err);
    return Number.isFinite(r) ? 1 - Math.exp(-Math.max(0, r - this.p.floor) / this.p.scale) : 1 - 1e-12;
  }

  /**
   * Mean absolute errors over the last W ticks of the one-cycle expectation (the value P back,
   * level-corrected) and of the level alone (the mean of the last m values), into cycleErr.
   * Reads the prefix sums of the last W values (`sums`, filled by prefixSums) for the means.
   */
  private cycleErrors(P: number, W: number): Float64Array {
    const m = Math.max(1, Math.min(this.p.levelTicks, P - 1));
    const c = sums;
    let e1 = 0;
    let e0 = 0;
    for (let back = W - P - m; back >= 1; back--) {
      const x = this.at(back);
      const recent = (c[back + m] - c[back]) / m;
      e0 += Math.abs(x - recent);
      e1 += Math.abs(x - (this.at(back + P) + recent - (c[back + P + m] - c[back + P]) / m));
    }
    cycleErr[0] = e1;
    cycleErr[1] = e0;
    return cycleErr;
  }

  /** sums[k] = the sum of the last k values, k = 0 … W. */
  private prefixSums(W: number): void {
    if (sums.length < W + 1) sums = new Float64Array(W + 1);
    sums[0] = 0;
    for (let k = 1; k <= W; k++) sums[k] = sums[k - 1] + this.at(k);
  }

  /** Autocorrelation of the detrended last W values at lags 0 … maxLag, into `acf`. */
  private autocorrelation(W: number, maxLag: number): Float64Array | null {
    if (series.length < W) series = new Float64Array(W);
    if (acfs.length < maxLag + 2) acfs = new Float64Array(maxLag + 2);
    const y = series;
    for (let i = 0; i < W; i++) y[i] = this.at(W - i);
    detrend(y, W);
    let v0 = 0;
    for (let i = 0; i < W; i++) v0 += y[i] * y[i];
    if (!(v0 > 0)) return null;
    lagSums(y, W, Math.min(maxLag + 1, W - 1), acfs);
    for (let L = 0; L <= maxLag + 1 && L < W; L++) acfs[L] /= v0;
    return acfs;
  }

  /**
   * Period search over the last acfWindow values (or all seen, when fewer). `choose: 'acf'`: the
   * highest peak of the autocorrelation after its first zero crossing; the current period stays
   * while its autocorrelation is ≥ KEEP_SHARE of the peak's. `choose: 'error'`: of the local
   * peaks after the first zero crossing that reach minAcf, the one whose one-cycle expectation
   * has the smallest error over the window (a week over two days when weekends differ, though a
   * daily cycle puts both peaks near the same height); the current period stays while its error
   * is within 1 / KEEP_SHARE of the best. Either way the period is kept only when its one-cycle
   * expectation beats the level alone over the window (a peak of a random walk's autocorrelation
   * does not).
   */
  private detect(): void {
    const W = Math.min(this.n, this.p.acfWindow);
    const maxLag = Math.min(this.p.maxPeriod, Math.floor(W / 2));
    if (maxLag < this.p.minPeriod) return;
    const acf = this.autocorrelation(W, maxLag);
    if (acf === null) return;
    this.prefixSums(W);
    const byError = this.p.choose === 'error';
    let best = 0;
    let bestErr = Infinity;
    let crossed = false;
    for (let L = 1; L <= maxLag; L++) {
      if (acf[L] < 0) crossed = true;
      else if (!crossed || L < this.p.minPeriod || acf[L] < this.p.minAcf) continue;
      else if (!byError) {
        if (best === 0 || acf[L] > acf[best]) best = L;
      } else if (acf[L] >= acf[L - 1] && acf[L] >= acf[L + 1]) {
        const e = this.cycleErrors(L, W)[0];
        if (e < bestErr) { best = L; bestErr = e; }
      }
    }
    const cur = this.period;
    if (cur > 0 && cur <= maxLag && best > 0) {
      if (byError ? this.cycleErrors(cur, W)[0] * KEEP_SHARE <= bestErr : acf[cur] >= KEEP_SHARE * acf[best]) best = cur;
    }
    const e = best > 0 ? this.cycleErrors(best, W) : null;
    this.period = e !== null && e[0] < e[1] ? best : 0;
  }
}
