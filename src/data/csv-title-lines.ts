/**
 * Title lines above a CSV file's header, as the ECB's Statistical Data Warehouse (SDW) writes its
 * CSV downloads: `"Data Source in SDW: null"`, `,EXR.D.USD.EUR.SP00.A`, `,"ECB reference exchange
 * rate, …"`, `Collection:,Average of …`, `Period\Unit:,[US dollar ]`, then the rows. Until 7 Dec
 * 2026 such a file was refused at line 2 ("expected 1 cells like the header, got 2").
 *
 * Rule (./csv.ts uses it only where a file is refused today: its first row below the header has
 * another number of cells than the header): the header is the line just above the first line
 * whose first cell is a number or a time (a data row), when that line has as many cells as the
 * data row (at least two) and is not itself all numbers and times. No such pair within
 * MAX_TITLE_LINES lines: the file is refused with the first line's message, as before.
 */
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { headerDelimiter, looksLikeData } from './csv-header.ts';

/** How far below the header line the real header is looked for. */
export const MAX_TITLE_LINES = 20;

type SplitLine = (line: string, delimiter: string) => string[];

/** A line of the file: its text (the byte-order mark removed) and 1-based number. */
export interface FileLine {
  text: string;
  lineNo: number;
}

/** The header found below title lines, with its delimiter, and the first data row's cells. */
export interface FoundHeader {
  header: FileLine;
  delimiter: string;
  cells: string[];
}

/** Lines above a file's header that were not read, for a note on stderr: how many, the first that is not blank, and why. */
export interface SkippedLines {
  /** Lines above the header (blank ones too): the header is at line count + 1; for 'metadata-rows', the rows below the header not read. */
  count: number;
  first: FileLine;
  by: 'skip-rows' | 'title-lines' | 'metadata-rows' | 'ons';
  /** For 'ons': what the file is and which of its rows were read, in words (./ons-layout.ts). */
  detail?: string;
}

/** The lines above a header at `headerLine`, given the file's first line that is not blank; undefined when there are none. */
export function skippedAbove(first: FileLine | undefined, headerLine: number, by: SkippedLines['by']): SkippedLines | undefined {
  return first !== undefined && first.lineNo < headerLine ? { count: headerLine - 1, first, by } : undefined;
}

/** Looks for the header below title lines, one line at a time, from the first line that did not fit. */
export class TitleLineScan {
  private prev: FileLine;

  /**
   * `start`: the line that did not fit the first header; `sepDelimiter`: the delimiter an Excel
   * `sep=` line named (else each candidate header picks its own); `refuse`: the error to throw
   * when no header is found (the first line's, as without this scan).
   */
  constructor(
    private readonly start: FileLine,
    private readonly sepDelimiter: string | null,
    private readonly split: SplitLine,
    readonly refuse: () => Error,
  ) {
    this.prev = start;
  }

  /** The header, when `line` is the first data row below it; null to read on. Throws `refuse()` past MAX_TITLE_LINES. */
  push(line: FileLine): FoundHeader | null {
    const delimiter = this.sepDelimiter ?? headerDelimiter(this.prev.text);
    const names = this.split(this.prev.text, delimiter);
    const cells = this.split(line.text, delimiter);
    if (names.length >= 2 && cells.length === names.length && looksLikeData(cells[0]) && !names.every(looksLikeData)) {
      return { header: this.prev, delimiter, cells };
    }
    if (line.lineNo - this.start.lineNo >= MAX_TITLE_LINES) throw this.refuse();
    this.prev = line;
    return null;
  }
}

/**
 * What to add to a ragged-row message for a line with an odd number of `"`: a quote left open, or
 * a quoted cell with a line break in it (a notes column from a spreadsheet), which this reader does
 * not join (until 6 Dec 2026 the message said only how many cells there were).
 */
function unclosedQuoteNote(line: string): string {
  return (line.split('"').length - 1) % 2 === 1 ? ' (the line has a quote that is not closed: a quoted cell may not hold a line break)' : '';
}

/** What a ragged row below a header of one cell adds: the header may be a title line. */
const TITLE_HINT = ' (the header has one cell: if it is a title, delete the lines above the header; a header below title lines is found when the first data row follows it and starts with a number or a time)';

/** TC_DATA_MALFORMED for a row (`line`, at `lineNo`) of `got` cells below a header of `expected`. */
export function raggedRowError(path: string, lineNo: number, line: string, expected: number, got: number): TickcastError {
  return new TickcastError(
    ErrorCodes.DATA_MALFORMED,
    `${path}:${lineNo}: expected ${expected} cells like the header, got ${got}${unclosedQuoteNote(line)}; fix or remove that line${expected === 1 ? TITLE_HINT : ''}`,
    { statusCode: 400, retriable: false, details: { line: lineNo } },
  );
}
