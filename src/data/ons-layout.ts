/**
 * The UK Office for National Statistics' time series CSV (a /timeseries/ page's "Download CSV"):
 * no header row; metadata lines first (`"Title","CPIH ANNUAL RATE …"`, `"CDID","L55O"`,
 * `"Source dataset ID","MM23"`, `"PreUnit"`, `"Unit"`, `"Release date"`, `"Next release"`,
 * `"Important notes"`), then rows of two cells in up to three frequencies, one block after
 * another: annual `"2019","2.1"`, quarterly `"2019 Q1","2.3"`, monthly `"2019 JAN","2.0"`.
 * Until 7 Dec 2026 its first line was read as the header (columns `Title` and the title) and every
 * command refused it ("no numeric column", or no column `timestamp`); a year alone read as epoch
 * seconds, a time in 1970.
 *
 * Recognised by its first two lines (`Title`, then `CDID`: the generator always writes them so),
 * it is read as the columns `timestamp,value` (what `detect` and `train` read by default); the
 * metadata lines above the first row whose first cell is a period are not read; of the rows, those
 * of the finest frequency the file holds are read (monthly, else quarterly, else annual), the
 * others left out, since one series cannot step by a month and a year at once. A year is read as
 * 1 January (its cell is given to the time column as `2019-01-01`; `flagged` keeps `2019`).
 * `--frequency annual|quarterly|monthly` reads that block instead of the finest (since 7 Dec 2026,
 * until then the finest was the only choice); given for a file that is not an ONS one, or one with
 * no row of that frequency, it is refused (TC_CLI_USAGE, TC_DATA_TOO_SHORT) rather than ignored.
 * Everything is said in one note (../cli/read-notes.ts). The rows are held until the file ends,
 * to know which frequencies it has: an ONS series is at most a few thousand rows.
 */
import { ErrorCodes } from '../errors/index.ts';
import { splitCsvLine } from './csv-split.ts';
import { dataError } from './data-error.ts';
import type { FileLine, SkippedLines } from './csv-title-lines.ts';
import { parseTimestamp } from './time.ts';

/** The columns an ONS file is read as. */
export const ONS_HEADER = 'timestamp,value';

export type OnsFrequency = 'annual' | 'quarterly' | 'monthly';

/** Finest first. */
export const FREQUENCIES: readonly OnsFrequency[] = ['monthly', 'quarterly', 'annual'];

/** The frequency of an ONS period cell: `2019`, `2019 Q1`, `2019 JAN`; undefined for any other cell. */
export function onsFrequency(cell: string): OnsFrequency | undefined {
  if (/^\d{4}$/.test(cell)) return 'annual';
  if (/^\d{4} Q[1-4]$/i.test(cell)) return 'quarterly';
  return /^\d{4} [A-Za-z]{3}$/.test(cell) ? 'monthly' : undefined;
}

const firstCell = (text: string): string => splitCsvLine(text.replace(/^\ufeff/, ''))[0] ?? '';

/** A data row as ./csv-rows.ts gives it (its CsvRow; declared here so the import runs one way). */
interface CsvRow {
  cells: string[];
  line: number;
  flagged?: Record<number, string>;
}

/** A line to hand to the line parser: its text and 1-based number. */
export type ParserLine = [string, number];

/**
 * Sits in front of the line parser (./csv-rows.ts): `lines` says which lines the parser sees;
 * `hold` takes its rows while the file is an ONS one, `release` gives back those read at the end.
 */
export class OnsLayout {
  private state: 'first' | 'title' | 'ons' | 'off';
  private title: FileLine | undefined;
  private meta: { count: number; first: FileLine; cdid?: string; name?: string } | undefined;
  private readonly rows: CsvRow[] = [];
  private sawRow = false;

  /**
   * `skipRows` > 0 (--skip-rows): the user said where the header is; no layout is looked for.
   * `frequency` (--frequency): the block to read, instead of the finest; `path` names the file in errors.
   */
  constructor(skipRows = 0, private readonly frequency?: OnsFrequency, private readonly path = '') {
    this.state = skipRows > 0 ? 'off' : 'first';
    if (skipRows > 0 && frequency !== undefined) throw dataError(ErrorCodes.CLI_USAGE, `${path}: --frequency is for a UK ONS time series download, which is recognised by its first lines; with --skip-rows none is looked for: leave one of them out`);
  }

  /** The layout is not an ONS one: --frequency, which reads nothing else, is refused (TC_CLI_USAGE, exit 64). */
  private off(): void {
    this.state = 'off';
    if (this.frequency === undefined) return;
    throw dataError(ErrorCodes.CLI_USAGE, `${this.path}: --frequency ${this.frequency} picks the rows of one frequency in a UK ONS time series download (first lines "Title", "CDID"), and this file is not one; leave --frequency out`);
  }

  get active(): boolean {
    return this.state === 'ons';
  }

