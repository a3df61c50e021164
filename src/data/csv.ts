/**
 * CSV → columns. Reads a header row and then one record per line, line by line from a stream
 * (never the whole file as one string), keeping each column as text until the caller picks the
 * columns it needs (see ./table.ts). Supports RFC 4180 quoting on one line ("a,b" and "" escapes);
 * multi-line quoted cells are not supported (time-series files do not use them). Title lines above the header: ./csv-title-lines.ts.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ErrorCodes, isTickcastError } from '../errors/index.ts';
import { dataError } from './data-error.ts';
import { fileErrorReason } from '../domain/file-error-reason.ts';
import type { FooterLines } from './csv-footer.ts';
import type { SkippedLines } from './csv-title-lines.ts';
import { CsvRows, type CsvReadOptions, type CsvRow } from './csv-rows.ts';

export type { CsvReadOptions, CsvRow } from './csv-rows.ts';

/** A CSV file as raw text columns. `lines[i]` is the 1-based file line of data row i (for messages). */
export interface RawCsv {
  path: string;
  header: string[];
  /** cells[c][r]: column c, data row r, trimmed text. */
  cells: string[][];
  lines: number[];
  skipped?: SkippedLines; // lines above the header not read (--skip-rows, title lines), when there were any
  footer?: FooterLines; // footnote lines below the rows not read, when there were any
  /** Columns whose every cell was a number with Eurostat flags (`12 b`): text, as the stream of rows reads them (./csv-flags.ts textColumns), each with its first cell. */
  flagText?: Map<number, string>;
  /** The decimal mark taken with no number telling it, and the flags not read, in words (./csv-decimal.ts `note`). */
  decimalNote?: string;
}

export { dataError } from './data-error.ts';

export { splitCsvLine } from './csv-split.ts';

/** Parse CSV text (already in memory, e.g. a test fixture or an HTTP body). */
export function parseCsvText(text: string, path = '<text>', opts: CsvReadOptions = {}): RawCsv {
  const acc = new CsvAccumulator(path, opts);
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) acc.push(lines[i], i + 1);
  return acc.finish();
}

/**
 * Read a small CSV file at once (start-up data, the embedded sample, NAB files in scripts); `what`
 * names it in the error ("bootstrap data", "embedded.dataFile"). TC_DATA_UNREADABLE when it cannot
 * be read; the parse errors of parseCsvText otherwise.
 */
export function readCsvFileSync(path: string, what = 'CSV file'): RawCsv {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw dataError(ErrorCodes.DATA_UNREADABLE, `cannot read ${what} ${JSON.stringify(path)} (${fileErrorReason(err)}); check the path`, { path }, err);
  }
  return parseCsvText(text, path);
}

/** The data file as messages name it: `stdin` for `-` (until 7 Dec 2026 `-:3: …`), else its path. */
export function shownPath(path: string): string {
  return path === '-' ? 'stdin' : path;
}

/**
 * The lines of a file with their 1-based numbers, read from a stream. Rejects with
 * TC_DATA_UNREADABLE only when the file cannot be read (missing, a directory, no permission); an
 * aborted `signal` rejects with its reason (checked every 4096 lines and at the end).
 */
async function* fileLines(path: string, signal?: AbortSignal): AsyncGenerator<[string, number]> {
  // `-` is standard input, as for most command-line tools (until 7 Dec 2026: "cannot read CSV file "-"", exit 66); ./- names a file of that name.
  // process.stdin, not /dev/stdin: that cannot be opened on a socket (a Node parent's stdio pipe: ENXIO, exit 66, until 7 Dec 2026).
  const stream = path === '-' ? process.stdin.setEncoding('utf8') : createReadStream(path, { encoding: 'utf8' });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of rl) {
      // A long file can be stopped while it is read (Ctrl-C): the signal's reason is thrown.
      if ((lineNo & 0xfff) === 0) signal?.throwIfAborted();
      yield [line, ++lineNo];
    }
    signal?.throwIfAborted();
  } catch (err) {
    if (isTickcastError(err) || (signal?.aborted && err === signal.reason)) throw err;
    // Why in words, as the configuration's files say it (until 7 Dec 2026 Node's `ENOENT: no such file or directory, open '…'`).
    const what = path === '-' ? 'stdin' : `CSV file ${JSON.stringify(path)}`;
    throw dataError(ErrorCodes.DATA_UNREADABLE, `cannot read ${what} (${fileErrorReason(err)}); check the path given to --data`, { path }, err);
  } finally {
    rl.close();
    stream.destroy();
  }
}

