// The one floor on a normalisation std, shared by the window store and a caller's forecast window (pipeline/request-window.ts).
/** Std floored at 1e-15 of the level (never absolute: any units reach the model at unit scale; docs/architecture.md "Normalisation"). */
export function normStd(variance: number, mean: number): number {
  return Math.sqrt(Math.max(variance, 1e-30 * mean * mean, 1e-300));
}

/**
 * Whether `std` is the floor itself, i.e. the window was constant: its forecast is the level, since
 * model output × the floor is round-off (an all-zero window forecast ±1e-153 before 7 Dec 2026).
 */
export function atStdFloor(std: number, mean: number): boolean {
  return std <= normStd(0, mean);
}
