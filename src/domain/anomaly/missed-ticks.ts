/**
 * Readings missed between two ticks (../gap-clock.ts: a feed sampled irregularly, one that drops a
 * reading now and then). The views that read the series tick by tick would take the next tick for
 * the next reading: the forecaster's context and the seasonal view's phase would slip against
 * event time, a daily cycle by one tick per miss. So each missed reading is filled in the
 * forecaster with what it expected of it (the last value while it has no forecast), and the
 * seasonal view fills its slots with the same phase a period back. No likelihood learns from a
 * filled reading and none is scored; the tick that arrives is judged as usual, its residual
 * divided by √ratio (../gap-clock.ts). The volatility view is not filled: it reads the step to the
 * late tick as one step (filled, it cost 3 dev points at 30 % of readings lost: docs/anomaly-rounds.md,
 * thirteenth round).
 */
import type { AnalogueForecaster } from './analogue-forecaster.ts';
import type { SeasonalView } from './seasonal-view.ts';

export function fillMissed(k: number, forecaster: AnalogueForecaster, seasonal: SeasonalView | null): void {
  for (let i = 0; i < k; i++) {
    const v = forecaster.forecast()?.p50 ?? forecaster.last();
    if (!Number.isFinite(v)) break;
    forecaster.push(v);
  }
  seasonal?.fill(k);
}
