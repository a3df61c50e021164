/**
 * The ordered-quantile chain as one constant [Q,Q] matrix A, shared by the tfjs forward
 * (./ops.ts orderedQuantiles) and the ONNX export (./onnx/export-hybrid.ts). With v = r at the
 * median column m and softplus(r) elsewhere, y = base + v·A gives y_m = base + r_m, above the
 * median y_k = y_{k-1} + softplus(r_k), below y_k = y_{k+1} − softplus(r_k).
 */
export function quantileChainMatrix(Q: number, m: number): Float32Array {
  const A = new Float32Array(Q * Q);
  for (let k = 0; k < Q; k++) {
    A[m * Q + k] = 1; // every quantile starts from the median
    for (let j = m + 1; j <= k; j++) A[j * Q + k] = 1; // above: + Σ_{m<j≤k} softplus(r_j)
    for (let j = k; j < m; j++) A[j * Q + k] = -1; // below: − Σ_{k≤j<m} softplus(r_j)
  }
  return A;
}
