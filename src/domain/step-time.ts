/** Forecast step times of a series (SeriesState.stepTimes): where step k falls, and the hour a closed stretch ends. */

/**
 * Step k's time after `fromTs`, `dt` apart: `fromTs` plus k·dt rounded to the millisecond when
 * steps are a millisecond or more apart, else to the microsecond; the result to the microsecond.
 * A feed stamped in fractions of a millisecond (ticks 0.25 ms apart) had its steps rounded onto
 * shared milliseconds — steps 1 and 2 at one ts, step 1 at or before the tick's own (before 7 Dec
 * 2026). Whole milliseconds are added, not rounded to: a feed stamped 1 s apart at .456 ms (ISO
 * `…00.000456Z`, or `1732060800000.456`) has its steps at .456 too, the times its next ticks come at,
 * where the sum rounded to the ms put every step 0.456 ms before them (until 7 Dec 2026). Either
 * rounding keeps steps strictly increasing and after `fromTs` (rounding m·u to units u moves it by
 * less than u/2).
 */
export function stepTime(fromTs: number, k: number, dt: number): number {
  if (dt >= 1) return toMicros(fromTs + Math.round(k * dt));
  return dt >= 1e-3 ? toMicros(fromTs + k * dt) : fromTs + k * dt;
}

/** `t` (epoch ms) rounded to the microsecond: the shortest decimal that names it, not `…000.45600000005`. */
export function toMicros(t: number): number {
  return Math.round(t * 1000) / 1000;
}

/** The start of the UTC hour after `tMs`. */
export function nextHour(tMs: number): number {
  return (Math.floor(tMs / 3_600_000) + 1) * 3_600_000;
}
