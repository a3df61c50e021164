/**
 * The time of a SenML reading (RFC 8428 § 4.5.3): bt + t in seconds, absolute from 2^28, else
 * relative to when the pack was sent; and why such a time refuses its pack (src/domain/senml-codec.ts).
 */
import { ErrorCodes, type ErrorCode } from '../errors/index.ts';
import { MAX_TS_MS, MIN_TS_MS } from './ts-unit.ts';

export type SenmlRefusal = { code: ErrorCode; message: string };

/** Times below this (seconds) are relative to now (RFC 8428 § 4.5.3). */
const RELATIVE_BELOW_S = 2 ** 28;

/** Why a reading's time (bt + t, resolved to `tsMs`) refuses its pack, or null. */
export function timeProblem(at: string, bt: number, t: number, tsMs: number, sentMs: number, maxFutureMs: number): SenmlRefusal | null {
  if (tsMs < MIN_TS_MS || tsMs > MAX_TS_MS) return { code: ErrorCodes.RECORD_BAD_TS, message: `${at}: time ${bt + t} s (bt ${bt} + t ${t}) is ${Number.isFinite(tsMs) && Math.abs(tsMs) <= 8.64e15 ? new Date(tsMs).toISOString() : 'not a time'}; tickcast accepts 1973–2200 (SenML times are epoch seconds, or relative to now below 2^28)${secondsHint(bt + t)}` };
  // bt on its own (before 7 Dec 2026 only the sum was checked: bt 1e300 with t -1e300 was taken as "now").
  if (Math.abs(bt) > MAX_TS_MS / 1000) return { code: ErrorCodes.RECORD_BAD_TS, message: `${at}: bt ${bt} s is past 2200 (|bt| ≤ ${MAX_TS_MS / 1000} s), though bt + t (${bt + t} s) is not: a base time that only a t of its size cancels is no time; send bt in epoch seconds${secondsHint(bt)}` };
  // An absolute bt (from 2^28) that t brings below 2^28: RFC 8428 would read the sum as relative, so
  // bt 1.7e9 with t -1.7e9 was taken as "now" (until 7 Dec 2026, night); a device that states an epoch
  // base time does not mean its readings to be timed by the pack's arrival. (A relative bt is taken.)
  if (bt >= RELATIVE_BELOW_S && bt + t < RELATIVE_BELOW_S) return { code: ErrorCodes.RECORD_BAD_TS, message: `${at}: bt ${bt} s is an epoch time, but t ${t} brings bt + t to ${bt + t} s, below 2^28, which SenML reads as relative to now: a t that cancels its bt is no time; send t as an offset from bt (seconds)` };
  if (maxFutureMs > 0 && tsMs - sentMs > maxFutureMs) return { code: ErrorCodes.RECORD_BAD_TS, message: `${at}: time ${new Date(tsMs).toISOString()} is ${Math.round((tsMs - sentMs) / 1000)} s ahead of when it was sent; the bound is ${maxFutureMs / 1000} s (input.maxFutureMs). Check the device's clock` };
  return null;
}

/** Units a SenML time out of range may be in instead: [unit, its size in ms, the fix]. */
const OTHER_UNITS = [['milliseconds', 1, '÷ 1000'], ['microseconds', 1e3, '÷ 1,000,000'], ['nanoseconds', 1e6, '÷ 1,000,000,000']] as const;

/** The unit an out-of-range time (seconds) looks like, if any: firmware that stamps SenML as it stamps JSON, in ms. */
function secondsHint(seconds: number): string {
  const a = Math.abs(seconds);
  const unit = OTHER_UNITS.find(([, factor]) => a >= MIN_TS_MS * factor && a <= MAX_TS_MS * factor);
  return unit ? `; it looks like epoch ${unit[0]}: send seconds, ${unit[2]}` : '';
}

/** Epoch ms of a resolved SenML time (seconds): absolute from 2^28, else relative to `nowMs`; rounded to the microsecond as input.tsUnit "s" is. */
export function resolveTime(seconds: number, nowMs: number): number {
  const ms = Math.round(seconds * 1e6) / 1e3;
  return seconds < RELATIVE_BELOW_S ? nowMs + ms : ms;
}
