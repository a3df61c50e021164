/**
 * The sums behind the seasonal view's autocorrelation (seasonal-view.ts): detrending, and the
 * lagged products Σ y[i]·y[i−L], computed several lags per pass but each sum in the order of the
 * plain loop, so the period search sees the same values to the last bit.
 */

/**
 * out[L] = Σ_{i=L}^{n−1} y[i]·y[i−L] for L = 0 … maxL, each sum accumulated in that order (so the
 * same value as one loop per lag), four lags per pass over y: four independent chains of adds
 * instead of one (the period search was ~17 % of a steady-state tick).
 */
export function lagSums(y: Float64Array, n: number, maxL: number, out: Float64Array): void {
  let L = 0;
  for (; L + 3 <= maxL; L += 4) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    // The first terms of the shorter lags (i < L + 3), then all four together.
    for (let i = L; i < L + 3; i++) {
      s0 += y[i] * y[i - L];
      if (i >= L + 1) s1 += y[i] * y[i - L - 1];
      if (i >= L + 2) s2 += y[i] * y[i - L - 2];
    }
    let s3 = 0;
    for (let i = L + 3; i < n; i++) {
      const v = y[i];
      s0 += v * y[i - L];
      s1 += v * y[i - L - 1];
      s2 += v * y[i - L - 2];
      s3 += v * y[i - L - 3];
    }
    out[L] = s0;
    out[L + 1] = s1;
    out[L + 2] = s2;
    out[L + 3] = s3;
  }
  for (; L <= maxL; L++) {
    let s = 0;
    for (let i = L; i < n; i++) s += y[i] * y[i - L];
    out[L] = s;
  }
}

/** Subtract the least-squares line from y[0..n). */
export function detrend(y: Float64Array, n: number): void {
  const mt = (n - 1) / 2;
  let my = 0;
  for (let i = 0; i < n; i++) my += y[i];
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - mt) * (y[i] - my);
    sxx += (i - mt) * (i - mt);
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  for (let i = 0; i < n; i++) y[i] -= my + b * (i - mt);
}
