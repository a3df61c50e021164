/**
 * A CSV file's columns as ./table.ts reads them: each cell parsed as it is read, into growable
 * typed arrays (8 bytes a value), so a long file is never held as text (`train` needs every row
 * at once). What the column selection and its messages need of the text is kept on the way: each
 * column's first non-empty cell, and its first cell that does not read (with its text and line).
 * `rawColumns` gives the same view of text already in memory (RawCsv), so both read alike.
 */
import { openCsvRows, type CsvReadOptions, type FooterLines, type RawCsv } from './csv.ts';
import type { SkippedLines } from './csv-title-lines.ts';
import { numberCell } from './csv-cells.ts';
import { isMissingCell } from './missing-marks.ts';
import { TimeColumn } from './time-column.ts';

/** The first cell of a column that does not read: a number that is not finite, or a time that does not parse or is not after the one before. */
export interface BadCell {
  row: number;
  text: string;
  /** A time cell of digits in a column of compact dates that is not a date: why (./time-column.ts). */
  notDate?: string;
  /** A time cell that read but is not after the one before: its epoch ms, as the column reads it (./time-column.ts). */
  ms?: number;
}

/**
 * A column read as numbers (or, for the time column, epoch ms); values past `bad` are not read. A
 * number column's missing cells (csv.ts isMissingCell: empty, `NA`, `NaN`, …) are NaN in `values`,
 * counted in `missing`, the first of them in `firstMissing`: whether they are an error is the
 * reader's policy (./missing-cells.ts), not the column's.
 */
export interface ParsedColumn {
  values: Float64Array;
  bad: BadCell | null;
  missing: number;
  firstMissing: BadCell | null;
  /**
   * The time column is newest first (its second time is before its first), as the ECB's SDW and
   * other downloads write their rows: then `bad` is its first time not before the one above it,
   * and the caller reverses the rows (./table.ts). Until 7 Dec 2026 such a file was refused at its
   * second row ("sort the file by time").
   */
  descending?: boolean;
}

/** What selectColumns reads of a CSV file. */
export interface CsvColumns {
  path: string;
  header: string[];
  rows: number;
  /** 1-based file line of data row `r`. */
  line(r: number): number;
  /** The column's first cell that is not missing (csv.ts isMissingCell); undefined when every cell is. */
  firstCell(c: number): string | undefined;
  numbers(c: number): ParsedColumn;
  /** Lines above the header not read (--skip-rows, title lines). */
  skipped?: SkippedLines;
  /** Footnote lines below the rows not read (./csv-footer.ts). */
  footer?: FooterLines;
  /** The decimal mark taken with no number telling it, in words (./csv-decimal.ts `note`). */
  decimalNote?: string;
  /** The time column, strictly increasing (or strictly decreasing: `descending`) up to `bad`. */
  times(c: number): ParsedColumn;
}

/** Text columns (a file read whole, a fixture) as CsvColumns: parsed when asked. */
export function rawColumns(csv: RawCsv): CsvColumns {
  const parse = (c: number, time: boolean): ParsedColumn => {
    const col = new Growing(time);
    csv.cells[c].forEach((text) => col.push(text));
    return col.done();
  };
  return {
    path: csv.path,
    header: csv.header,
    rows: csv.lines.length,
    line: (r) => csv.lines[r],
    firstCell: (c) => csv.flagText?.get(c) ?? csv.cells[c].find((t) => !isMissingCell(t)),
    numbers: (c) => parse(c, false),
    times: (c) => parse(c, true),
    skipped: csv.skipped,
    footer: csv.footer,
    decimalNote: csv.decimalNote,
  };
}

/**
 * Read a CSV file into parsed columns, line by line: the column at `timeOf(header)` as times, every
 * other as numbers. Errors of the file itself (unreadable, ragged rows, …) as readCsvFile's; an
 * aborted `signal` rejects with its reason.
 */
export async function readCsvColumns(path: string, timeOf: (header: readonly string[]) => number, signal?: AbortSignal, opts: CsvReadOptions = {}): Promise<CsvColumns> {
  const csv = await openCsvRows(path, signal, opts);
  const timeIdx = timeOf(csv.header);
  const cols = csv.header.map((_, c) => new Growing(c === timeIdx));
  const lines = new Growing(false);
  let rows = 0;
  try {
    for await (const { cells, line } of csv.rows) {
      for (let c = 0; c < cells.length; c++) cols[c].push(cells[c]);
      lines.set(line);
      rows++;
    }
  } finally {
    await csv.close();
  }
  const parsed = cols.map((c) => c.done());
  const lineOf = lines.done().values;
  const flagText = csv.flagText(); // `12 b`, `12 c`: ids, not flagged numbers; no default feature (since 7 Dec 2026)
  return {
    path: csv.path,
    header: csv.header,
    rows,
    line: (r) => lineOf[r],
    firstCell: (c) => flagText.get(c) ?? cols[c].first,
    numbers: (c) => (c === timeIdx ? fail('numbers', c) : parsed[c]),
    times: (c) => (c === timeIdx ? parsed[c] : fail('times', c)),
    skipped: csv.skipped,
    footer: csv.footer(),
    decimalNote: csv.decimalNote(),
  };
}

function fail(what: string, c: number): never {
  throw new Error(`column ${c} was not read as ${what}`);
}

/** One column being read: values parsed into a doubling Float64Array, its first present cell, first bad one and missing ones. */
class Growing {
  values = new Float64Array(1024);
  first: string | undefined;
  bad: BadCell | null = null;
  missing = 0;
  firstMissing: BadCell | null = null;
  /** A time column whose second time is before its first: each later one must be before the one above it. */
  descending = false;
  private n = 0;
  private readonly clock: TimeColumn | null;

  constructor(time: boolean) {
    this.clock = time ? new TimeColumn() : null;
  }

  /** Append a value, doubling the array when full (the array is replaced: index it only after this). */
  set(v: number): void {
    if (this.n === this.values.length) {
      const next = new Float64Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.n++] = v;
  }

  push(text: string): void {
    const absent = isMissingCell(text);
    if (this.first === undefined && !absent) this.first = text;
    if (this.bad !== null) return; // never read past it: only the first bad cell is reported
    const row = this.n;
    const clock = this.clock;
    if (absent && clock === null) {
      this.firstMissing ??= { row, text };
      this.missing++;
      this.set(Number.NaN);
      return;
    }
    const v = clock !== null ? clock.read(text) : numberCell(text);
    const notDate = Number.isFinite(v) ? undefined : clock?.notDate(text);
    if (!Number.isFinite(v)) this.bad = notDate === undefined ? { row, text } : { row, text, notDate };
    else if (clock !== null && row > 0 && !this.inOrder(v, row)) this.bad = { row, text, ms: v };
    else this.set(v);
  }

  /** A time after the one above it, or (in a column whose second time is before its first) before it. */
  private inOrder(v: number, row: number): boolean {
    const prev = this.values[row - 1];
    if (row === 1 && v < prev) this.descending = true;
    return this.descending ? v < prev : v > prev;
  }

  done(): ParsedColumn {
    return { values: this.values.slice(0, this.n), bad: this.bad, missing: this.missing, firstMissing: this.firstMissing, descending: this.descending };
  }
}
