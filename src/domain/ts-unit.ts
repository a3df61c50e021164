/**
 * The unit of a numeric ts (input.tsUnit) and what the codec says about one it refuses: the range
 * tickcast accepts (1973–2200), the conversion to epoch ms, and the hint naming the unit a refused
 * number looks like. Pure numbers and words; tick-timestamp.ts decides what is refused.
 */
import { showValue } from './show-value.ts';

const show = (v: unknown): string => showValue(v);

/** The unit of a numeric ts (input.tsUnit); ISO-8601 strings are read alike under each. 'auto': seconds below AUTO_SECONDS_BELOW, else ms. */
export type TsUnit = 'ms' | 's' | 'auto';

// Epoch ms from 1973-03-03 to 2201-04-30 ("1973–2200"), for numbers and ISO strings alike: rejects
// seconds (too small) and µs/ns (too large) by mistake, and ISO years such as 0001 or 9999 — one
// tick in 9999 would make every later tick of its series late, freezing it.
export const MIN_TS_MS = 1e11;
export const MAX_TS_MS = 7.3e12;
/**
 * input.tsUnit 'auto': a numeric ts below this is epoch seconds, from it epoch ms. Unambiguous for
 * every ts accepted: seconds in 1973–2200 are 1e8 to 7.3e9 and ms 1e11 to 7.3e12, so no number is
 * a date in that range in both units; one between 7.3e9 and 1e11 is refused in both (seconds past
 * 2200, ms before 1973).
 */
export const AUTO_SECONDS_BELOW = 1e11;

/** Epoch ms of a numeric ts in `unit` (not yet range-checked): seconds × 1000 rounded to the microsecond (1732060800.823379 × 1000 alone gives 1732060800823.3792). */
export function numberToMs(ts: number, unit: TsUnit): number {
  return unit === 's' || (unit === 'auto' && Math.abs(ts) < AUTO_SECONDS_BELOW) ? Math.round(ts * 1e6) / 1e3 : ts;
}

/**
 * An ISO-8601 time's epoch ms with its fraction of a second (`.123456`, digits after the point)
 * kept to the microsecond, as numberToMs keeps epoch seconds'. `wholeMs`: the time without the
 * fraction. Date.parse alone truncates to the millisecond (until 7 Dec 2026 the service's read:
 * ticks stamped .123456 and .123789 were one ts, the second dropped as a duplicate).
 */
export function withFraction(wholeMs: number, fraction: string | undefined): number {
  return fraction === undefined ? wholeMs : (wholeMs * 1000 + Math.round(Number(`0${fraction}`) * 1e6)) / 1000;
}

/** A numeric ts's unit as the reasons write it. */
export const UNIT_NAME: Readonly<Record<TsUnit, string>> = { ms: 'ms', s: 'seconds', auto: 'seconds or ms' };
/** How the reasons name the setting after the unit, when it is not the default. */
const UNIT_SETTING: Readonly<Record<TsUnit, string>> = { ms: '', s: ' (input.tsUnit "s")', auto: ' (input.tsUnit "auto")' };
/** What a "ts missing" reason asks for. */
export const UNIT_WANTED: Readonly<Record<TsUnit, string>> = { ms: 'epoch milliseconds', s: 'epoch seconds', auto: 'epoch seconds or milliseconds' };

/** Why `ts` is not a timestamp — rendered only when it is refused, not for every tick. `name`: the field's, as messages write it. */
export const notTs = (ts: unknown, name: string, unit: TsUnit): string => `${name} must be epoch ${UNIT_NAME[unit]}${UNIT_SETTING[unit]} or ISO-8601; got ${show(ts)}`;

/** Per input.tsUnit: the units a refused number may be in instead — [unit, its size in ms over which 1973–2200 falls, the fix]. */
const OTHER_UNITS: Readonly<Record<TsUnit, ReadonlyArray<readonly [string, number, string]>>> = {
  ms: [['seconds', 1e-3, '× 1000, or set input.tsUnit to "s"'], ['microseconds', 1e3, '÷ 1000'], ['nanoseconds', 1e6, '÷ 1,000,000']],
  s: [['milliseconds', 1, '÷ 1000, or set input.tsUnit to "ms"'], ['microseconds', 1e3, '÷ 1,000,000'], ['nanoseconds', 1e6, '÷ 1,000,000,000']],
  auto: [['microseconds', 1e3, '÷ 1000'], ['nanoseconds', 1e6, '÷ 1,000,000']],
};
/** The 1973–2200 range in each unit's numbers, for an out-of-range hint. */
const RANGE_TEXT: Readonly<Record<TsUnit, string>> = {
  ms: `${MIN_TS_MS} to ${MAX_TS_MS}`,
  s: `${MIN_TS_MS / 1000} to ${MAX_TS_MS / 1000}`,
  auto: `${MIN_TS_MS / 1000} to ${MAX_TS_MS / 1000} as seconds or ${MIN_TS_MS} to ${MAX_TS_MS} as ms`,
};

/** Why a number is not a ts in `unit`: the unit it looks like (a factor of 1000 off), else the range. */
export function unitHint(ts: number, unit: TsUnit): string {
  if (!Number.isFinite(ts)) return '';
  const a = Math.abs(ts);
  for (const [other, factor, op] of OTHER_UNITS[unit]) {
    if (a >= MIN_TS_MS * factor && a <= MAX_TS_MS * factor) return ` (it looks like epoch ${other}: send ${unit === 's' ? 'seconds' : 'milliseconds'}, ${op})`;
  }
  return ` (out of range: tickcast accepts 1973–2200, ${RANGE_TEXT[unit]})`;
}
