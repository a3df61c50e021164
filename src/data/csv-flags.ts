/**
 * Eurostat's flags after a number (`108.35 p`, `12.1 e`, `5.2 bp`, `: c`), as its TSV and CSV
 * downloads write them: the number is the reading, the letters say how it stands (provisional,
 * estimated, a break in the series…). Since 7 Dec 2026 the flags are not read: the cell is read as
 * its number (`: c` as `:`, a missing reading: ./missing-marks.ts), and stderr says so once per file
 * (`note`); until then exit 65 TC_DATA_NOT_NUMERIC at the first such cell, and train left such a
 * column out of its features. Only the letters of Eurostat's documented set (FLAGS), after a space;
 * any other text after a number (`12 kg`, `5 x`) is refused as before.
 *
 * Only a column that is otherwise numeric is read so (since a review on 7 Dec 2026): a column
 * whose every present cell is a number then flag letters, with no bare number and no missing mark
 * (`12 b`, `12 c`: station ids, product codes), is text (`textColumns`); train had read such a
 * column as numbers and used it as a feature. Unless that cannot be (`readings`, since 7 Dec 2026;
 * until then such a column had to be named with --target): a column named as readings (`OBS_VALUE`,
 * `value`, a price), or the one column of a file of two (the time, and it), is numbers however
 * many of its cells are flagged — a Eurostat series whose every value is provisional (`100,5 p`).
 */
import { isMissingCell } from './missing-marks.ts';
import { PRICE_NAMES } from './default-target.ts';
import { isNamedAs } from './column-name.ts';

/** Names that say a column holds readings, ids never: the default target's (./default-target.ts) and SDMX-CSV's `OBS_VALUE`. */
const READING_NAMES: readonly string[] = PRICE_NAMES; // `obs value` (SDMX-CSV) among them

/** Eurostat's flags (https://ec.europa.eu/eurostat/data/database/information, "Flags and special values"). */
const FLAGS: Readonly<Record<string, string>> = {
  b: 'break in time series',
  c: 'confidential',
  d: 'definition differs',
  e: 'estimated',
  f: 'forecast',
  n: 'not significant',
  p: 'provisional',
  r: 'revised',
  s: 'Eurostat estimate',
  u: 'low reliability',
  z: 'not applicable',
};

/**
 * A number (either decimal mark, ./csv-decimal.ts) then a space, or `:` with or without one, then
 * one or more flags. `:c` is how Eurostat's CSV and SDMX downloads write a confidential value (its
 * TSV writes `: c`); until 7 Dec 2026 it was refused as not a number. A number needs the space:
 * `5p` stays refused.
 */
const FLAGGED = /^([-+]?[\d.,]*\d(?= )|:) *([bcdefnprsuz]+)$/;

/** A cell that is a number (or `:`) then Eurostat flags: `12 b`. */
export function isFlaggedCell(cell: string): boolean {
  return FLAGGED.test(cell);
}

/** The flags after a flagged number (`108.35 p` → `p`); undefined for any other cell (a flagged `:` is a missing reading, written back whole). */
export function flagsOf(cell: string): string | undefined {
  const m = FLAGGED.exec(cell);
  return m === null || m[1] === ':' ? undefined : m[2];
}

/** A number with no flag (either decimal mark): a cell that says its column holds numbers. */
const BARE = /^[-+]?[\d.,]*\d$/;

/** What was cut in one column: its first cut cell, how many, which flags. */
interface CutColumn {
  line: number;
  cell: string;
  read: string;
  count: number;
  seen: Set<string>;
}

/** Row cells with the flags cut off in place; what was cut, per column, for the note and `textColumns`. */
export class FlagCells {
  private readonly cut = new Map<number, CutColumn>();
  /** Columns with a bare number or a missing mark (`:`, `: c`, `NA` …): numbers, so their flags are cut. */
  private readonly numeric = new Set<number>();
  /** Columns of text (a series id column: `12 b` and `12 c` are two ids, not 12 twice); their cells are not cut. */
  private text: ReadonlySet<number> = new Set();

  constructor(private readonly header: readonly string[]) {}

  /** Say which columns hold text, before the rows are read (since 7 Dec 2026: detect's series ids were cut, `12 b` read as `12`, merging series). */
  keepText(columns: readonly number[]): void {
    this.text = new Set(columns);
  }

  /** Cut the flags off `row`'s cells in place; each cut cell as written goes in `row.flagged` (detect writes a missing one back so, `:c` not `:`). */
  strip(row: { cells: string[]; line: number; flagged?: Record<number, string> }): void {
    const { cells } = row;
    for (let c = 0; c < cells.length; c++) {
      if (this.text.has(c)) continue;
      const m = cells[c].includes(' ') || cells[c].startsWith(':') ? FLAGGED.exec(cells[c]) : null; // most cells have neither: no regular expression run
      if (m === null) {
        if (!this.numeric.has(c) && cells[c] !== '' && (BARE.test(cells[c]) || isMissingCell(cells[c]))) this.numeric.add(c);
        continue;
      }
      this.record(c, row.line, cells[c], m);
      (row.flagged ??= {})[c] = cells[c];
      cells[c] = m[1];
    }
  }

  /**
   * Once the rows are read: the columns whose every present cell had flags, none a bare number or
   * a missing mark (`12 b`, `12 c`), each with its first cell as the file has it. Text, not
   * numbers: a reader does not take them for a numeric column (./columns.ts `firstCell`).
   */
  textColumns(): Map<number, string> {
    const text = new Map<number, string>();
    for (const [c, cut] of this.cut) if (!this.numbers(c)) text.set(c, cut.cell);
    return text;
  }

  /** A column of numbers: one of them bare or a missing mark, or one that cannot hold ids (see the file comment). */
  private numbers(c: number): boolean {
    return this.numeric.has(c) || this.header.length === 2 || isNamedAs(this.header[c], READING_NAMES);
  }

  private record(c: number, line: number, cell: string, m: RegExpExecArray): void {
    if (m[1] === ':') this.numeric.add(c); // `: c`: a missing reading, Eurostat's
    let cut = this.cut.get(c);
    if (cut === undefined) this.cut.set(c, (cut = { line, cell, read: m[1], count: 0, seen: new Set() }));
    for (const f of m[2]) cut.seen.add(f);
    cut.count++;
  }

  /** `f.csv:3: column "value" has "108.35 p" …: read as 108.35; 12 cells so, the flags not read (p provisional, e estimated)`; undefined when none. Text columns (`textColumns`) are not counted. */
  note(path: string): string | undefined {
    const cuts = [...this.cut].filter(([c]) => this.numbers(c));
    if (cuts.length === 0) return undefined;
    const [c, { line, cell, read }] = cuts.reduce((a, b) => (b[1].line < a[1].line ? b : a));
    const count = cuts.reduce((n, [, cut]) => n + cut.count, 0);
    const seen = new Set(cuts.flatMap(([, cut]) => [...cut.seen]));
    const flags = [...seen].sort().map((f) => `${f} ${FLAGS[f]}`).join(', ');
    const cells = count === 1 ? '1 cell' : `${count} cells`;
    return `${path}:${line}: column ${JSON.stringify(this.header[c])} has ${JSON.stringify(cell)}, a number with Eurostat flags after it: read as ${read}; ${cells} so, their flags not read (${flags})`;
  }
}
