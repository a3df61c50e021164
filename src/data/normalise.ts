/**
 * Per-column z-score with statistics from the training span only (no look-ahead into validation
 * or test rows). The same numbers go into the model artifact so that serving and backtests
 * normalise exactly as training did.
 */
export interface ZScoreStats {
  /** Column names, in the order of mean/std. */
  columns: string[];
  mean: number[];
  /** Population standard deviation; 1 for a constant column (so it normalises to 0, not NaN). */
  std: number[];
}

/** Fit mean/std of each column over rows [0, endRow). */
export function fitZScore(names: readonly string[], columns: readonly Float64Array[], endRow: number): ZScoreStats {
  const mean: number[] = [];
  const std: number[] = [];
  for (const col of columns) {
    let sum = 0;
    for (let r = 0; r < endRow; r++) sum += col[r];
    const m = sum / endRow;
    let ss = 0;
    for (let r = 0; r < endRow; r++) ss += (col[r] - m) ** 2;
    const sd = Math.sqrt(ss / endRow);
    mean.push(m);
    std.push(sd > 1e-12 ? sd : 1);
  }
  return { columns: [...names], mean, std };
}

/** Normalised values as one row-major Float32Array [rows, columns]. */
export function applyZScore(columns: readonly Float64Array[], stats: ZScoreStats): Float32Array {
  const rows = columns.length === 0 ? 0 : columns[0].length;
  const f = columns.length;
  const out = new Float32Array(rows * f);
  for (let c = 0; c < f; c++) {
    const col = columns[c];
    const m = stats.mean[c];
    const s = stats.std[c];
    for (let r = 0; r < rows; r++) out[r * f + c] = (col[r] - m) / s;
  }
  return out;
}

/** Reorder stats to `names` (e.g. a model's feature order); throws on a missing name. */
export function selectStats(stats: ZScoreStats, names: readonly string[]): ZScoreStats {
  const idx = names.map((n) => {
    const i = stats.columns.indexOf(n);
    if (i < 0) throw new Error(`normalisation statistics have no column ${JSON.stringify(n)}`);
    return i;
  });
  return { columns: [...names], mean: idx.map((i) => stats.mean[i]), std: idx.map((i) => stats.std[i]) };
}
