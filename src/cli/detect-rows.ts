/**
 * The rows `tickcast detect` scores, read one at a time from the file (constant memory), and what
 * it says about those the service refused. Timestamps are read as `train` reads them
 * (../data/time.ts: NAB's `YYYY-MM-DD HH:MM:SS`, ISO-8601 with `Z` or an offset, epoch seconds or
 * ms); a row whose timestamp is none of these is sent as the service would get it and refused
 * there (TC_RECORD_BAD_TS), and reported.
 */
import { dataError, openCsvRows, type CsvRow, type CsvRowStream, type FooterLines } from '../data/csv.ts';
import type { SkippedLines } from '../data/csv-title-lines.ts';
import { columnNameKey } from '../data/column-name.ts';
import { notNumberHint, notUtf8Hint, numberCell } from '../data/csv-cells.ts';
import type { DecimalOption } from '../data/csv-decimal.ts';
import { flagsOf } from '../data/csv-flags.ts';
import { isMissingCell } from '../data/missing-marks.ts';
import type { OnsFrequency } from '../data/ons-layout.ts';
import { TimeColumn } from '../data/time-column.ts';
import { ErrorCodes } from '../errors/index.ts';
import type { NabRow } from '../eval/nab/io.ts';
import { usageError } from './args.ts';
import { noneColumnNote, readColumnFlag, unquoted } from './column-flag.ts';
import { seriesColumn, SeriesIds } from './detect-series.ts';

/**
 * A row to score and its 1-based file line; `series`: its id, in a file with a series column;
 * `missing`: the value cell's text when it marks a missing reading (empty, `NA`, `NaN`, …; value NaN).
 */
export interface DetectRow extends NabRow {
  line: number;
  series?: string;
  missing?: string;
  /** The Eurostat flags cut off the value (`108.35 p` → `p`): shown after it wherever the value is (shownValue). */
  flags?: string;
  /** `timestamp` as epoch ms, read as its column reads (../data/time-column.ts); NaN when it does not read. */
  ms: number;
  /** Why `timestamp` is not a date in a column of compact dates (`20231345`: month 13). */
  notDate?: string;
}

/** The file, opened: its header checked and its first row read; `rows` yields every row once. */
export interface DetectSource {
  rows: AsyncGenerator<DetectRow>;
  /** The series column read (null: the file is one series) and the ids seen so far. */
  series: { column: string; ids: SeriesIds } | null;
  /** No series column read, but columns besides the two read, and no `--series-col none`: the file may hold several series. */
  unkeyed: boolean;
  /** The value column's name, for messages. */
  valueCol: string;
  /** A word for stderr about how the columns were read (./column-flag.ts noneColumnNote). */
  note?: string;
  /** Lines above the header not read (--skip-rows, title lines), for a note on stderr (./read-notes.ts). */
  skipped?: SkippedLines;
  /** Once the rows are read: the decimal mark taken with no number telling it, for a note on stderr (../data/csv-decimal.ts `note`). */
  decimalNote(): string | undefined;
  /** Once the rows are read: footnote lines below them not read (../data/csv-footer.ts). */
  footer(): FooterLines | undefined;
  close(): Promise<void>;
}

/** The columns to read: --time-col, --value-col and --series-col when given; `missing`: --missing (default 'skip'). */
export interface DetectColumns {
  time?: string;
  value?: string;
  series?: string;
  missing?: 'skip' | 'error';
  /** --decimal: the file's decimal mark (../data/csv-decimal.ts). */
  decimal?: DecimalOption;
  /** --skip-rows: lines above the header not read. */
  skipRows?: number;
  /** --frequency: an ONS file's block to read. */
  frequency?: OnsFrequency;
}

/** How series ids are checked: the service's input.seriesPattern, and at most `max` series (--max-series). */
export interface SeriesRules {
  pattern: RegExp;
  max: number;
}

/**
 * The index of a column: a name given by its flag exactly; the default name (NAB's `timestamp`,
 * `value`) in any case, punctuation and spaces alike (../data/column-name.ts). TC_DATA_COLUMN_MISSING naming the header and the flag otherwise.
 */