  /** The lines the parser is to see for this one (none while the first line is held, two when it is let go). */
  lines(text: string, lineNo: number): ParserLine[] {
    if (this.state === 'off' || text.trim() === '') return [[text, lineNo]];
    if (this.state === 'first') {
      if (firstCell(text).toLowerCase() !== 'title') this.off();
      else {
        this.state = 'title';
        this.title = { text: text.replace(/^\ufeff/, '').trim(), lineNo };
        return [];
      }
      return [[text, lineNo]];
    }
    if (this.state === 'title') return this.second(text, lineNo);
    if (this.sawRow || Number.isFinite(parseTimestamp(firstCell(text))) || onsFrequency(firstCell(text)) !== undefined) {
      this.sawRow = true;
      return [[text, lineNo]];
    }
    this.metadata(text);
    return [];
  }

  /**
   * At the end of the file, before its header is asked for: a first line `Title` still held (the
   * file ended below it) is let go as written, a header like any other (until 7 Dec 2026, night, a
   * file of just the header `Title,Value` was "the file is empty").
   */
  ended(): ParserLine[] {
    if (this.state !== 'title') return [];
    this.state = 'off';
    return [[this.title!.text, this.title!.lineNo]];
  }

  /** The line below `Title`: `CDID` makes the file an ONS one (the parser gets its header); else both lines go to the parser as written. */
  private second(text: string, lineNo: number): ParserLine[] {
    const title = this.title!;
    if (firstCell(text).toLowerCase() !== 'cdid') {
      this.off();
      return [[title.text, title.lineNo], [text, lineNo]];
    }
    this.state = 'ons';
    this.meta = { count: 1, first: title, name: splitCsvLine(title.text)[1] };
    this.metadata(text);
    return [[ONS_HEADER, title.lineNo]];
  }

  /** A metadata line (`"Unit","%"`): counted; the series' CDID kept for the note. */
  private metadata(text: string): void {
    const m = this.meta!;
    m.count++;
    const cells = splitCsvLine(text);
    if (cells[0].toLowerCase() === 'cdid') m.cdid = cells[1];
  }

  /** Keep the parser's rows until the file ends. */
  hold(rows: readonly CsvRow[]): void {
    for (const r of rows) this.rows.push(r);
  }

  /** At the end of the file: the rows of the finest frequency held (and any row of no ONS period, which reads or is refused as any row), oldest block first. */
  release(): CsvRow[] {
    const chosen = this.chosen();
    const out = this.rows.filter((r) => {
      const f = onsFrequency(r.cells[0]);
      return f === undefined || f === chosen;
    });
    if (chosen === 'annual') for (const r of out) if (onsFrequency(r.cells[0]) === 'annual') yearToDate(r);
    return out;
  }

  /** What the file held, for the note on stderr; undefined for a file that is not an ONS one. */
  skipped(): SkippedLines | undefined {
    if (this.meta === undefined) return undefined;
    const counts = this.counts();
    const chosen = this.chosen();
    const held = FREQUENCIES.filter((f) => counts[f] > 0).map((f) => `${counts[f]} ${f}`);
    const left = FREQUENCIES.filter((f) => f !== chosen).reduce((n, f) => n + counts[f], 0);
    const series = [this.meta.cdid && `CDID ${this.meta.cdid}`, this.meta.name && JSON.stringify(this.meta.name)].filter(Boolean).join(', ');
    const why = this.frequency === undefined ? 'the finest is read; --frequency picks another' : `--frequency ${this.frequency}`;
    const rows = held.length <= 1 ? `its rows ${chosen ?? 'none'}` : `rows of ${held.length} frequencies (${held.join(', ')}): the ${chosen} rows read, the ${left} others not (one series has one step; ${why})`;
    const detail = `an ONS time series${series ? ` (${series})` : ''}, read as columns timestamp, value; ${rows}`;
    return { count: this.meta.count, first: this.meta.first, by: 'ons', detail };
  }

  private counts(): Record<OnsFrequency, number> {
    const counts = { annual: 0, quarterly: 0, monthly: 0 };
    for (const r of this.rows) {
      const f = onsFrequency(r.cells[0]);
      if (f !== undefined) counts[f]++;
    }
    return counts;
  }

  private chosen(): OnsFrequency | undefined {
    const counts = this.counts();
    if (this.frequency === undefined) return FREQUENCIES.find((f) => counts[f] > 0);
    if (counts[this.frequency] > 0) return this.frequency;
    const held = FREQUENCIES.filter((f) => counts[f] > 0).map((f) => `${counts[f]} ${f}`);
    throw dataError(ErrorCodes.DATA_TOO_SHORT, `${this.path}: --frequency ${this.frequency}: this ONS time series has no ${this.frequency} rows (it has ${held.join(', ') || 'no rows'}); pick one of those, or leave --frequency out for the finest`);
  }
}

/** An annual row's year as 1 January (`2019` → `2019-01-01`), the file's cell kept in `flagged`. */
function yearToDate(row: CsvRow): void {
  (row.flagged ??= {})[0] = row.cells[0];
  row.cells[0] = `${row.cells[0]}-01-01`;
}
