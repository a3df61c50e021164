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
 *
 * `gapStep` is step (0) of scoring a tick (tick-score.ts): the gap clock's reading, and what the
 * views do with the time it says passed. A gap's skipped phases are filled in the seasonal view
 * (with its quiet spell); missed readings are filled as above; hours the feed is closed
 * (`openHours`: its nights, weekends, ../open-hours.ts) are not filled — the series runs in its
 * open hours' time — but a closure longer than `gapFactor` intervals quiets the seasonal view as a
 * gap does (docs/anomaly-rounds.md, fourteenth round).
 */
import type { GapClock, GapTick } from '../gap-clock.ts';
import type { AnalogueForecaster } from './analogue-forecaster.ts';
import type { AnomalyConfig } from './config.ts';
import type { SeasonalView } from './seasonal-view.ts';

export function gapStep(gaps: GapClock, c: Readonly<AnomalyConfig>, tsMs: number, forecaster: AnalogueForecaster, seasonal: SeasonalView | null): GapTick {
  const g = gaps.tick(tsMs, c.gapFactor, c.contextTicks, c.missedTicks, c.openHours);
  const onClock = c.missedTicks && gaps.onClock;
  if (g.intervals > 0) seasonal?.skip(Math.round(g.intervals) - 1, onClock);
  else if (g.missed > 0) fillMissed(g.missed, forecaster, seasonal);
  else if (g.closed > 0) seasonal?.rest(Math.round(g.closed) - 1, onClock);
  return g;
}

function fillMissed(k: number, forecaster: AnalogueForecaster, seasonal: SeasonalView | null): void {
  for (let i = 0; i < k; i++) {
    const v = forecaster.forecast()?.p50 ?? forecaster.last();
    if (!Number.isFinite(v)) break;
    forecaster.push(v);
  }
  seasonal?.fill(k);
}
