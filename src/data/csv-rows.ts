/**
 * A CSV file's lines to its data rows, the one path every reader of ./csv.ts takes — the stream
 * of rows (`openCsvRows`: detect, and train's and backtest's typed-array columns) and the files
 * read whole (`readCsvFile`, `readCsvFileSync`, `parseCsvText`: the embedded sample, bootstrap
 * data, NAB files) — so they cannot read one file two ways: lines parsed against the header
 * (./csv-line-parser.ts), then Eurostat flags and decimal marks (./csv-decimal.ts).
 */
import { DecimalCells, type DecimalOption } from './csv-decimal.ts';
import type { FooterLines } from './csv-footer.ts';
import { CsvLineParser } from './csv-line-parser.ts';
import { BlsPeriods } from './bls-periods.ts';
import { OnsLayout, type OnsFrequency } from './ons-layout.ts';
import type { SkippedLines } from './csv-title-lines.ts';

/** How to read a file: its decimal mark (./csv-decimal.ts; `auto` unless given); `skipRows` lines above the header not read (--skip-rows); `frequency`: an ONS file's block to read (--frequency; ./ons-layout.ts). */
export interface CsvReadOptions {
  decimal?: DecimalOption;
  skipRows?: number;
  frequency?: OnsFrequency;
}

/** One data row of a CSV file: its trimmed cells and 1-based file line; `flagged`: the cells whose Eurostat flags were cut (./csv-flags.ts), as the file wrote them, by column. */
export interface CsvRow {
  cells: string[];
  line: number;
  flagged?: Record<number, string>;
}

const NO_ROWS: CsvRow[] = [];

/** A file's lines in, its data rows out: `parse` each line, `convert` what it gives (or `push` for both), `end` at the end of the file. */
export class CsvRows {
  private readonly parser: CsvLineParser;
  /** The UK ONS's time series layout (no header row, metadata lines, mixed frequencies): ./ons-layout.ts. */
  private readonly ons: OnsLayout;
  /** The US BLS's year and period columns, read as one time column (./bls-periods.ts). */
  private readonly bls = new BlsPeriods();
  private decimal: DecimalCells | undefined;
  private text: readonly number[] = [];

  constructor(
    private readonly path: string,
    private readonly opts: CsvReadOptions = {},
  ) {
    this.parser = new CsvLineParser(path, opts.skipRows);
    this.ons = new OnsLayout(opts.skipRows, opts.frequency, path);
  }

  /** The data rows a line completes, their cells as written: footnote lines held above it that were rows after all (./csv-footer.ts), then its own. */
  parse(text: string, lineNo: number): CsvRow[] {
    const lines = this.ons.lines(text, lineNo);
    const parsed = lines.length === 1 ? this.parseLine(...lines[0]) : lines.flatMap((l) => this.parseLine(...l));
    const rows = this.bls.rows(this.parser.header, parsed);
    if (!this.ons.active) return rows;
    this.ons.hold(rows); // an ONS file's rows are released at its end, of one frequency
    return NO_ROWS;
  }

  private parseLine(text: string, lineNo: number): CsvRow[] {
    const cells = this.parser.push(text, lineNo);
    const released = this.parser.held.released();
    if (released.length === 0) return cells === null ? NO_ROWS : [{ cells, line: lineNo }];
    return cells === null ? released : [...released, { cells, line: lineNo }];
  }

  /** Rows from `parse`, their flags cut and numbers rewritten to a decimal point: those ready (none while the decimal mark is not yet told). */
  convert(rows: readonly CsvRow[]): CsvRow[] {
    if (rows.length === 0) return NO_ROWS;
    this.decimal ??= this.start();
    return rows.length === 1 ? this.decimal.push(rows[0]) : rows.flatMap((r) => this.decimal!.push(r));
  }

  push(text: string, lineNo: number): CsvRow[] {
    return this.convert(this.parse(text, lineNo));
  }

  /** Once the file has ended: the rows still held back for their decimal mark. */
  end(): CsvRow[] {
    const ons = this.ons.active ? this.convert(this.ons.release()) : NO_ROWS;
    const rest = this.decimal?.end() ?? NO_ROWS;
    return ons.length === 0 ? rest : [...ons, ...rest];
  }

  /** The header: TC_DATA_TOO_SHORT when the file ended before one (csv-line-parser.ts requireHeader). */
  header(): string[] {
    for (const l of this.ons.ended()) this.parseLine(...l); // a first line `Title` the file ended below
    return this.bls.header(this.parser.requireHeader());
  }

  /** Lines above the header not read (--skip-rows, title lines); settled with the header. */
  skipped(): SkippedLines | undefined {
    return this.ons.skipped() ?? this.parser.skipped;
  }

  /** Before rows are converted: columns of text (series ids) whose cells keep text after a number (./csv-flags.ts keepText). */
  keepText(columns: readonly number[]): void {
    this.text = columns;
    this.decimal?.keepText(columns);
  }

  /** Once the rows are read: columns whose every cell was a number with Eurostat flags, text (./csv-flags.ts textColumns), each with its first cell. */
  flagText(): Map<number, string> {
    return this.decimal?.flagText() ?? new Map();
  }

  /** Once the rows are read: a BLS file's periods (./bls-periods.ts), the decimal mark taken with no number telling it, and the flags not read, in words (./csv-decimal.ts `note`), a line each. */
  decimalNote(): string | undefined {
    const notes = [this.bls.note(this.path), this.decimal?.note()].filter((n) => n !== undefined);
    return notes.length === 0 ? undefined : notes.join('\n');
  }

  /** Once the file has ended: footnote lines below the rows not read (./csv-footer.ts). */
  footer(): FooterLines | undefined {
    return this.parser.held.footer();
  }

  /** At the first data row, when the header is settled: its decimal marks and flags. */
  private start(): DecimalCells {
    const decimal = new DecimalCells(this.path, this.header(), this.parser.delimiter, this.opts.decimal);
    decimal.keepText(this.text);
    return decimal;
  }
}
