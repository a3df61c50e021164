/**
 * Cold start in the stream: a baseline forecast (seasonal naive, src/domain/cold-start.ts) for a
 * series whose window is not full yet, so it gets forecasts before the model can serve it. Made
 * in phase 1 with no model call; emitted in phase 3 with `"model": "baseline:…"` and kept as the
 * outlook's baseline, never as the detector's expectation.
 */
import { seasonalNaive, type ColdStartOptions } from '../domain/cold-start.ts';
import type { ForecastStep, ModelSpec, Tick } from '../domain/types.ts';
import type { WindowStore } from '../domain/window-store.ts';
import type { ForecastFloor } from '../domain/forecast-floor.ts';

/** A cold series' baseline forecast made at a tick: one step array per target, and the steps (1-based) in hours the series is closed. */
export interface ColdForecast {
  model: string;
  steps: ForecastStep[][];
  closed: readonly number[];
}

/**
 * The baseline forecast for `tick` (already pushed) while its series' window is not full, every
 * `stride` ticks from `minTicks` on; else null. `targetIdx`: each target's index in the features;
 * `floor`: non-negative targets (input.nonNegative).
 */
export function coldForecast(store: WindowStore, c: ColdStartOptions, spec: ModelSpec, targetIdx: readonly number[], tick: Tick, floor?: ForecastFloor | null): ColdForecast | null {
  const n = store.ticks(tick.series);
  if (n >= spec.window || n < c.minTicks || (n - c.minTicks) % store.stride !== 0) return null;
  const recent = store.recent(tick.series)!;
  const times = store.stepTimes(tick.series, tick.tsMs, spec.horizon);
  let model = '';
  const steps: ForecastStep[][] = [];
  for (const f of targetIdx) {
    const r = seasonalNaive(recent.values.map((v) => v[f]), c, spec.horizon, spec.quantiles, times);
    if (!r) return null;
    model = r.model;
    steps.push(r.steps);
  }
  return { model, steps: floor ? floor.apply(steps) : steps, closed: store.closedSteps(tick.series, times) };
}
