/**
 * A CSV file's lines, one at a time, to data rows: the header (its delimiter and names, below
 * title lines or an Excel `sep=` line), then each data row checked against it; footnote lines
 * below the rows are held (./csv-footer.ts). Used by every reader of ./csv.ts (split from it on
 * 7 Dec 2026, which was at the 300-line limit).
 */
import { ErrorCodes } from '../errors/index.ts';
import { dataError } from './data-error.ts';
import { excelSepLine, headerDelimiter, isUtf16, looksLikeData, readHeaderLine } from './csv-header.ts';
import { parseTimestamp } from './time.ts';
import { FirstColumnIds, footerHold, wideFootnote } from './csv-footer.ts';
import { splitCsvLine } from './csv-split.ts';
import { raggedRowError, skippedAbove, TitleLineScan, type FileLine, type SkippedLines } from './csv-title-lines.ts';

/** Parses a CSV file line by line: the header (delimiter, names), then each data row against it. */
export class CsvLineParser {
  /** The header; settled once the first data row is read (it may be found below title lines). */
  header: string[] | null = null;
  delimiter = '';
  private sawSepLine = false;
  private sepDelimiter: string | null = null;
  private sawRow = false;
  /** Looking for the header below title lines (./csv-title-lines.ts); null otherwise. */
  private titles: TitleLineScan | null = null;
  skipped: SkippedLines | undefined; // lines above the header not read (--skip-rows, title lines); set with the header
  private first: FileLine | undefined;
  /** The header's first name was empty (./csv-header.ts UNNAMED_TIME): rows before the first whose first cell is a time are metadata, not read. */
  private unnamedTime = false;
  private metadata: SkippedLines | undefined;
  /** The first column's ids in the rows read: a header-wide line starting with one is a row, not a footnote (./csv-footer.ts). */
  private readonly ids = new FirstColumnIds();
  /** Footnote lines below the rows (./csv-footer.ts); `footer()` once the file has ended. */
  readonly held = footerHold(({ text, lineNo }) => raggedRowError(this.path, lineNo, text, this.header!.length, splitCsvLine(text, this.delimiter).length));

  constructor(
    private readonly path: string,
    private readonly skipRows = 0,
  ) {}

  /** A data row's cells; null for the header, blank lines and the lines --skip-rows skips. Throws on a line that does not parse. */
  push(rawLine: string, lineNo: number): string[] | null {
    const line = lineNo === 1 && rawLine.charCodeAt(0) === 0xfeff ? rawLine.slice(1) : rawLine;
    if (line.trim() === '') return null;
    this.first ??= { text: line.trim(), lineNo };
    if (lineNo <= this.skipRows) return null;
    if (line.includes('\u0000')) {
      if (lineNo === 1 && isUtf16(rawLine)) {
        throw dataError(ErrorCodes.DATA_MALFORMED, `${this.path}: the file is UTF-16 text (as Excel's "Unicode Text" saves it), not UTF-8; save it as "CSV UTF-8" or convert it (iconv -f UTF-16 -t UTF-8)`, { line: lineNo });
      }
      throw dataError(ErrorCodes.DATA_MALFORMED, `${this.path}:${lineNo}: the line holds NUL bytes: this is a binary file, not a text CSV; give the CSV file itself`, { line: lineNo });
    }
    if (this.titles !== null) return this.belowTitles(line, lineNo);
    if (this.header === null) {
      this.readHeader(line, lineNo);
      return null;
    }
    const row = splitCsvLine(line, this.delimiter);
    const wide = row.length === this.header.length;
    // A footnote? (./csv-footer.ts) Held until the file ends or a row of data comes below it.
    if (this.sawRow && (wide ? wideFootnote(row, this.ids) : !row.some(looksLikeData))) return this.held.hold({ text: line, lineNo }, wide ? row : undefined);
    if (this.held.holding()) this.held.below();
    if (wide && this.unnamedTime && !this.sawRow && !Number.isFinite(parseTimestamp(row[0]))) return this.skipMetadata(line, lineNo);
    if (!wide) {
      const cells = this.header.length;
      const refuse = (): Error => raggedRowError(this.path, lineNo, line, cells, row.length);
      if (this.sawRow) throw refuse();
      // The first row does not fit the header: the header may lie below title lines (an ECB SDW export).
      this.titles = new TitleLineScan({ text: line, lineNo }, this.sepDelimiter, splitCsvLine, refuse);
      this.header = null;
      return null;
    }
    this.sawRow = true;
    if (this.metadata !== undefined) this.skipped ??= this.metadata;
    this.ids.see(row);
    return row;
  }

  /** A Bundesbank metadata row below the header (unit, title, last update: header-wide, its first cell not a time), counted for the note. */
  private skipMetadata(line: string, lineNo: number): null {
    if (this.metadata === undefined) this.metadata = { count: 0, first: { text: line.trim(), lineNo }, by: 'metadata-rows' };
    this.metadata.count++;
    return null;
  }

  /** A line while the header is looked for below title lines: the first data row once it is found. */
  private belowTitles(line: string, lineNo: number): string[] | null {
    const found = this.titles!.push({ text: line, lineNo });
    if (found === null) return null;
    this.titles = null;
    this.delimiter = found.delimiter;
    this.header = readHeaderLine(found.header.text, found.header.lineNo, this.path, found.delimiter, splitCsvLine).names;
    this.skipped = skippedAbove(this.first, found.header.lineNo, 'title-lines');
    this.sawRow = true;
    this.ids.see(found.cells);
    return found.cells;
  }

  /** TC_DATA_TOO_SHORT when the file ended before a header row; the first line's error when it ended while the header was looked for below title lines. */
  requireHeader(): string[] {
    if (this.titles !== null) throw this.titles.refuse();
    if (this.header === null) throw dataError(ErrorCodes.DATA_TOO_SHORT, `${this.path}: the file is empty; expected a header row and data rows`);
    return this.header;
  }

  private readHeader(line: string, lineNo: number): void {
    // Excel's `sep=;` line names the delimiter; otherwise it is picked from the header (semicolon- or tab-separated exports are common).
    const sep = this.sawSepLine ? null : excelSepLine(line);
    this.sawSepLine = true;
    if (sep !== null) {
      this.delimiter = sep;
      this.sepDelimiter = sep;
      return;
    }
    if (this.delimiter === '') this.delimiter = headerDelimiter(line);
    const header = readHeaderLine(line, lineNo, this.path, this.delimiter, splitCsvLine);
    this.header = header.names;
    this.unnamedTime = header.unnamedTime === true;
    if (this.skipRows > 0) this.skipped = skippedAbove(this.first, lineNo, 'skip-rows');
  }
}
