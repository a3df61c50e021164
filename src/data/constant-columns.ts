/**
 * Numeric columns that hold one value throughout the file: not default features (./table.ts).
 * An OECD SDMX-CSV download carries attribute columns, `UNIT_MULT` (0) and `DECIMALS` (1), beside
 * `OBS_VALUE`; until 7 Dec 2026 `train` made them features of the model, which then took them
 * from every tick it serves. A column that never varies carries nothing to learn (its z-score is 0
 * in every training window), and a later value other than its one is one the model never saw.
 * Named in --features or --target, such a column is read as before.
 */
import type { CsvColumns } from './columns.ts';

/** Of `cols`, those whose cells that read are one number, in at least two rows, with no cell that is not a number. */
export function constantColumns(csv: CsvColumns, cols: readonly number[]): number[] {
  return cols.filter((c) => {
    const { values, bad } = csv.numbers(c);
    if (bad !== null) return false;
    let first = Number.NaN;
    let count = 0;
    for (const v of values) {
      if (Number.isNaN(v)) continue;
      if (count++ === 0) first = v;
      else if (v !== first) return false;
    }
    return count >= 2;
  });
}

/** `f.csv: 2 columns hold one value throughout, …: UNIT_MULT (0), DECIMALS (1); …` — the stderr words for ../cli/read-notes.ts; undefined for no column. */
export function constantNote(csv: CsvColumns, cols: readonly number[]): string | undefined {
  if (cols.length === 0) return undefined;
  const which = cols.map((c) => `${csv.header[c]} (${csv.numbers(c).values.find((v) => !Number.isNaN(v))})`).join(', ');
  const many = cols.length === 1 ? 'column holds' : `${cols.length} columns hold`;
  return `${csv.path}: ${many} one value throughout, not read as features (nothing to learn from it): ${which}; name it in --features to read it`;
}
