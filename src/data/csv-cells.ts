/**
 * A CSV file's cells as numbers, and the words for a cell or a column name that does not read:
 * what every reader of data files (tables for train and backtest, detect's rows, NAB files, the
 * bootstrap sample) shares once ./csv.ts has split the file into text cells.
 */
import { ErrorCodes } from '../errors/index.ts';
import { dataError, type RawCsv } from './csv.ts';
import { isFlaggedCell } from './csv-flags.ts';

/** What to add to a "not a number" message: a comma in a number (a decimal comma, read under --decimal comma: ./csv-decimal.ts; or a thousands separator) is named, and a hexadecimal, binary or octal one. */
export function notNumberHint(cell: string): string {
  if (isFlaggedCell(cell)) return '; each of its cells is a number then Eurostat flags, as ids are written (`12 b`), so it is read as text: name it with --target or --features if it holds readings';
  if (NOT_DECIMAL.test(cell)) return '; numbers are read in decimal only (0x, 0b and 0o forms are not read)';
  return /^[-+]?\d+(,\d+)+(\.\d+)?$/.test(cell) ? '; numbers need a decimal point and no comma (1.5, 10000) unless the file is read with --decimal comma (1,5 and 1.234,5; a ;-separated file is told apart by itself)' : '';
}

const NOT_DECIMAL = /^0[xbo]/i;

/**
 * A trimmed cell as a number: NaN when empty, and for the hexadecimal, binary and octal forms
 * JavaScript's Number() reads (`0x10` is 16), which a data file does not mean: until 6 Dec 2026
 * such a cell was read as that number, without a word.
 */
export function numberCell(text: string): number {
  return text === '' || NOT_DECIMAL.test(text) ? Number.NaN : Number(text);
}

/**
 * What to add to a message about column names when the header holds U+FFFD: the file is not UTF-8
 * (Excel's "CSV" is Windows-1252), its bytes outside ASCII read as U+FFFD, so no name given on the
 * command line (or a model's feature) can match that column.
 */
export function notUtf8Hint(names: readonly string[]): string {
  const bad = names.find((n) => n.includes('\ufffd'));
  return bad === undefined ? '' : `; column ${JSON.stringify(bad)} holds bytes that are not UTF-8 (shown as \ufffd): save the file as UTF-8 ("CSV UTF-8" in Excel, or iconv -f WINDOWS-1252 -t UTF-8)`;
}

/** Index of a named column; TC_DATA_COLUMN_MISSING naming what the file must have. */
export function columnIndex(csv: RawCsv, name: string, expected: string): number {
  const i = csv.header.indexOf(name);
  if (i < 0) throw dataError(ErrorCodes.DATA_COLUMN_MISSING, `${csv.path}: header must contain ${expected}; got "${csv.header.join(',')}"`);
  return i;
}

/** A column as numbers; TC_DATA_NOT_NUMERIC with the file line of the first cell that is not one. */
export function numericColumn(csv: RawCsv, column: number): Float64Array {
  const cells = csv.cells[column];
  const out = new Float64Array(cells.length);
  for (let r = 0; r < cells.length; r++) {
    const v = numberCell(cells[r]);
    if (!Number.isFinite(v)) throw dataError(ErrorCodes.DATA_NOT_NUMERIC, `${csv.path}:${csv.lines[r]}: column "${csv.header[column]}" has "${cells[r]}", not a number${notNumberHint(cells[r])}`, { line: csv.lines[r] });
    out[r] = v;
  }
  return out;
}

/** A cell as written to a CSV file: quoted (with "" escapes) when it holds a delimiter, a quote or a line break, so it reads back as one cell. */
export function csvCell(text: string): string {
  return /[",;\t\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
