/**
 * Timestamps in CSV files → epoch milliseconds. Accepted forms:
 * - `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` and the same with `T`: naive local time, read as UTC
 *   (ETT files are naive; reading them as UTC keeps every day 24 h long, no DST gaps);
 * - the same with `Z` or an offset (`2024-01-01T00:00:00+02:00`, `+0200`, `+02`; `2024-01-01
 *   00:00:00+00` as PostgreSQL writes timestamptz): the service's own ISO-8601 reading
 *   (isoTimestampMs), so a file reads to the times its rows would have as ticks — only a date and
 *   time on the calendar (2024-02-30, hour 24 or minute 60 are refused, not rolled over), any year;
 * - BigQuery's `2024-01-01 00:00:00 UTC` (as `Z`), year-first slashes `2024/01/31 13:00` and
 *   day-first dots `31.01.2024 13:00` (exportedIso);
 * - monthly, quarterly, semi-annual and ISO-week periods (`2024Jan`, `2024-01`, `2024Q1`, `2024-Q1`,
 *   ONS's `2024 JAN` and `2024 Q1`, `2024S1`, `2024-S1`, `2024W01`, `2024-W01`) as their first day (periodStartMs);
 * - ISO-8601's basic (compact) form `YYYYMMDD` and `YYYYMMDDHHMMSS` (naive = UTC), when it is a date
 *   (and time) on the calendar: `20240131` is 31 Jan 2024 (since 7 Dec 2026);
 * - other epoch numbers: seconds when below 1e11, milliseconds otherwise.
 *
 * Why a compact date wins over epoch seconds: as epoch seconds an 8-digit number is a time in
 * 1970–1973 (1e7–1e8 s), and as epoch ms a 14-digit one is after 2286, both outside what the service
 * takes (1973–2200, ../domain/tick-timestamp.ts): until 7 Dec 2026 `train` read a daily file of
 * `20240101` as 1970, one row a second (a model with that step), and `detect` refused every row
 * (TC_RECORD_BAD_TS). An 8- or 14-digit number that is not a calendar date (`12345678`) is
 * still read as epoch seconds or ms.
 */
import { isoTimestampMs } from '../domain/tick-timestamp.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Parse one timestamp cell; NaN when it is not a timestamp in a supported form. */
export function parseTimestamp(text: string): number {
  const s = text.trim();
  if (s === '') return Number.NaN;
  const compact = compactDateMs(s);
  if (compact !== null) return compact;
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  const period = periodStartMs(s);
  if (period !== null) return period;
  const t = isoTimestampMs(exportedIso(s));
  return typeof t === 'number' ? t : Number.NaN;
}

const MONTH_ABBR = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// 2024Jan (SDW monthly), 2024-01 (ECB Data Portal, Bundesbank), 2024Q1 (SDW quarterly), 2024-Q1 (ECB Data Portal);
// 2024 JAN and 2024 Q1, a space between, as the UK's ONS writes its time series (since 7 Dec 2026; until then TC_DATA_BAD_TIME).
const MONTH_PERIOD = /^(\d{4})(?:-(\d{2})| ?([A-Za-z]{3}))$/;
const QUARTER_PERIOD = /^(\d{4})[- ]?Q([1-4])$/i;
// 2024S1 (SDW semi-annual), 2024-S1 (ECB Data Portal); 2024W01, 2024-W01 (ISO-8601 weeks, SDW and the Data Portal).
const HALF_PERIOD = /^(\d{4})-?S([12])$/i;
const WEEK_PERIOD = /^(\d{4})-?W(\d{2})$/i;

/**
 * A monthly or quarterly period as central banks' downloads write it, read as the period's start
 * (00:00 UTC on its first day): `2024Jan` and `2024Q1` (the ECB's SDW), `2024-01` and `2024-Q1`
 * (the ECB Data Portal, Bundesbank) are 1 Jan 2024. Null for anything else (`2024-13`, `2024Foo`).
 * Until 7 Dec 2026 TC_DATA_BAD_TIME, and SDW's title lines above such rows were not found.
 */