/**
 * Read a CSV file line by line. Rejects with TC_DATA_UNREADABLE only when the file cannot be read
 * (missing, a directory, no permission); a file that reads but does not parse rejects with the
 * parser's own error (TC_DATA_MALFORMED and friends, with file:line). An aborted `signal` rejects
 * with its reason.
 */
export async function readCsvFile(path: string, signal?: AbortSignal, opts: CsvReadOptions = {}): Promise<RawCsv> {
  const acc = new CsvAccumulator(shownPath(path), opts);
  for await (const [line, lineNo] of fileLines(path, signal)) acc.push(line, lineNo);
  return acc.finish();
}

/** A CSV file read row by row (constant memory): the header first, then `rows` once. */
export interface CsvRowStream {
  path: string;
  header: string[];
  rows: AsyncGenerator<CsvRow>;
  skipped?: SkippedLines;
  /** Once `rows` are read: the decimal mark taken with no number telling it, in words (./csv-decimal.ts `note`). */
  decimalNote(): string | undefined;
  /** Before `rows` are read: columns of text (series ids) whose cells keep text after a number (./csv-flags.ts keepText). */
  keepText(columns: readonly number[]): void;
  /** Once `rows` are read: columns whose every cell was a number with Eurostat flags, text (./csv-flags.ts textColumns), each with its first cell. */
  flagText(): Map<number, string>;
  /** Once `rows` are read: footnote lines below them not read (./csv-footer.ts). */
  footer(): FooterLines | undefined;
  /** Close the file (also done when `rows` ends, fails or is returned from). */
  close(): Promise<void>;
}

/**
 * Open a CSV file as a stream of rows, for a command that handles one row at a time: the header
 * is read (and checked, as readCsvFile checks it) before this resolves; each row is checked as it
 * comes, so a bad line further down rejects `rows` when it is reached. Errors as readCsvFile's.
 */
export async function openCsvRows(path: string, signal?: AbortSignal, opts: CsvReadOptions = {}): Promise<CsvRowStream> {
  const reader = new CsvRows(shownPath(path), opts);
  const lines = fileLines(path, signal);
  // Up to the first data row: the header is known for sure only then (it may lie below title lines: ./csv-title-lines.ts).
  let first: CsvRow[] = [];
  while (first.length === 0) {
    const next = await lines.next();
    if (next.done) break;
    first = reader.parse(...next.value); // nothing is held as a footnote before the first row
  }
  const header = reader.header();
  async function* rows(): AsyncGenerator<CsvRow> {
    yield* reader.convert(first); // converted only now: keepText may be called before
    for await (const [text, line] of lines) yield* reader.push(text, line);
    yield* reader.end();
  }
  return { path: shownPath(path), header, rows: rows(), skipped: reader.skipped(), decimalNote: () => reader.decimalNote(), keepText: (columns) => reader.keepText(columns), flagText: () => reader.flagText(), footer: () => reader.footer(), close: async () => void (await lines.return(undefined)) };
}

export type { FooterLines } from './csv-footer.ts';

/** A whole file's rows as text columns (RawCsv). */
class CsvAccumulator {
  private readonly reader: CsvRows;
  private cells: string[][] | undefined;
  private lines: number[] = [];

  constructor(private readonly path: string, opts: CsvReadOptions) {
    this.reader = new CsvRows(path, opts);
  }

  push(rawLine: string, lineNo: number): void {
    this.add(this.reader.push(rawLine, lineNo));
  }

  private add(rows: CsvRow[]): void {
    if (rows.length === 0) return;
    const cells = (this.cells ??= this.reader.header().map(() => []));
    for (const row of rows) {
      for (let c = 0; c < row.cells.length; c++) cells[c].push(row.cells[c]);
      this.lines.push(row.line);
    }
  }

  finish(): RawCsv {
    const header = this.reader.header();
    this.add(this.reader.end());
    const [skipped, footer, flagText, decimalNote] = [this.reader.skipped(), this.reader.footer(), this.reader.flagText(), this.reader.decimalNote()];
    // What the stream of rows says of a file, a file read whole says too (until 7 Dec 2026 a column of ids `12 b` read as numbers here, and the notes were lost).
    const said = { ...(flagText.size > 0 && { flagText }), ...(decimalNote !== undefined && { decimalNote }) };
    return { path: this.path, header, cells: this.cells ?? header.map(() => []), lines: this.lines, ...(skipped && { skipped }), ...(footer && { footer }), ...said };
  }
}
