/**
 * Which decimal mark a CSV file's numbers use, and its cells rewritten to a decimal point.
 *
 * Excel, LibreOffice and SAP in decimal-comma locales (de, fr, …) save "CSV" with `;` between cells
 * and numbers as `1,25` or `1.234,5` (a dot grouping thousands). Until 7 Dec 2026 every command
 * refused such numbers (TC_DATA_NOT_NUMERIC), and `train` silently left such a column out of its
 * default features. Now (`--decimal`, default `auto`):
 * - `auto`, a file separated by `;` or tabs: the first cell that tells (`1,25`, `1.234,5`,
 *   `1.234.567` say decimal comma; `2.75`, `0.5`, `1,234.5` say decimal point) decides for the
 *   file. A later cell that says the other is refused, naming both lines and cells. Cells that do
 *   not tell (`1.234`: 1.234, or 1234 with a thousands dot; `1,234`: 1.234, or 1234 with a
 *   thousands comma as a US-locale tab export writes it) wait for one that does (up to LOOKAHEAD
 *   rows); when none comes, the file is refused naming the first such cell. (Until 7 Dec 2026
 *   `1,234` said decimal comma, so a tab export of US counts read 1000 times too small.) Except:
 *   in a `;`-separated file whose first such cell has a comma, that comma is a decimal comma
 *   (settleUntold; since 7 Dec 2026: a price column of three decimals, `100,250`, was refused).
 * - `auto`, a file separated by `,`: a decimal point (a comma there separates cells; a quoted
 *   `"1,234"` is more often a US thousands separator than a decimal comma).
 * - `comma` / `point`: as said, nothing guessed.
 * Only cells that are a whole number in one of these forms are rewritten (under a decimal point
 * that a cell told, or --decimal point, thousands commas are dropped: `1,234.5` → `1234.5`); text
 * and dates are not.
 */
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { FlagCells } from './csv-flags.ts';

const notNumeric = (message: string, details: Record<string, unknown>): TickcastError =>
  new TickcastError(ErrorCodes.DATA_NOT_NUMERIC, message, { statusCode: 400, retriable: false, details });

export type DecimalMark = 'point' | 'comma';
export type DecimalOption = DecimalMark | 'auto';
export const DECIMAL_OPTIONS: readonly DecimalOption[] = ['auto', 'point', 'comma'];

/** How many rows of cells that do not tell are held back, waiting for one that does. */
export const LOOKAHEAD = 1000;

const COMMA = /^[-+]?(?:\d{1,3}(?:\.\d{3})+|\d*),\d+$/; // 1,25  ,5  1.234,5
const GROUPED = /^[-+]?\d{1,3}(?:\.\d{3}){2,}$/; // 1.234.567: two dots are never a decimal point
const UNTOLD = /^[-+]?[1-9]\d{0,2}[.,]\d{3}$/; // 1.234, 1,234 (0.234 and 0,234 are decimal marks: no thousands group starts with 0)
const POINT = /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d*)\.\d+(?:[eE][-+]?\d+)?$/; // 2.75  .5  1,234.5
const COMMA_GROUPED = /^[-+]?\d{1,3}(?:,\d{3}){2,}$/; // 1,234,567: two commas are never a decimal comma

type Says = DecimalMark | 'untold' | null;

/** What one cell says about the decimal mark. */
export function cellSays(cell: string): Says {
  if (!cell.includes(',') && !cell.includes('.')) return null;
  if (UNTOLD.test(cell)) return 'untold';
  if (cell.includes(',')) return COMMA.test(cell) ? 'comma' : POINT.test(cell) || COMMA_GROUPED.test(cell) ? 'point' : null;
  return GROUPED.test(cell) ? 'comma' : POINT.test(cell) ? 'point' : null;
}

/** A cell of a decimal-comma file with a decimal point: `1.234,5` → `1234.5`; other cells as they are. */
export function commaToPoint(cell: string): string {
  const says = cellSays(cell);
  return says === 'comma' || says === 'untold' ? cell.replace(/\./g, '').replace(',', '.') : cell;
}

/** One data row: its cells and 1-based file line. */
interface Row {
  cells: string[];
  line: number;
  flagged?: Record<number, string>;
}

interface Witness {
  line: number;
  column: string;
  cell: string;
}

const NAMES: Record<DecimalMark, string> = { comma: 'a decimal comma', point: 'a decimal point' };
const FIX = 'give --decimal comma or --decimal point to say which the file uses';

/**
 * A file's data rows with their numbers rewritten to a decimal point (see the file comment):
 * `push` gives back the rows that are ready (none while it waits for a cell that tells), `end`
 * the rest. Throws TC_DATA_NOT_NUMERIC, naming line, column and cell, when the file mixes marks
 * or never tells.
 */
export class DecimalCells {
  private mark: DecimalMark | undefined;
  private decidedBy: Witness | undefined;
  private pending: Row[] = [];
  private firstUntold: Witness | undefined;
  private assumed = false;
  /** Eurostat flags after numbers (`108.35 p`), cut off before the marks are looked at (./csv-flags.ts; since 7 Dec 2026). */
  private readonly flags: FlagCells;

  constructor(
    private readonly path: string,
    private readonly header: readonly string[],
    private readonly delimiter: string,
    private readonly option: DecimalOption = 'auto',
  ) {
    if (option !== 'auto') this.mark = option;
    else if (delimiter === ',') this.mark = 'point';
    this.flags = new FlagCells(header);
  }

  /** Columns of text (series ids) whose cells keep what follows a number (./csv-flags.ts keepText). */
  keepText(columns: readonly number[]): void {
    this.flags.keepText(columns);
  }

