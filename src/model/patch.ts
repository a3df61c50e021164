/**
 * Patch tokens (docs/model.md §2): the window [W] is cut into N patches of P steps every S
 * steps, aligned to the window's end, so patch n covers steps t0 + n·S … t0 + n·S + P − 1 and the
 * last patch ends at the newest step. Plain-JS constant matrices shared by the tfjs model and the
 * ONNX exporter, so both cut and map back identically. No tfjs here.
 */
import type { ModelDims } from './weight-names.ts';

type PatchDims = Pick<ModelDims, 'W' | 'P' | 'S' | 'N' | 't0'>;

/** True when every token is one time step (the per-step model): no unfolding, no mapping back. */
export function isPerStep(d: PatchDims): boolean {
  return d.P === 1 && d.S === 1;
}

/** First step of patch n. */
export function patchStart(d: PatchDims, n: number): number {
  return d.t0 + n * d.S;
}

/**
 * 0/1 unfold matrix U [W, N·P]: (x [·, W] · U)[n·P + p] = x[start(n) + p]. A matmul instead of a
 * gather or strided slices (wasm has no gather gradient and its slice copies the whole input).
 */
export function unfoldMatrix(d: PatchDims): Float32Array {
  const { W, P, N } = d;
  const u = new Float32Array(W * N * P);
  for (let n = 0; n < N; n++) {
    const s = patchStart(d, n);
    for (let p = 0; p < P; p++) u[(s + p) * N * P + n * P + p] = 1;
  }
  return u;
}

/**
 * Token → time-step map M [N, W] with M[n, w] = 1/P when step w is in patch n: alpha_time =
 * alpha_tokens · M spreads each token's attention evenly over its steps. Rows of alpha_time still
 * sum to 1 (each token's row of M sums to 1); steps before t0 (in no patch) get 0, and with
 * overlapping patches a step collects from every patch that covers it.
 */
export function tokenToTimeMatrix(d: PatchDims): Float32Array {
  const { W, P, N } = d;
  const m = new Float32Array(N * W);
  for (let n = 0; n < N; n++) {
    const s = patchStart(d, n);
    for (let p = 0; p < P; p++) m[n * W + s + p] = 1 / P;
  }
  return m;
}
