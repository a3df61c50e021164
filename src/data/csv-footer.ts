/**
 * Footnote lines below a CSV file's rows, as statistics offices end their downloads (`"Source:
 * Statistisches Bundesamt"`, `"p = provisional"`): a line with fewer or more cells than the header
 * and no number or time in it, or (since 7 Dec 2026, `wideFootnote`) a line as wide as the header
 * whose first cell is text and the rest blank (a `;` file's `Quelle: Deutsche Bundesbank;`). Held
 * as they come; when only such lines follow to the end of the file they are not read (`footer`,
 * said on stderr: ../cli/read-notes.ts footerNote). A row of data below them (`below`): a held
 * header-wide line is a row again, read as before (its time cell refused where it is read), and a
 * narrower or wider one is its error as before (./csv.ts CsvLineParser); so are more than
 * MAX_FOOTER. Since 7 Dec 2026; until then exit 65 TC_DATA_MALFORMED at the first.
 */
import type { FileLine } from './csv-title-lines.ts';
import { looksLikeData } from './csv-header.ts';
import { isMissingCell } from './missing-marks.ts';

/** Footnote lines held at most; more are taken as below rows of data. */
const MAX_FOOTER = 50;

/** Lines below the last row not read, footnotes: how many, and the first. */
export interface FooterLines {
  count: number;
  first: FileLine;
}

/** A held header-wide line given back as a row: its cells and 1-based file line. */
export interface HeldRow {
  cells: string[];
  line: number;
}

/** A cell of text: a letter in it, and not a number, time or missing mark. */
const isText = (cell: string): boolean => /\p{L}/u.test(cell) && !looksLikeData(cell) && !isMissingCell(cell);

/**
 * A line as wide as the header (`cells`) that is a footnote: text first, every other cell blank —
 * unless that text is one the first column holds in a row above (`ids`): a long-format file's
 * series id (`sensor-a;;`) starts a row whose time and value are missing, not a note (since 7 Dec
 * 2026; until then such a last row was dropped as a footnote).
 */
export function wideFootnote(cells: readonly string[], ids?: FirstColumnIds): boolean {
  const [first, ...rest] = cells;
  return rest.length > 0 && rest.every((c) => c === '') && isText(first) && !(ids?.has(first) ?? false);
}

/** Ids held at most: as many series as detect's --max-series default; a file of more still reads, its later ids as before. */
const MAX_IDS = 10_000;

/**
 * The first column's cells of the rows read, when it is a column of text (series ids, region
 * names: its first row's cell is text), at most MAX_IDS of them; nothing for a column of times or
 * numbers, which no footnote's text can be (so a time-first file keeps no set).
 */
export class FirstColumnIds {
  private ids: Set<string> | null | undefined; // undefined: no row yet; null: column 0 is not text

  see(cells: readonly string[]): void {
    if (this.ids === undefined) this.ids = isText(cells[0]) ? new Set() : null;
    if (this.ids !== null && this.ids.size < MAX_IDS) this.ids.add(cells[0]);
  }

  has(cell: string): boolean {
    return this.ids?.has(cell) ?? false;
  }
}

/** The footnote lines held so far; `refuse` gives a held line's error (its ragged-row error). */
export interface FooterHold {
  /** Hold a footnote line (`cells` for a header-wide one); past MAX_FOOTER, `below`. */
  hold(line: FileLine, cells?: string[]): null;
  holding(): boolean;
  /** A row of data below the held lines: the header-wide ones become rows (`released`), in order; throws the first other one's error. */
  below(): void;
  /** Held lines that were rows after all, to be read before the row that came below them; taken once. */
  released(): HeldRow[];
  /** The lines held, once the file has ended; undefined when none. */
  footer(): FooterLines | undefined;
}

export function footerHold(refuse: (line: FileLine) => Error): FooterHold {
  let held: { line: FileLine; cells?: string[] }[] = [];
  let rows: HeldRow[] = [];
  const below = (): void => {
    const narrow = held.find((h) => h.cells === undefined);
    if (narrow !== undefined) throw refuse(narrow.line);
    rows = held.map((h) => ({ cells: h.cells!, line: h.line.lineNo }));
    held = [];
  };
  return {
    hold(line, cells) {
      held.push({ line, ...(cells && { cells }) });
      if (held.length > MAX_FOOTER) below();
      return null;
    },
    holding: () => held.length > 0,
    below,
    released() {
      const taken = rows;
      rows = [];
      return taken;
    },
    footer: () => (held.length === 0 ? undefined : { count: held.length, first: held[0].line }),
  };
}
