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

/** Whether two units of one reading's name clash: both given and different ('' is unspecified). */
export function unitsClash(a: string, b: string): boolean {
  return a !== '' && b !== '' && a !== b;
}
