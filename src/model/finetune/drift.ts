/**
 * Page-Hinkley test for an increase in the mean of a stream (here: absolute one-step forecast
 * residuals in normalised units). m_t = Σ (x_i − x̄_i − δ), M_t = min m_t; drift when
 * m_t − M_t > λ. After a detection the test restarts (new mean). `minSamples` ticks of burn-in
 * before any alarm.
 */
export interface PageHinkleyOptions {
  /** Tolerated increase (δ), in units of the observed value. Default 0.05. */
  delta?: number;
  /** Alarm threshold (λ). Default 50. */
  lambda?: number;
  minSamples?: number;
}

export class PageHinkley {
  readonly #delta: number;
  readonly #lambda: number;
  readonly #min: number;
  #n = 0;
  #mean = 0;
  #m = 0;
  #mMin = 0;

  constructor(o: PageHinkleyOptions = {}) {
    this.#delta = o.delta ?? 0.05;
    this.#lambda = o.lambda ?? 50;
    this.#min = o.minSamples ?? 100;
  }

  /** Feed one observation; true when drift is detected (the detector then restarts). */
  update(x: number): boolean {
    if (!Number.isFinite(x)) return false;
    this.#n++;
    this.#mean += (x - this.#mean) / this.#n;
    this.#m += x - this.#mean - this.#delta;
    if (this.#m < this.#mMin) this.#mMin = this.#m;
    if (this.#n >= this.#min && this.#m - this.#mMin > this.#lambda) {
      this.reset();
      return true;
    }
    return false;
  }

  /** Current test statistic m_t − M_t. */
  get statistic(): number {
    return this.#m - this.#mMin;
  }

  reset(): void {
    this.#n = 0;
    this.#mean = 0;
    this.#m = 0;
    this.#mMin = 0;
  }
}
