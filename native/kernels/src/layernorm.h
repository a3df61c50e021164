/* LayerNorm over the last axis, forward and backward in one pass over each row each, optionally
 * with the hybrid model's gated skip in front: x = s + σ(a)·(h − s) (src/model/fused-layer-norm.ts,
 * docs/native-kernels.md). Arrays are row-major [rows, D]; gamma, beta, dgamma, dbeta are [D];
 * mean and rstd are [rows]. */
#ifndef TICKCAST_LAYERNORM_H
#define TICKCAST_LAYERNORM_H

/* y = (x − mean)·rstd·gamma + beta with rstd = 1/√(var + eps); x = h, or the gated skip when s and
 * a are given (both or neither). Writes mean and rstd of every row for the backward pass. Returns
 * 0, or -1 when out of memory. */
int tc_layer_norm_forward(const float *h, const float *s, const float *a, int rows, int D, const float *gamma,
                          const float *beta, float eps, float *y, float *mean, float *rstd);

/* From dy: dh (and ds, da when s and a are given) [rows, D], and dgamma, dbeta [D] (overwritten).
 * Returns 0, or -1 when out of memory. */
int tc_layer_norm_backward(const float *h, const float *s, const float *a, int rows, int D, const float *gamma,
                           const float *mean, const float *rstd, const float *dy, float *dh, float *ds, float *da,
                           float *dgamma, float *dbeta);

#endif
