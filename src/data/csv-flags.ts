/**
 * Eurostat's flags after a number (`108.35 p`, `12.1 e`, `5.2 bp`, `: c`), as its TSV and CSV
 * downloads write them: the number is the reading, the letters say how it stands (provisional,
 * estimated, a break in the series…). Since 7 Dec 2026 the flags are not read: the cell is read as
 * its number (`: c` as `:`, a missing reading: ./missing-marks.ts), and stderr says so once per file
 * (`note`); until then exit 65 TC_DATA_NOT_NUMERIC at the first such cell, and train left such a
 * column out of its features. Only the letters of Eurostat's documented set (FLAGS), after a space;
 * any other text after a number (`12 kg`, `5 x`) is refused as before.
 */

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

/** A number (either decimal mark, ./csv-decimal.ts) or `:`, a space, then one or more flags. */
const FLAGGED = /^([-+]?[\d.,]*\d|:) +([bcdefnprsuz]+)$/;

/** Row cells with the flags cut off in place; what was cut, for the note. */
export class FlagCells {
  private count = 0;
  private first: { line: number; column: string; cell: string; read: string } | undefined;
  private readonly seen = new Set<string>();
  /** Columns of text (a series id column: `12 b` and `12 c` are two ids, not 12 twice); their cells are not cut. */
  private text: ReadonlySet<number> = new Set();

  constructor(private readonly header: readonly string[]) {}

  /** Say which columns hold text, before the rows are read (since 7 Dec 2026: detect's series ids were cut, `12 b` read as `12`, merging series). */
  keepText(columns: readonly number[]): void {
    this.text = new Set(columns);
  }

  strip(row: { cells: string[]; line: number }): void {
    const { cells } = row;
    for (let c = 0; c < cells.length; c++) {
      if (this.text.has(c)) continue;
      const m = cells[c].includes(' ') ? FLAGGED.exec(cells[c]) : null; // most cells have no space: no regular expression run
      if (m === null) continue;
      this.first ??= { line: row.line, column: this.header[c], cell: cells[c], read: m[1] };
      for (const f of m[2]) this.seen.add(f);
      this.count++;
      cells[c] = m[1];
    }
  }

  /** `f.csv:3: column "value" has "108.35 p" …: read as 108.35; 12 cells so, the flags not read (p provisional, e estimated)`; undefined when none. */
  note(path: string): string | undefined {
    if (this.first === undefined) return undefined;
    const { line, column, cell, read } = this.first;
    const flags = [...this.seen].sort().map((f) => `${f} ${FLAGS[f]}`).join(', ');
    const cells = this.count === 1 ? '1 cell' : `${this.count} cells`;
    return `${path}:${line}: column ${JSON.stringify(column)} has ${JSON.stringify(cell)}, a number with Eurostat flags after it: read as ${read}; ${cells} so, their flags not read (${flags})`;
  }
}
