/** Forecast step times of a series (SeriesState.stepTimes): where step k falls, and the hour a closed stretch ends. */

/**
 * Step k's time after `fromTs`, `dt` apart: rounded to the millisecond when steps are a
 * millisecond or more apart, else to the microsecond. A feed stamped in fractions of a
 * millisecond (ticks 0.25 ms apart) had its steps rounded onto shared milliseconds — steps 1 and 2
 * at one ts, step 1 at or before the tick's own (before 7 Dec 2026). Either rounding keeps steps
 * strictly increasing and after `fromTs` (rounding a + m·u to units u moves it by less than u/2).
 */
export function stepTime(fromTs: number, k: number, dt: number): number {
  const t = fromTs + k * dt;
  if (dt >= 1) return Math.round(t);
  return dt >= 1e-3 ? Math.round(t * 1000) / 1000 : t;
}

/** The start of the UTC hour after `tMs`. */
export function nextHour(tMs: number): number {
  return (Math.floor(tMs / 3_600_000) + 1) * 3_600_000;
}
