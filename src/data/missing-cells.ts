/**
 * A table's missing cells (NaN: an empty, `NA`, `NaN`, … cell that ./table.ts kept under
 * `missing: 'fill' | 'skip'`) resolved as the service resolves the readings a feed lacks, then
 * the rows the file lost on its clock filled in (./fill-rows.ts), so `train` and `backtest` see the
 * windows the service would build from the same readings:
 * - 'fill' (the CLI's default): a row that lacks some of its columns keeps them carried forward
 *   from the row before, as the window store carries a feature a tick lacks
 *   (`input.missingFeature: carry`); a row that lacks all of them is a reading that did not come:
 *   dropped, so `--fill-missed` fills it in between its neighbours like any lost row (the service
 *   dead-letters a tick with none of its features, and the window store fills the missed reading).
 *   Rows before a column's first value have nothing to carry and are dropped (the store's
 *   `incomplete`).
 * - 'skip': every row that lacks any column is dropped (and, on a clock, filled in as lost).
 * In a backtest a window whose forecast span holds a carried or filled-in target is not scored
 * (`filled`), so no error is measured against a made-up value.
 */
import { ErrorCodes } from '../errors/index.ts';
import { dataError } from './csv.ts';
import type { MissingPolicy } from './missing-marks.ts';
import { fillLostRows, type FilledTable } from './fill-rows.ts';
import type { SeriesTable } from './table.ts';

/** What was missing and what became of it, for the commands' JSON results. */
export interface MissingSummary {
  policy: MissingPolicy;
  /** Missing cells in the columns read, in all. */
  cells: number;
  /** Missing cells per column (only columns that had any). */
  byColumn: Record<string, number>;
  /** Rows dropped for their missing cells (before --fill-missed filled lost rows back in). */
  droppedRows: number;
  /** Cells carried forward from the row before ('fill'). */
  carriedCells: number;
}

export interface GapFilledTable extends FilledTable {
  missing: MissingSummary;
}

/** `table` with its missing cells resolved by `policy` and its lost rows filled in (up to `maxFill`; `logFeatures` interpolated in ln). */
export function fillGaps(table: SeriesTable, policy: MissingPolicy, maxFill: number, logFeatures: readonly string[] = []): GapFilledTable {
  const byColumn: Record<string, number> = {};
  let cells = 0;
  table.columns.forEach((col, f) => {
    const n = col.reduce((k, v) => k + (Number.isNaN(v) ? 1 : 0), 0);
    if (n > 0) byColumn[table.features[f]] = n;
    cells += n;
  });
  const summary: MissingSummary = { policy, cells, byColumn, droppedRows: 0, carriedCells: 0 };
  if (cells === 0) return { ...fillLostRows(table, maxFill, logFeatures), missing: summary };
  const keep = keptRows(table, policy);
  if (keep.length === 0) throw allDropped(table, byColumn);
  summary.droppedRows = table.rows - keep.length;
  const filled = fillLostRows(pickRows(table, keep), maxFill, logFeatures);
  summary.carriedCells = carryForward(filled);
  return { ...filled, missing: summary };
}

/** The rows a policy keeps: 'skip' those with no missing cell; 'fill' those with some value, once every column has had one. */
function keptRows(table: SeriesTable, policy: MissingPolicy): number[] {
  const seen = table.columns.map(() => false);
  const keep: number[] = [];
  for (let r = 0; r < table.rows; r++) {
    const present = table.columns.map((col) => !Number.isNaN(col[r]));
    present.forEach((p, f) => (seen[f] ||= p));
    const ok = policy === 'skip' ? present.every(Boolean) : present.some(Boolean) && seen.every(Boolean);
    if (ok) keep.push(r);
  }
  return keep;
}

/**
 * 'skip' that leaves no row (every row lacks some column): said as it is, with the columns; until
 * 7 Dec 2026 the empty table reached `train` as "the train span has room for 0 windows; use a shorter --window".
 */
function allDropped(table: SeriesTable, byColumn: Record<string, number>): Error {
  const cols = Object.entries(byColumn).map(([c, n]) => `${c} ${n}`).join(', ');
  return dataError(
    ErrorCodes.DATA_TOO_SHORT,
    `${table.path}: every one of its ${table.rows} rows lacks a cell in a column read (${cols}); --missing skip drops each such row, so none is left: use --missing fill (carry the value before), or, for train, leave a sparse column out with --features`,
    { rows: table.rows, missingByColumn: byColumn },
  );
}

function pickRows(table: SeriesTable, keep: readonly number[]): SeriesTable {
  const pick = (a: Float64Array): Float64Array => Float64Array.from(keep, (r) => a[r]);
  return { ...table, rows: keep.length, timesMs: pick(table.timesMs), columns: table.columns.map(pick) };
}

/** Carry each NaN cell forward from the row before, in place; rows where a target was carried are marked in `filled`. Returns the cells carried. */
function carryForward(t: FilledTable): number {
  let carried = 0;
  t.table.columns.forEach((col, f) => {
    const target = t.table.targetIndex.includes(f);
    for (let r = 1; r < col.length; r++) {
      if (!Number.isNaN(col[r])) continue;
      col[r] = col[r - 1];
      carried++;
      if (target) t.filled[r] = 1;
    }
  });
  return carried;
}
