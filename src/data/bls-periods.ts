/**
 * The US Bureau of Labor Statistics' long layout: a column `Year` and a column `Period` whose
 * cells are `M01`–`M13` (month 13: the annual average), `Q01`–`Q05`, `S01`–`S03` or `A01`, as
 * data.bls.gov's CSV (`Series ID,Year,Period,Label,Value`) and the flat files under
 * /pub/time.series/ (`series_id,year,period,value,footnote_codes`) write them. Until 7 Dec 2026 every
 * command refused it: column 0, `Series ID`, was taken as the time (exit 65
 * `time column "Series ID" has "LNS14000000"`).
 *
 * Recognised by its header (columns named `year` and `period`, any case) and its first row's
 * period cell; the two columns are read as one, `timestamp`, in the year's place: `2014`,`M01` →
 * `2014-01`; `Q01` → `2014-Q1`; `S01` → `2014-S1`; `A01` → `2014-01-01`. The rows of an annual
 * average within a finer series (`M13`, `Q05`, `S03`) are left out (one series has one step), and
 * the whole is said in one note (CsvRows.decimalNote, with the file's other notes).
 */
import { columnNameKey } from './column-name.ts';

/** A data row as ./csv-rows.ts gives it (declared here so the import runs one way). */
interface CsvRow {
  cells: string[];
  line: number;
  flagged?: Record<number, string>;
}

const PERIOD = /^([MQSA])(\d\d)$/i;
/** The period that is the annual average of a finer series, by its letter. */
const AVERAGE: Readonly<Record<string, string>> = { M: '13', Q: '05', S: '03' };

/** The time a BLS year and period are read as; undefined for an annual average (M13, Q05, S03); the cells joined as written for a period that is not one. */
export function blsTime(year: string, period: string): string | undefined {
  const m = PERIOD.exec(period);
  if (m === null) return `${year} ${period}`;
  const kind = m[1].toUpperCase();
  if (AVERAGE[kind] === m[2]) return undefined;
  if (kind === 'M') return `${year}-${m[2]}`;
  if (kind === 'A') return `${year}-01-01`;
  return `${year}-${kind}${Number(m[2])}`;
}

/** Sits behind the line parser (./csv-rows.ts): once its header and first row are seen, it reads the year and period as one column, or stands aside. */
export class BlsPeriods {
  private cols: { year: number; period: number } | null | undefined;
  private averages: { count: number; line: number; period: string } | undefined;
  private periods = '';

  /** The header the rest of the reader sees: the year's column named `timestamp`, the period's gone. */
  header(header: string[]): string[] {
    const c = this.cols;
    if (!c) return header;
    return header.flatMap((h, i) => (i === c.period ? [] : i === c.year ? ['timestamp'] : [h]));
  }

  /** The parser's rows, the year and period joined (annual averages left out), once the layout is known; as given for any other file. */
  rows(header: readonly string[] | null, rows: CsvRow[]): CsvRow[] {
    if (rows.length === 0 || header === null) return rows;
    if (this.cols === undefined) this.cols = this.find(header, rows[0]);
    const c = this.cols;
    if (c === null) return rows;
    const out: CsvRow[] = [];
    for (const r of rows) {
      const period = r.cells[c.period] ?? '';
      const time = blsTime(r.cells[c.year] ?? '', period);
      if (time === undefined) {
        this.averages ??= { count: 0, line: r.line, period };
        this.averages.count++;
        continue;
      }
      r.cells = r.cells.flatMap((cell, i) => (i === c.period ? [] : i === c.year ? [time] : [cell]));
      out.push(r);
    }
    return out;
  }

  /** What was done, in words, for stderr; undefined for a file of another layout. */
  note(path: string): string | undefined {
    if (!this.cols) return undefined;
    const left = this.averages === undefined ? '' : `; ${this.averages.count} row${this.averages.count === 1 ? '' : 's'} of an annual average (${this.averages.period.toUpperCase()}: the mean of the year's periods, not a period) not read, the first, line ${this.averages.line}`;
    return `${path}: a BLS layout (columns ${this.periods}): read as one column, timestamp (2014, M01 → 2014-01; Q01 → 2014-Q1; A01 → 2014-01-01)${left}`;
  }

  private find(header: readonly string[], first: CsvRow): { year: number; period: number } | null {
    const year = header.findIndex((h) => columnNameKey(h) === 'year');
    const period = header.findIndex((h) => columnNameKey(h) === 'period');
    if (year < 0 || period < 0 || !/^\d{4}$/.test(first.cells[year] ?? '') || !PERIOD.test(first.cells[period] ?? '')) return null;
    this.periods = `${JSON.stringify(header[year])} and ${JSON.stringify(header[period])}`;
    return { year, period };
  }
}