function findColumn(csv: CsvRowStream, flagged: string | undefined, fallback: string, flag: string): number {
  // In double quotes as --series-col and train's --time-col take a name (./column-flag.ts); `none` has no other meaning here.
  const given = flagged === undefined ? undefined : unquoted(flagged);
  const name = given ?? fallback;
  const i = given !== undefined ? csv.header.indexOf(given) : csv.header.findIndex((h) => columnNameKey(h) === fallback);
  if (i >= 0) return i;
  const origin = given !== undefined ? `from ${flag}` : `the default; name the column to read with ${flag}`;
  throw dataError(ErrorCodes.DATA_COLUMN_MISSING, `${csv.path}: no column named ${JSON.stringify(name)} (${origin}); the header has: ${csv.header.join(', ')}${notUtf8Hint(csv.header)}`, { column: name, header: csv.header });
}

/**
 * Open a NAB-format CSV (`timestamp,value`, or the columns named) for streaming. Its header and
 * first row are checked here, before any model loads: TC_DATA_TOO_SHORT with no data rows, as
 * `train`. A value that is not a number further down rejects `rows` when it is reached.
 */
export async function openDetectRows(path: string, signal?: AbortSignal, columns: DetectColumns = {}, rules: SeriesRules = { pattern: /^/, max: 1 }): Promise<DetectSource> {
  const csv = await openCsvRows(path, signal, { decimal: columns.decimal, skipRows: columns.skipRows, frequency: columns.frequency });
  try {
    const ti = findColumn(csv, columns.time, 'timestamp', '--time-col');
    const vi = findColumn(csv, columns.value, 'value', '--value-col');
    const given = columns.series;
    const flag = readColumnFlag(given);
    const si = typeof flag === 'object' ? findColumn(csv, flag.name, 'series', '--series-col') : seriesColumn(csv.header, flag, [ti, vi]);
    if (si === ti || si === vi) throw usageError(`--series-col ${given}: that column is read as the ${si === ti ? 'time (--time-col)' : 'value (--value-col)'}; name the column of series ids`);
    if (si >= 0) csv.keepText([si]); // ids, not numbers: `12 b` is not 12 with a Eurostat flag
    const series = si < 0 ? null : { column: csv.header[si], ids: new SeriesIds(csv.path, csv.header[si], rules.pattern, rules.max, given === undefined) };
    const skipMissing = (columns.missing ?? 'skip') === 'skip';
    const clock = new TimeColumn();
    const toRow = ({ cells, line, flagged }: CsvRow): DetectRow => {
      const cell = cells[vi];
      const value = numberCell(cell);
      // A missing reading (empty, NA, NaN, …) is sent as a tick without its value, which the service refuses: the detector never sees it (a missed reading).
      // Written back as the file has it: Eurostat's `:c` stays `:c` (until 7 Dec 2026 its flag was lost, `:`).
      const absent = skipMissing && isMissingCell(cell) ? { missing: flagged?.[vi] ?? cell } : undefined;
      if (!Number.isFinite(value) && !absent) {
        const gaps = isMissingCell(cell) ? '; --missing skip (the default) reads a file with gaps' : '';
        throw dataError(ErrorCodes.DATA_NOT_NUMERIC, `${csv.path}:${line}: column "${csv.header[vi]}" has "${cell}", not a number${notNumberHint(cell)}${gaps}`, { line });
      }
      const ms = clock.read(cells[ti]);
      const notDate = Number.isFinite(ms) ? undefined : clock.notDate(cells[ti]);
      const flags = absent ? undefined : flagsOf(flagged?.[vi] ?? '');
      const row = { timestamp: flagged?.[ti] ?? cells[ti], ms, value, line, ...absent, ...(flags && { flags }), ...(notDate === undefined ? {} : { notDate }) };
      return series ? { ...row, series: series.ids.check(cells[si], line) } : row;
    };
    const first = await csv.rows.next();
    if (first.done) throw dataError(ErrorCodes.DATA_TOO_SHORT, `${csv.path}: no data rows after the header`);
    const head = toRow(first.value);
    async function* rows(): AsyncGenerator<DetectRow> {
      yield head;
      for await (const r of csv.rows) yield toRow(r);
    }
    const unkeyed = si < 0 && given !== 'none' && csv.header.length > 2;
    return { rows: rows(), series, unkeyed, valueCol: csv.header[vi], note: noneColumnNote(csv.header, flag, '--series-col', 'reads the file as one series', 'as the series ids'), skipped: csv.skipped, decimalNote: csv.decimalNote, footer: csv.footer, close: csv.close };
  } catch (err) {
    await csv.close();
    throw err;
  }
}

