/**
 * Gaps in a series' event time: the typical interval between ticks (a running median: a 5 %
 * multiplicative step toward each new interval, so one outage barely moves it and a new cadence
 * is learned within ~50 ticks), and the residual divisor of each tick. A tick more than
 * `gapFactor` typical intervals after the newest one seen ends a gap: its residuals, and those of
 * the `holdTicks` ticks after it (the forecaster's context still spans the gap), are divided by
 * √(interval / typical) — a value may have moved as far as a random walk would in that time.
 * Ticks without an event time (NaN) or older than the newest seen (late data) are no gap.
 */
/** The answer for a tick that neither ends a gap nor follows one (most ticks: no allocation). */
const NO_GAP: Readonly<{ divisor: number; intervals: number }> = Object.freeze({ divisor: 1, intervals: 0 });

export class GapClock {
  /** Event time of the newest tick (ms; NaN before the first). */
  lastTsMs = NaN;
  typicalMs = 0;
  /** The divisor of the last gap, and the ticks after it that it still applies to. */
  divisor = 1;
  ticksLeft = 0;

  /**
   * The residual divisor of a tick at `tsMs` (1 when no gap applies), and `intervals`: when the
   * tick ends a gap, the typical intervals since the previous tick (else 0).
   */
  tick(tsMs: number, gapFactor: number, holdTicks: number): Readonly<{ divisor: number; intervals: number }> {
    const ratio = this.ratio(tsMs);
    if (gapFactor > 0 && ratio > gapFactor) {
      this.divisor = Math.sqrt(ratio);
      this.ticksLeft = holdTicks;
      return { divisor: this.divisor, intervals: ratio };
    }
    if (this.ticksLeft === 0) return NO_GAP;
    this.ticksLeft--;
    return { divisor: this.divisor, intervals: 0 };
  }

  /** Typical intervals since the newest tick seen (1 without event times or before the second tick). */
  private ratio(tsMs: number): number {
    if (!Number.isFinite(tsMs)) return 1;
    const dt = tsMs - this.lastTsMs;
    if (!(dt > 0)) {
      if (Number.isNaN(this.lastTsMs)) this.lastTsMs = tsMs;
      return 1;
    }
    this.lastTsMs = tsMs;
    if (this.typicalMs <= 0) this.typicalMs = dt;
    const ratio = dt / this.typicalMs;
    this.typicalMs *= Math.exp(0.05 * Math.sign(dt - this.typicalMs));
    return ratio;
  }
}
