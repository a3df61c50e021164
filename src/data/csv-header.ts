/**
 * The header row of a CSV file: which delimiter the file uses, and the column names, checked.
 * A file whose first line is data (a header-less export) is refused here, naming the line, rather
 * than read with its first row's values as column names: until 6 Dec 2026 `train` on a header-less
 * `timestamp,value` file dropped that row and trained a feature named after its value ("50.000").
 */
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { parseTimestamp } from './time.ts';

/** What a header line says: the delimiter of every later line and the column names. */
export interface CsvHeader {
  delimiter: string;
  names: string[];
  /** The first name was empty (a Bundesbank download: `;BBK01.WT5511;BBK01.WT5511_FLAGS`) and is read as UNNAMED_TIME. */
  unnamedTime?: boolean;
}

/**
 * The name an empty first header cell is read as (since 7 Dec 2026; until then exit 65 "empty
 * column name"): the Bundesbank's time series downloads leave the time column unnamed. The name
 * `detect` and `train` take as the time by default; rows above the first time are metadata
 * (./csv-line-parser.ts).
 */
export const UNNAMED_TIME = 'timestamp';

type SplitLine = (line: string, delimiter: string) => string[];

function malformed(message: string, line: number): TickcastError {
  return new TickcastError(ErrorCodes.DATA_MALFORMED, message, { statusCode: 400, retriable: false, details: { line } });
}

/** Excel's first line naming the delimiter (`sep=;`): the delimiter, else null. */
export function excelSepLine(line: string): string | null {
  const m = /^sep=(.)$/i.exec(line.trim());
  return m === null ? null : m[1];
}

/** The delimiter a header line uses: `,` unless it has none and has `;` (or a tab). */
export function headerDelimiter(line: string): string {
  if (!line.includes(',') && line.includes(';')) return ';';
  if (!line.includes(',') && line.includes('\t')) return '\t';
  return ',';
}

/** UTF-16 read as UTF-8: its byte-order mark as two U+FFFD, or ASCII text with a NUL after (or before) every character. */
export function isUtf16(line: string): boolean {
  if (line.startsWith('\ufffd\ufffd')) return true;
  const head = line.slice(0, 8);
  const nulAt = (parity: number): boolean => head.length === 8 && [...head].every((c, i) => (c === '\u0000') === (i % 2 === parity));
  return nulAt(0) || nulAt(1);
}

/** A cell that reads as a value rather than a name: a number or a timestamp. */
export function looksLikeData(name: string): boolean {
  return (name !== '' && Number.isFinite(Number(name))) || Number.isFinite(parseTimestamp(name));
}

/** A whole number of up to 4 digits: a name as pandas writes columns (0, 1, 2 …), or a year. */
const shortWhole = (name: string): boolean => /^\d{1,4}$/.test(name);

/** A header that ends in its delimiter (some exports add one to every line) is named as such. */
const trailing = (names: readonly string[]): string => (names.length > 1 && names[names.length - 1] === '' ? ' (the line ends with a delimiter)' : '');

/**
 * Read the header line: TC_DATA_MALFORMED (with the line) for an empty or repeated name, and for a
 * line whose every cell is a number or a timestamp, not all of them short whole numbers (the file
 * has no header row).
 */
export function readHeaderLine(line: string, lineNo: number, path: string, delimiter: string, split: SplitLine): CsvHeader {
  const names = split(line, delimiter);
  if (names.every(looksLikeData) && !names.every(shortWhole)) {
    throw malformed(
      `${path}:${lineNo}: the first line ${JSON.stringify(line.trim())} holds values, not column names: the file has no header row; add one naming the columns (e.g. "timestamp,value")`,
      lineNo,
    );
  }
  const unnamedTime = names.length > 1 && names[0] === '' && !names.includes(UNNAMED_TIME) && names.slice(1).every((n) => n !== '');
  if (unnamedTime) names[0] = UNNAMED_TIME;
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') throw malformed(`${path}:${lineNo}: the header row has an empty column name${trailing(names)}; give every column a name`, lineNo);
    if (seen.has(name)) throw malformed(`${path}:${lineNo}: column ${JSON.stringify(name)} appears twice in the header; rename one of them`, lineNo);
    seen.add(name);
  }
  return { delimiter, names, ...(unnamedTime && { unnamedTime }) };
}
