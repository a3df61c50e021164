/**
 * SenML units (RFC 8428 `u`, `bu`): one series' feature takes one unit (decided 7 Dec 2026,
 * docs/schemas.md § SenML packs, "Units"). A reading in another unit than the first its series
 * was sent in is refused, TC_RECORD_UNIT_MISMATCH, with this reason; a reading with no unit is
 * "unspecified" and taken. Units are not converted: see the docs for why.
 */
import { ErrorCodes, recordError, type TickcastError } from '../errors/index.ts';
import { showValue } from './show-value.ts';

/**
 * The reason a reading of `feature` in `unit` is refused for `series`, whose first unit was `first`.
 * Units are shown cut (120 characters): a 1 MB `u` echoed whole pushed what to do out of the dead
 * letter's bounded reason, as the SenML name refusal's does not (until 7 Dec 2026).
 */
export function unitMismatch(series: string, feature: string, first: string, unit: string, tsMs: number): TickcastError {
  return recordError(ErrorCodes.RECORD_UNIT_MISMATCH, `series "${series}" feature "${feature}": the reading at ${new Date(tsMs).toISOString()} is in ${showValue(unit, 120)}, but the series was first sent in ${showValue(first, 120)}; tickcast does not convert units (one unit a series): fix the gateway's u or bu, send the other unit under another name, or set input.senmlUnits to "any"`);
}

/**
 * The longest unit a series is held to, in characters. RFC 8428 and RFC 8798 units are short symbols
 * (Cel, %RH, m/s, kW.h); each series keeps its first unit per feature in memory and in the snapshot,
 * so until 7 Dec 2026 a gateway sending a 900 KB `u` had up to 2 × windows.maxSeries of them held.
 */
export const UNIT_MAX = 64;

/** The reason a reading whose unit is longer than UNIT_MAX is refused (input.senmlUnits 'first', where units are remembered). */
export function unitTooLong(series: string, feature: string, unit: string, tsMs: number): TickcastError {
  return recordError(ErrorCodes.RECORD_INVALID, `series "${series}" feature "${feature}": the reading at ${new Date(tsMs).toISOString()} has a unit of ${unit.length} characters (${showValue(unit, 40)}); units are at most ${UNIT_MAX} (SenML units are symbols such as Cel or %RH): fix the gateway's u or bu, or set input.senmlUnits to "any"`);
}

/** Whether two units of one reading's name clash: both given and different ('' is unspecified). */
export function unitsClash(a: string, b: string): boolean {
  return a !== '' && b !== '' && a !== b;
}
