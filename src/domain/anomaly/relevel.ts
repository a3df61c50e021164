/**
 * The analogue forecaster's first ticks after a gap or closure (nineteenth round,
 * docs/anomaly-rounds.md): until ⌈neighbours/2⌉ stretches wholly after it (and their successors)
 * exist, the median analogue may lie before the gap. Where the series stands at a new level (a
 * market's open after an overnight gap) a context matched by level then finds the old level's
 * stretches and forecasts the old level — a never-seen residual once the gap's damping ends. Those
 * ticks are forecast by shapes (each stretch less its last value) where shapes match the context
 * better than levels do; a level seen before (a daily cycle's morning) keeps its level analogues.
 */
import type { AnalogueForecaster } from './analogue-forecaster.ts';
import type { AnomalyConfig } from './config.ts';

/** Whether a tick `sinceGap` ticks after one that ended a gap or closure (0: that one) may be forecast by shapes. */
export const relevels = (c: Readonly<AnomalyConfig>, sinceGap: number): boolean =>
  c.gapRelevel && sinceGap >= 1 && sinceGap < c.contextTicks + Math.ceil(c.neighbours / 2);

/** The forecast by levels or by shapes, whichever's analogues lie nearer the context (median distance). */
export function relevelled(f: AnalogueForecaster): { p50: number; spread: number } | null {
  const byLevel = f.forecast(false, true);
  const byShape = f.forecast(true, true);
  if (byLevel === null || byShape === null) return byLevel;
  return byShape.fit! < byLevel.fit! ? byShape : byLevel;
}
