/**
 * The series column of a long-format file (`timestamp,series,value`) for `tickcast detect`: which
 * column it is, and each row's id checked as the service checks a record's series id
 * (input.seriesPattern), so a bad one stops the run with its file line instead of a dead letter
 * per row. The distinct ids are counted up to `max` (the window store's and the detector's bound
 * for the run): memory is bounded by the series, not by the rows.
 */
import { dataError } from '../data/csv.ts';
import { columnNameKey } from '../data/column-name.ts';
import { ErrorCodes } from '../errors/index.ts';
import { seriesRefusal } from '../domain/series-refusal.ts';

/** The column found by name when --series-col is not given: `series`, any case. */
const DEFAULT_NAME = 'series';

/** Without --series-col: the `series` column's index (any case), or -1 without one or when it is one of `read` (--value-col series); -1 for `--series-col none`. */
export function seriesColumn(header: readonly string[], given: 'none' | undefined, read: readonly number[]): number {
  const i = given === 'none' ? -1 : header.findIndex((h) => columnNameKey(h) === DEFAULT_NAME);
  return read.includes(i) ? -1 : i;
}

/**
 * Checks each row's series id; holds the ids seen (at most `max`). `found`: the column was found by
 * its name, not given with --series-col — a file read as one series before 6 Dec 2026 (a label
 * column named series: `CPU usage`, one id per row) — so each refusal also names the way back.
 */
export class SeriesIds {
  readonly #seen = new Set<string>();
  readonly #back: string;

  constructor(
    private readonly path: string,
    private readonly column: string,
    private readonly pattern: RegExp,
    private readonly max: number,
    found = false,
  ) {
    this.#back = found ? '; the column was found by its name: --series-col none reads the file as one series, as before' : '';
  }

  get count(): number {
    return this.#seen.size;
  }

  /** `cell` as the row's series id; TC_DATA_MALFORMED (exit 65) naming file:line when empty, refused by input.seriesPattern, or one series more than `max`. */
  check(cell: string, line: number): string {
    if (this.#seen.has(cell)) return cell;
    const at = `${this.path}:${line}`;
    if (cell === '') throw dataError(ErrorCodes.DATA_MALFORMED, `${at}: column "${this.column}" is empty: every row needs its series id${this.#back}`, { line, column: this.column });
    if (!this.pattern.test(cell)) {
      throw dataError(ErrorCodes.DATA_MALFORMED, `${at}: ${seriesRefusal(cell, this.pattern)} (column "${this.column}")${this.#back}`, { line, column: this.column, series: cell });
    }
    if (this.#seen.size >= this.max) {
      throw dataError(ErrorCodes.DATA_MALFORMED, `${at}: a ${ordinal(this.max + 1)} series, ${JSON.stringify(cell)}, beyond --max-series ${this.max} (each series keeps its own window and detector): raise --max-series, or split the file${this.#back}`, { line, column: this.column, series: cell, maxSeries: this.max });
    }
    this.#seen.add(cell);
    return cell;
  }
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