export function periodStartMs(s: string): number | null {
  const q = QUARTER_PERIOD.exec(s);
  if (q !== null) return Date.UTC(Number(q[1]), (Number(q[2]) - 1) * 3, 1);
  // Since 7 Dec 2026 (until then TC_DATA_BAD_TIME): a half year from 1 Jan or 1 Jul, an ISO week from its Monday.
  const h = HALF_PERIOD.exec(s);
  if (h !== null) return Date.UTC(Number(h[1]), (Number(h[2]) - 1) * 6, 1);
  const w = WEEK_PERIOD.exec(s);
  if (w !== null) return isoWeekMondayMs(Number(w[1]), Number(w[2]));
  const m = MONTH_PERIOD.exec(s);
  if (m === null) return null;
  const month = m[2] !== undefined ? Number(m[2]) - 1 : MONTH_ABBR.indexOf(m[3].toLowerCase());
  return month >= 0 && month < 12 ? Date.UTC(Number(m[1]), month, 1) : null;
}

/**
 * Monday 00:00 UTC of ISO-8601 week `week` of `year` (week 1 holds 4 January, so `2021-W01` is
 * Monday 4 Jan 2021 and `2020-W01` Monday 30 Dec 2019); null for week 0, or 53 in a 52-week year.
 */
export function isoWeekMondayMs(year: number, week: number): number | null {
  const jan4 = Date.UTC(year, 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY + (week - 1) * 7 * DAY;
  // The week's Thursday decides its year: week 53 exists only where it falls in `year`.
  return week >= 1 && new Date(monday + 3 * DAY).getUTCFullYear() === year ? monday : null;
}

/**
 * Two spellings of ISO-8601 that exports write and the service's form does not take, rewritten to
 * it (since 7 Dec 2026; until then TC_DATA_BAD_TIME): BigQuery's and Spark's ` UTC` suffix
 * (`2024-01-01 00:00:00 UTC`, BigQuery's CSV export of a TIMESTAMP) is `Z`, and a year-first date
 * with slashes (`2024/01/31 13:00`, unambiguous, unlike `01/02/2024`) has dashes.
 */
function exportedIso(s: string): string {
  const utc = / (UTC|GMT)$/.test(s) ? `${s.slice(0, -4)}Z` : s;
  const dotted = DAY_DOT_MONTH.exec(utc);
  if (dotted !== null) return `${dotted[3]}-${dotted[2].padStart(2, '0')}-${dotted[1].padStart(2, '0')}${utc.slice(dotted[0].length)}`;
  return /^\d{4}\/\d{2}\/\d{2}(?![\d/])/.test(utc) ? `${utc.slice(0, 4)}-${utc.slice(5, 7)}-${utc.slice(8)}` : utc;
}

/**
 * `31.01.2024` (and `1.2.2024`, with a time after a space): day first, since 7 Dec 2026. Dots are
 * how de, fr-CH, ru, pl… write a date, always day first; the US writes month first with slashes,
 * never dots, so `01/02/2024` stays unread (a cell does not say which comes first) while
 * `01.02.2024` is 1 Feb. A 2-digit year (`31.01.24`) is not read: its century is a guess.
 */
const DAY_DOT_MONTH = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?=$| )/;

// YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS (the 12-digit form only where a column reads it: ./time-column.ts).
const COMPACT = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$/;

/**
 * `YYYYMMDD` or `YYYYMMDDHHMMSS` on the calendar, as epoch ms (UTC); with `twelve`, `YYYYMMDDHHMM`
 * too (a single cell of 12 digits is epoch ms: ./time-column.ts reads a column of them); null for
 * anything else.
 */
export function compactDateMs(s: string, twelve = false): number | null {
  const m = COMPACT.exec(s);
  if (!m || (!twelve && m[4] !== undefined && m[6] === undefined)) return null;
  const t = isoTimestampMs(`${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}Z`);
  return typeof t === 'number' ? t : null;
}

