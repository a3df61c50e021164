/**
 * A tick's time: its ts read as epoch ms (a number in input.tsUnit, or an ISO-8601 string, naive =
 * UTC) or the reason it is refused, and when its record was sent, what input.maxFutureMs is judged
 * against. The tick codec (tick-codec.ts), the embedded sample replay and the CLI's time column
 * (src/data/time.ts) read times through it; split from tick-codec.ts on 7 Dec 2026, which was at the
 * 300-line limit.
 */
import { showValue } from './show-value.ts';
import { MAX_TS_MS, MIN_TS_MS, notTs, numberToMs, UNIT_NAME, unitHint, withFraction, type TsUnit } from './ts-unit.ts';

// Date, optional time, optional zone (Z, ±hh:mm, ±hhmm or ±hh, as PostgreSQL writes "+00"; T and Z in
// either case, RFC 3339 § 5.6); the fields are captured for the calendar check and the parse below.
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const show = (v: unknown): string => showValue(v);

/** Epoch ms of a tick's ts, or null when readTimestamp refuses it. */
export function parseTimestamp(ts: unknown): number | null {
  const r = readTimestamp(ts);
  return typeof r === 'number' ? r : null;
}

/**
 * Epoch ms of a tick's ts (epoch ms, or seconds with `unit` 's', or ISO-8601, naive = UTC), or the
 * reason it is refused, naming the field `name` (`ts`, or a configured input.fields.ts such as
 * `"timestamp"`). Seconds are converted before the 1973–2200 check, rounded to the microsecond
 * (1732060800.823379 × 1000 alone gives 1732060800823.3792).
 */
export function readTimestamp(ts: unknown, name = 'ts', unit: TsUnit = 'ms'): number | string {
  if (typeof ts === 'number') {
    const n = numberToMs(ts, unit);
    return Number.isFinite(n) && n >= MIN_TS_MS && n <= MAX_TS_MS ? n : `${notTs(ts, name, unit)}${unitHint(ts, unit)}`;
  }
  const ms = typeof ts === 'string' ? isoTimestampMs(ts) : null;
  if (ms === null) return typeof ts === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(ts) ? `${notTs(ts, name, unit)} (a string of digits: send epoch ${UNIT_NAME[unit]} as a JSON number)` : notTs(ts, name, unit);
  if (ms === 'not-calendar') return `${name} ${show(ts)} is not a calendar date and time (month 01–12, day within its month, hour 00–23, minute and second 00–59)`;
  if (ms < MIN_TS_MS || ms > MAX_TS_MS) return `${name} ${show(ts)} is out of range: tickcast accepts 1973–2200 (${new Date(MIN_TS_MS).toISOString()} to ${new Date(MAX_TS_MS).toISOString()})`;
  return ms;
}

/**
 * Epoch ms of an ISO-8601 string in the forms above (naive = UTC), whatever its year; 'not-calendar'
 * for 2024-02-30, hour 24 or minute 60 (Date.parse would roll them over); null when not one of the
 * forms. The service's ts and the CLI's time column (src/data/time.ts) both read through it.
 */
export function isoTimestampMs(text: string): number | 'not-calendar' | null {
  const m = ISO_8601.exec(text.trim());
  if (!m) return null;
  if (!isCalendarDate(m)) return 'not-calendar';
  const ms = Date.parse(canonicalIso(m));
  return Number.isFinite(ms) ? withFraction(ms, m[7]) : null;
}

/** Why a ts `aheadMs` ahead of when its record was sent is refused, the bound being `maxMs` (input.maxFutureMs). */
export function tooFarAhead(tsMs: number, aheadMs: number, maxMs: number): string {
  const h = (ms: number): string => (ms < 172_800_000 ? `${Number((ms / 3_600_000).toPrecision(3))} h` : `${Number((ms / 86_400_000).toPrecision(3))} days`);
  return `ts ${new Date(tsMs).toISOString()} is ${h(aheadMs)} ahead of when it was sent (its Kafka timestamp, at most this host's clock); the bound is ${h(maxMs)} (input.maxFutureMs). Check the device's clock and time zone: a tick this far ahead would make every later tick of its series late. Every series refused by about as much: this host's clock is behind (docs/runbook.md, "Host clock behind the producers")`;
}

/**
 * When a record was sent, what the future bound is judged against: its transport timestamp
 * (Kafka CreateTime, or LogAppendTime), capped at the host's clock `nowMs`; `nowMs` without one.
 * Not the clock alone: a record re-read at a restart (warm-up) or by a consumer hours behind
 * would be judged hours later than it was sent, and a tick refused live accepted then.
 */
export function sentAtMs(receivedAtMs: number, nowMs: number): number {
  return receivedAtMs > 0 && receivedAtMs < nowMs ? receivedAtMs : nowMs;
}

/** The captured fields of ISO_8601, but the fraction of a second (withFraction), in the one form Date.parse reads alike everywhere: `YYYY-MM-DDTHH:MM:SS±HH:MM` or `Z`. */
function canonicalIso(m: RegExpExecArray): string {
  const [, y, mo, d, h = '00', mi = '00', sec = '00', , zone] = m;
  // A naive timestamp (no zone) is read as UTC, never as the host's local time.
  const z = zone === undefined || zone.length === 1 ? 'Z' : `${zone.slice(0, 3)}:${zone.length === 3 ? '00' : zone.slice(-2)}`;
  return `${y}-${mo}-${d}T${h}:${mi}:${sec}${z}`;
}

/** The captured fields of ISO_8601 name a real date and time of day (leap years included). */
function isCalendarDate(m: RegExpExecArray): boolean {
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x)));
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= days && h < 24 && mi < 60 && sec < 60;
}
