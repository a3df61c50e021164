/**
 * What a gap or a closure widens (twentieth round, docs/anomaly-rounds.md): a random walk's reach
 * over the time that passed, √(interval / typical) of one reading's (../gap-clock.ts), and nothing
 * else.
 *
 * - `gapRangeResidual`: the never-seen-level rule's residual condition (`rangeMinResidual`: did the
 *   forecaster see this level coming?) across a gap widens the forecaster's realised one-step error
 *   by √ratio, and adds this tick's analogue spread once. Before, the whole scale (error + spread)
 *   was multiplied: the analogues' disagreement about one next step, read from a context the gap
 *   made stale, counted as if it had accumulated over every missed step — at a halt's reopen it
 *   doubled the band on some draws, so a 10 % reopen passed the condition in 5 of 12 seeds.
 * - `closureVolatilityStep`: the volatility view reads the step across closed hours (a market's
 *   night) ÷ √ratio, as the residuals are, not as one reading's step: an ordinary overnight gap
 *   held its 12-tick mean |Δ| up for 4 bars (warnings at bar 4 after 4 of 168 opens). Only
 *   closures, the hours a feed never reads in: the step across a gap in its reading hours (an
 *   outage, a halt) stays one step — the reopening move of a halt is news, and dividing the step
 *   across outages cost the outage corpus (seventh round).
 */
import type { GapTick } from '../gap-clock.ts';
import type { AnomalyConfig } from './config.ts';

/**
 * The residual `rangeMinResidual` is compared with: `divided` (the residual ÷ divisor, as every view
 * reads it) unless the tick follows a gap (`divisor` > 1) with `gapRangeResidual` on; then |error| ÷
 * (error scale × divisor + spread), the error scale floored at a quarter of the resolution `q`.
 */
export function levelResidual(c: Readonly<AnomalyConfig>, err: number, errScale: number, spread: number, q: number, divisor: number, divided: number): number {
  if (!c.gapRangeResidual || divisor <= 1) return divided;
  const band = Math.max(errScale, q / 4) * divisor + spread;
  return band > 0 ? err / band : err > 0 ? Infinity : 0;
}

/** What the volatility view divides this tick's step by: √ratio on the tick that ends closed hours (`closureVolatilityStep`), else 1. */
export const volatilityStepDivisor = (c: Readonly<AnomalyConfig>, g: GapTick): number =>
  c.closureVolatilityStep && g.closed > 0 ? g.divisor : 1;