const FORMS: Readonly<Record<number, string>> = { 8: 'YYYYMMDD', 12: 'YYYYMMDDHHMM', 14: 'YYYYMMDDHHMMSS' };
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The compact form a cell of `digits` digits would be (`YYYYMMDD`, …); undefined for other lengths. */
export function compactForm(digits: number): string | undefined {
  return FORMS[digits];
}

/** Why a cell of digits is not a compact date, in words ("month 13 is not 01–12"); undefined when it is one. */
export function compactNotDate(s: string): string | undefined {
  if (compactDateMs(s, true) !== null) return undefined;
  if (compactForm(s.length) === undefined || !/^\d+$/.test(s)) return `it is not a compact date (${Object.values(FORMS).join(', ')}: 8, 12 or 14 digits)`;
  const [y, mo, d, h, mi, sec] = [s.slice(0, 4), s.slice(4, 6), s.slice(6, 8), s.slice(8, 10), s.slice(10, 12), s.slice(12, 14)].map(Number);
  if (mo < 1 || mo > 12) return `month ${s.slice(4, 6)} is not 01–12`;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > days) return `day ${s.slice(6, 8)} is not in ${MONTHS[mo - 1]} ${s.slice(0, 4)} (01–${days})`;
  if (h > 23) return `hour ${s.slice(8, 10)} is not 00–23`;
  if (mi > 59) return `minute ${s.slice(10, 12)} is not 00–59`;
  if (sec > 59) return `second ${s.slice(12, 14)} is not 00–59`;
  return 'it is not a date on the calendar';
}

/** The most common positive spacing between consecutive timestamps (ms); NaN with < 2 rows. */
export function typicalStepMs(timesMs: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  const n = Math.min(timesMs.length, 10_001);
  for (let i = 1; i < n; i++) {
    const d = timesMs[i] - timesMs[i - 1];
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = Number.NaN;
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}


/**
 * Seasonal period in steps, guessed from the sampling interval: one day for sub-daily data
 * (hourly → 24, 5-minute → 288, 15-minute → 96), one week for daily data (7), 12 for monthly, 4 for quarterly, 2 for semi-annual.
 * Returns 1 (plain naive) when the interval is unknown or does not divide a day.
 */
export function detectSeason(stepMs: number): number {
  if (!Number.isFinite(stepMs) || stepMs <= 0) return 1;
  if (stepMs < DAY) {
    const perDay = DAY / stepMs;
    return Number.isInteger(perDay) ? perDay : 1;
  }
  if (stepMs === DAY) return 7;
  // Weekly (2024W01 …, or dates 7 days apart): a year of weeks, 52, as R's ts and statsmodels take it
  // (since 7 Dec 2026; until then 1, so MASE and the seasonal-naive baseline were repeat-last).
  if (stepMs === 7 * DAY) return 52;
  if (stepMs >= 28 * DAY && stepMs <= 31 * DAY) return 12;
  if (stepMs >= 89 * DAY && stepMs <= 92 * DAY) return 4; // quarterly (2024Q1 …; since 7 Dec 2026, until then 1)
  if (stepMs >= 181 * DAY && stepMs <= 184 * DAY) return 2; // semi-annual (2024S1 …; since 7 Dec 2026, until then 1)
  return 1;
}

/** "1h", "5m", "1d", "30s" — for messages and JSON results. */
export function formatStep(stepMs: number): string {
  if (!Number.isFinite(stepMs)) return 'unknown';
  if (stepMs % DAY === 0) return `${stepMs / DAY}d`;
  if (stepMs % HOUR === 0) return `${stepMs / HOUR}h`;
  if (stepMs % MINUTE === 0) return `${stepMs / MINUTE}m`;
  if (stepMs % 1000 === 0) return `${stepMs / 1000}s`;
  return `${stepMs}ms`;
}
