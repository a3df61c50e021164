/** The names a tick's score is explained by, and the expectation it is judged against: shared by the scoring (tick-score.ts), the detector and the alert records. */

/** The views of surprise (and never-seen rules) that can set a tick's score: named in firing alerts. */
export const SURPRISE_VIEWS = ['forecast', 'volatility', 'pattern', 'context', 'seasonal', 'never-seen-level', 'never-seen-recent', 'never-seen-residual'] as const;
export type SurpriseView = (typeof SURPRISE_VIEWS)[number];

/** The model's one-step-ahead forecast for this tick, made before the tick arrived. */
export interface Expectation {
  lower: number;
  p50: number;
  upper: number;
}
