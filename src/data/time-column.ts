/**
 * A time column read cell by cell (train/backtest's ./columns.ts, detect's rows): how its cells of
 * digits are read is decided by its first timestamp cell, so a column is read one way throughout.
 *
 * - First cell a compact date on the calendar (`YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, as
 *   exchange exports write them: `202301150930`): the column is one of compact dates. Every later
 *   cell of digits must be one too; one that is not (`20231345`) does not read, and `notDate` says
 *   why ("month 13 is not 01–12"). Until 7 Dec 2026 `202301150930` was epoch ms (a time in 1976,
 *   one row a millisecond apart), and `20231345` epoch seconds in 1970, reported as "not after the
 *   previous row".
 * - Otherwise each cell is read by itself (./time.ts parseTimestamp): 12 digits are epoch ms, as
 *   before. There is no flag to force epoch ms: a column of epoch ms whose first cell is also a
 *   compact date (ms from 1973 to 2001 whose digits happen to spell one, about 1 in 200) stops at
 *   its first cell that is not a date, whose message names the rule; a leading zero
 *   (`0197601070000`) keeps such a column epoch ms (docs/cli.md § Data files).
 *
 * ISO-8601 cells read the same in either kind of column.
 */
import { isMissingCell } from './missing-marks.ts';
import { compactDateMs, compactForm, compactNotDate, parseTimestamp } from './time.ts';

const DIGITS = /^\d+$/;

export class TimeColumn {
  /** The first cell read, when it is a compact date (the column is then one of compact dates); null once a first cell that is not one was read. */
  #compactFirst: string | null | undefined;

  /** Epoch ms of one cell of the column; NaN when it does not read (`notDate` says why, for a compact-date column). */
  read(text: string): number {
    const s = text.trim();
    if (this.#compactFirst === undefined && !isMissingCell(s)) this.#compactFirst = compactDateMs(s, true) === null ? null : s;
    if (this.#compactFirst == null || !DIGITS.test(s)) return parseTimestamp(s);
    return compactDateMs(s, true) ?? Number.NaN;
  }

  /** Why `text`, a cell that did not read, is not a date in this column of compact dates; undefined in any other column, or for a cell not of digits. */
  notDate(text: string): string | undefined {
    const s = text.trim();
    const first = this.#compactFirst;
    if (first == null || !DIGITS.test(s)) return undefined;
    return `${compactNotDate(s) ?? 'it is not a date'} (the column's first time, ${JSON.stringify(first)}, is a compact date ${compactForm(first.length)}, so each of its cells of digits is read as one)`;
  }
}