  /** Once the rows are read: columns of flagged numbers only, text (./csv-flags.ts textColumns), each with its first cell. */
  flagText(): Map<number, string> {
    return this.flags.textColumns();
  }

  push(row: Row): Row[] {
    this.flags.strip(row);
    if (this.mark === undefined) this.observe(row);
    if (this.mark === undefined && this.pending.length === 0 && this.firstUntold === undefined) return [row];
    if (this.mark === undefined) {
      this.pending.push(row);
      return this.pending.length >= LOOKAHEAD ? this.settleUntold() : [];
    }
    const ready = this.pending.length > 0 ? [...this.pending, row] : [row];
    this.pending = [];
    return ready.map((r) => this.convert(r));
  }

  end(): Row[] {
    return this.pending.length > 0 ? this.settleUntold() : [];
  }

  /**
   * What stderr says when `auto` took a `;` file's commas as decimal commas with no number telling
   * it (settleUntold; said since 7 Dec 2026, until then not a word): the cell that decided, and the
   * flag that says so; and, on a line of its own, the Eurostat flags not read (./csv-flags.ts).
   * Undefined when neither: each line is said on stderr after the command's name.
   */
  note(): string | undefined {
    const notes = [this.markNote(), this.flags.note(this.path)].filter((n) => n !== undefined);
    return notes.length === 0 ? undefined : notes.join('\n');
  }

  private markNote(): string | undefined {
    if (!this.assumed) return undefined;
    const at = this.decidedBy!;
    return `${this.path}:${at.line}: no number in the file says which decimal mark it uses; column ${JSON.stringify(at.column)} has ${JSON.stringify(at.cell)}: read as ${commaToPoint(at.cell)}, its comma a decimal comma, as a ;-separated file writes it (--decimal auto; --decimal comma says so without this note)`;
  }

  /**
   * No cell told the mark: in a `;`-separated file, a comma says decimal comma (`100,250`), since
   * a spreadsheet separates cells with `;` where its locale writes the decimal mark as a comma —
   * a US-locale export separates them with `,` (or tabs, which stay refused). Else refused.
   */
  private settleUntold(): Row[] {
    const at = this.firstUntold!;
    if (this.delimiter !== ';' || !at.cell.includes(',')) this.refuseUntold();
    this.mark = 'comma';
    this.decidedBy = at;
    this.assumed = true;
    const ready = this.pending;
    this.pending = [];
    return ready.map((r) => this.convert(r));
  }

  /** Look for a cell that tells; the first decides (auto only). */
  private observe(row: Row): void {
    for (let c = 0; c < row.cells.length; c++) {
      const says = cellSays(row.cells[c]);
      if (says === null) continue;
      const witness = { line: row.line, column: this.header[c], cell: row.cells[c] };
      if (says === 'untold') this.firstUntold ??= witness;
      else {
        this.mark = says;
        this.decidedBy = witness;
        return;
      }
    }
  }

  /**
   * The row with a decimal point; a cell with the other mark is refused when a cell of the file, or
   * --decimal comma, said which (not under `point`, given or for `,`: such a cell does not read). Under
   * --decimal point, thousands commas are dropped (`1,234.5`, `1,234`, `1,234,567`): until 7 Dec
   * 2026 they were not, so a `;` file of US-formatted counts could not be read under any --decimal
   * (auto takes `1,234` there as a decimal comma, point refused it).
   */
  private convert(row: Row): Row {
    const { cells } = row;
    // `,`-separated under auto: read as before. Under --decimal point, thousands commas are dropped (below; since 7 Dec 2026).
    if (this.mark === 'point' && this.decidedBy === undefined && this.option !== 'point') return row;
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c];
      if (!cell.includes(',') && !cell.includes('.')) continue;
      const says = cellSays(cell);
      if (says !== null && says !== 'untold' && says !== this.mark && this.option !== 'point') this.refuseMixed({ line: row.line, column: this.header[c], cell }, says);
      if (this.mark === 'comma') cells[c] = commaToPoint(cell);
      else if ((says === 'point' || says === 'untold') && cell.includes(',')) cells[c] = cell.replace(/,/g, ''); // a thousands comma: 1,234.5 → 1234.5
    }
    return row;
  }

  private refuseMixed(at: Witness, says: DecimalMark): never {
    const by = this.decidedBy;
    const why = by === undefined ? `but --decimal ${this.option} was given` : `but line ${by.line} (column ${JSON.stringify(by.column)}: ${JSON.stringify(by.cell)}) has ${NAMES[this.mark!]}`;
    throw notNumeric(
      `${this.path}:${at.line}: column ${JSON.stringify(at.column)} has ${JSON.stringify(at.cell)}, a number with ${NAMES[says]}, ${why}; fix that cell, or ${FIX}`,
      { line: at.line, column: at.column, value: at.cell },
    );
  }

  private refuseUntold(): never {
    const at = this.firstUntold!;
    const plain = at.cell.replace(/[.,]/, '');
    const why = at.cell.includes(',')
      ? `${at.cell.replace(',', '.')} with a decimal comma or ${plain} with a thousands comma (as an export from a US locale writes it)`
      : `${at.cell} with a decimal point or ${plain} with a thousands dot (as a semicolon-separated export from a decimal-comma locale writes it)`;
    throw notNumeric(
      `${this.path}:${at.line}: column ${JSON.stringify(at.column)} has ${JSON.stringify(at.cell)}, which is ${why}, and no number in the ${this.pending.length} rows from there tells which; ${FIX}`,
      { line: at.line, column: at.column, value: at.cell },
    );
  }
}
