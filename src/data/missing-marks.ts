/**
 * What a data file writes for a reading that is not there, and what a command may do about it
 * (./missing-cells.ts resolves them in a table; ../cli/detect-rows.ts skips them row by row).
 */

/**
 * Cells that stand for a reading that is not there, as data tools write them (any case): empty
 * (pandas' default `na_rep`, spreadsheets), `NA` (R), `NaN`/`nan`/`-nan` (pandas, NumPy, C),
 * `null`, `None`, `N/A`, `#N/A` (Excel), `<NA>` (pandas' nullable types) — the markers pandas'
 * read_csv takes as missing by default. `Infinity` is not among them: it is a value, refused.
 * Since 7 Dec 2026, what statistics offices write for "not available": `:` (Eurostat), `..` (the
 * World Bank's WDI, OECD, ABS) and `...` (Destatis GENESIS "not yet available"); until then exit 65
 * TC_DATA_NOT_NUMERIC, and a column with one `:` was left out of train's features. Not `-` (Destatis:
 * "nothing", a zero) nor `x` or `n.a.`: text whose meaning is not "no reading", refused as before.
 * A lone `.` too, since 7 Dec 2026 (the Bundesbank's downloads and SAS write it for no value; it is no
 * number, and until then was exit 65 TC_DATA_NOT_NUMERIC, or read as empty under a decimal comma).
 */
const MISSING_CELLS: ReadonlySet<string> = new Set(['', 'na', 'n/a', '#n/a', 'nan', '-nan', 'null', 'none', '<na>', ':', '.', '..', '...']);

/** What a command does with a column's missing cells: stop (exit 65), drop their rows, or fill them (./missing-cells.ts). */
export type MissingPolicy = 'fill' | 'skip' | 'error';

/** True when a trimmed cell marks a missing reading (see MISSING_CELLS), not a value. */
export function isMissingCell(text: string): boolean {
  return MISSING_CELLS.has(text.toLowerCase());
}
