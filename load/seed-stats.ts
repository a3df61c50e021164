/** Mean and sample standard deviation (n − 1; 0 for a single value) of per-seed results, for the benchmarks' "mean ± sd" rows. */
export function meanSd(xs: readonly number[]): { m: number; sd: number } {
  const m = xs.reduce((x, y) => x + y, 0) / xs.length;
  return { m, sd: Math.sqrt(xs.reduce((x, y) => x + (y - m) ** 2, 0) / Math.max(1, xs.length - 1)) };
}
