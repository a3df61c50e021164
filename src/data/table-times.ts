/**
 * The time column of a table (./table.ts selectColumns) as epoch ms, and the words for a time
 * column that does not read: a guessed column 0 of plain numbers, day/month dates, a date and a
 * time in two columns.
 */
import { ErrorCodes } from '../errors/index.ts';
import { MIN_TS_MS } from '../domain/ts-unit.ts';
import { dataError } from './csv.ts';
import type { CsvColumns } from './columns.ts';
import { isNamedAs } from './column-name.ts';

/** Names a time column goes by (any case, punctuation and spaces alike: ./column-name.ts; `time period` is the ECB's SDMX-CSV `TIME_PERIOD`). */
export const TIME_NAMES: readonly string[] = ['date', 'timestamp', 'time', 'datetime', 'ts', 'time period'];

/**
 * The time column as epoch ms, strictly increasing or (`descending`, a newest-first file) strictly
 * decreasing; TC_DATA_BAD_TIME / TC_DATA_TIME_UNSORTED with the line.
 */
export function parseTimes(csv: CsvColumns, timeIdx: number, guessed: boolean): { values: Float64Array; descending: boolean } {
  const { header, path } = csv;
  const { values, bad, descending = false } = csv.times(timeIdx);
  if (guessed && values[0] < MIN_TS_MS && /^[-+]?\d*\.?\d+$/.test(csv.firstCell(timeIdx) ?? '') && !isNamedAs(header[timeIdx], TIME_NAMES)) refuseGuessedTime(csv, timeIdx, values[0]);
  if (bad === null) return { values, descending };
  const line = csv.line(bad.row);
  if (bad.notDate !== undefined) {
    throw dataError(
      ErrorCodes.DATA_BAD_TIME,
      `${path}:${line}: time column ${JSON.stringify(header[timeIdx])} has ${JSON.stringify(bad.text)}, which is not a date: ${bad.notDate}; fix or drop that row`,
      { line, column: header[timeIdx], value: bad.text },
    );
  }
  if (bad.ms === undefined) {
    throw dataError(
      ErrorCodes.DATA_BAD_TIME,
      `${path}:${line}: time column ${JSON.stringify(header[timeIdx])} has ${JSON.stringify(bad.text)}${dayMonthNote(bad.text)}; use ISO-8601 ("2024-01-31 13:00:00") or epoch seconds/ms, name the right column with --time-col, or pass --time-col none`,
      { line, column: header[timeIdx], value: bad.text },
    );
  }
  const previousLine = csv.line(bad.row - 1);
  throw dataError(
    ErrorCodes.DATA_TIME_UNSORTED,
    `${path}:${line}: time ${JSON.stringify(bad.text)} is not ${descending ? 'before' : 'after'} the previous row (line ${previousLine})${descending ? ' (the rows above it are newest first, which is read, in reverse; a file is read when its times run one way throughout, oldest or newest first)' : ''}; ${splitTimeHint(csv, timeIdx, values[bad.row - 1] === bad.ms) ?? 'sort the file by time and remove duplicate timestamps'}`,
    { line, previousLine },
  );
}

/**
 * Column 0 taken as the time for want of a column named as one (TIME_NAMES), whose first time is
 * a plain number before 1973 (epoch seconds; a date such as FRED's 1947-01-01 is not refused): a
 * file of values with no time column. Until
 * 7 Dec 2026 `train` read it as times in 1970 (its values not a feature), or said "sort the file".
 */
function refuseGuessedTime(csv: CsvColumns, timeIdx: number, ms: number): never {
  const [name, cell] = [csv.header[timeIdx], csv.firstCell(timeIdx)];
  throw dataError(
    ErrorCodes.DATA_BAD_TIME,
    `${csv.path}:${csv.line(0)}: no column is named ${TIME_NAMES.join(', ').replace(/, ([^,]+)$/, ' or $1')}, so the first, ${JSON.stringify(name)}, was taken as the time, but its first cell, ${JSON.stringify(cell)}, is ${new Date(ms).toISOString()} as epoch seconds, before the times tickcast takes (1973–2200); if the file has no time column, pass --time-col none (rows in file order), else name its time column with --time-col`,
    { line: csv.line(0), column: name, value: cell },
  );
}

/**
 * For `01/02/2024`: why it is not read (which of day and month comes first cannot be told from the
 * cell); for `31.01.24`: a 2-digit year is not read; for `30.02.2024`: read day first, not on the
 * calendar; '' otherwise. `31.01.2024` reads, day first (./time.ts).
 */
function dayMonthNote(text: string): string {
  const s = text.trim();
  if (/^\d{1,2}\.\d{1,2}\.\d{4}\b/.test(s)) return ' (read day first, as DD.MM.YYYY: not a date on the calendar)';
  if (/^\d{1,2}\.\d{1,2}\.\d{2}\b/.test(s)) return ' (a 2-digit year is not read: write the year in full, 31.01.2024, or ISO-8601)';
  return /^\d{1,2}\/\d{1,2}\/\d{2,4}\b/.test(s) ? ' (day-first or month-first: a cell does not say which, so such dates are not read)' : '';
}

/**
 * A repeated time read from a column of dates while another column is named as a time too (`date,time,value`,
 * as MetaTrader and many loggers export): the two are not joined, so every hour of a day repeats its
 * date. Say so, rather than only "sort the file" (until 7 Dec 2026), which cannot help.
 */
function splitTimeHint(csv: CsvColumns, timeIdx: number, repeated: boolean): string | undefined {
  const other = csv.header.find((h, i) => i !== timeIdx && isNamedAs(h, TIME_NAMES));
  if (!repeated || other === undefined) return undefined;
  return `the file's column ${JSON.stringify(other)} is not read with ${JSON.stringify(csv.header[timeIdx])} (a date and a time in two columns are not joined): write them as one column ("2024-01-31 13:00:00") and name it with --time-col`;
}