/**
 * A row's value as the results file and messages show it: the number read, then its Eurostat flags
 * as the file had them (`108.35 p`; since 7 Dec 2026, until then `108.35`, the provisional or
 * estimated mark lost where the value was shown).
 */
export function shownValue(row: { value: number; flags?: string }): string {
  return row.flags === undefined ? String(row.value) : `${row.value} ${row.flags}`;
}

/** A refused row as reported: its file line, timestamp, value and why. */
interface RefusedLine {
  line: number;
  series?: string;
  timestamp: string;
  ms: number;
  notDate?: string;
  value: number;
  flags?: string;
  reason: string;
}

const SHOWN = 5;

/** What detect says about the rows the service refused: how many, the first few, whether any timestamp could be read. Constant memory. */
export class RefusedRows {
  count = 0;
  private readonly first: RefusedLine[] = [];
  private allBadTime = true;
  private late = 0;
  private duplicate = 0;

  /** `keyed`: the file's rows name their series (a series column is read); `unkeyed`: they do not, but may (detect-rows.ts `DetectSource`). */
  constructor(
    private readonly keyed = false,
    private readonly unkeyed = false,
  ) {}

  add(row: DetectRow, reason: string): void {
    this.count++;
    if (reason.startsWith('late')) this.late++;
    if (reason.startsWith('duplicate')) this.duplicate++;
    if (this.first.length < SHOWN) this.first.push({ line: row.line, series: row.series, timestamp: row.timestamp, ms: row.ms, notDate: row.notDate, value: row.value, flags: row.flags, reason });
    if (this.allBadTime && Number.isFinite(row.ms)) this.allBadTime = false;
  }

  /** One stderr line: how many rows were refused of `rows`, the first few with file line and reason. */
  report(path: string, rows: number): string {
    const first = this.first.map((r) => `line ${r.line}: ${describe(r)}`);
    const more = this.count > SHOWN ? `; ${this.count - SHOWN} more` : '';
    // The service scores a series in time order; a file out of order loses its rows as late ones (until 6 Dec 2026 without a word on why).
    const late = this.late > 0 ? `; ${this.late} of them are late (a time before an earlier row's${this.keyed ? ' of its series' : ''}): sort the file by time to score them` : '';
    // A file of several series read as one loses every repeat of a time as a duplicate (since 6 Dec 2026 it says how to read it).
    const repeats = this.duplicate > 0 && this.unkeyed ? `; ${this.duplicate} of them repeat an earlier row's time: a file of several series scores one detector per series with --series-col <the column naming each row's series>` : '';
    return `detect: ${path}: the service refused ${this.count} of ${rows} rows (scored 0 in the results): ${first.join('; ')}${more}${late}${repeats}`;
  }

  /** Every row refused: TC_DATA_BAD_TIME when no timestamp could be read, else TC_DATA_MALFORMED; exit 65. */
  allRefusedError(path: string, rows: number): Error {
    const report = this.report(path, rows).replace(/^detect: /, '');
    return dataError(this.allBadTime ? ErrorCodes.DATA_BAD_TIME : ErrorCodes.DATA_MALFORMED, `${report}; nothing was scored, so no results were written`, { path, refused: this.count });
  }
}

/** Why a row was refused, in words: an unreadable timestamp names the forms that are read. */
function describe(r: RefusedLine): string {
  if (r.notDate !== undefined) return `timestamp ${JSON.stringify(r.timestamp)} is not a date: ${r.notDate}`;
  if (!Number.isFinite(r.ms)) return `timestamp ${JSON.stringify(r.timestamp)} is not "YYYY-MM-DD HH:MM:SS", ISO-8601 or epoch seconds/ms`;
  return `${r.reason} (${r.series === undefined ? '' : `series ${JSON.stringify(r.series)}, `}timestamp ${JSON.stringify(r.timestamp)}, value ${shownValue(r)})`;
}
