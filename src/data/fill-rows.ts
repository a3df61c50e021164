/**
 * Rows a file read on a clock lost, filled in as the service's window store fills the readings a
 * feed misses (`windows.fillMissed`, src/domain/window-series.ts): the same gap clock decides which
 * late rows follow lost ones (up to `maxFill`), and they are filled at the clock's times by linear
 * interpolation between the rows either side (geometric for a column modelled as ln(value); a NaN
 * cell carries the last value). In hours the file is closed (a market's nights and weekends,
 * src/domain/closures.ts) nothing is filled, as the service does for a model trained on such a
 * file (`windows.openHours: auto`). So `tickcast train` trains on the windows the model is served:
 * a linear model trained on M4 Hourly rows with 10 % lost as they came, served filled windows,
 * errs 2.4× more than one trained on the filled rows (docs/model.md § Training data).
 */
import { GapClock } from '../domain/gap-clock.ts';
import { filledTime, filledValue } from '../domain/window-series.ts';
import { closuresIn, trainedAcrossClosures } from '../domain/closures.ts';
import type { SeriesTable } from './table.ts';

export interface FilledTable {
  table: SeriesTable;
  /** 1 for a row filled in (length: the new table's rows). */
  filled: Uint8Array;
  /** Rows filled in. */
  count: number;
  /** Whether closures were left out (the file has them: trainedAcrossClosures). */
  openHours: boolean;
}

/**
 * `table` with its lost rows filled in (see the file comment); the table itself when there is
 * nothing to fill, no time column, or `maxFill` is 0. `logFeatures`: columns interpolated in ln.
 */
export function fillLostRows(table: SeriesTable, maxFill: number, logFeatures: readonly string[] = []): FilledTable {
  const none = { table, filled: new Uint8Array(table.rows), count: 0, openHours: false };
  if (maxFill <= 0 || table.timeCol === null) return none;
  const openHours = trainedAcrossClosures(closuresIn(table.timesMs, maxFill));
  const clock = new GapClock();
  const missedBefore = new Int32Array(table.rows);
  let count = 0;
  for (let r = 0; r < table.rows; r++) {
    const m = clock.tick(table.timesMs[r], maxFill + 1, 0, true, openHours).missed;
    missedBefore[r] = r > 0 ? m : 0;
    count += missedBefore[r];
  }
  if (count === 0) return { ...none, openHours };
  const rows = table.rows + count;
  const timesMs = new Float64Array(rows);
  const filled = new Uint8Array(rows);
  const columns = table.columns.map(() => new Float64Array(rows));
  const log = table.features.map((f) => logFeatures.includes(f));
  let out = 0;
  for (let r = 0; r < table.rows; r++) {
    const n = missedBefore[r];
    for (let k = 1; k <= n; k++, out++) {
      const frac = k / (n + 1);
      timesMs[out] = filledTime(table.timesMs[r - 1], table.timesMs[r], frac);
      filled[out] = 1;
      table.columns.forEach((col, f) => (columns[f][out] = filledValue(col[r - 1], col[r], frac, log[f])));
    }
    timesMs[out] = table.timesMs[r];
    table.columns.forEach((col, f) => (columns[f][out] = col[r]));
    out++;
  }
  return { table: { ...table, timesMs, columns, rows }, filled, count, openHours };
}
