/* See layernorm.h. The same math as src/model/ops.ts's layerNorm (biased variance, eps inside the
 * square root) and the gate of src/model/hybrid-model.ts; the backward is the closed form
 * dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) with dx̂ = dy·gamma. Sums along a row are float, in
 * eight running sums; dgamma and dbeta add rows in float, as the Sum kernel does. */
#include "layernorm.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "simd.h"

/* x = h, or s + σ(a)·(h − s) (g = σ(a) kept when asked); σ is lstm.c's rational one (within ~1e-7). */
TC_VECTOR_CLONES
static void input_row(int D, const float *h, const float *s, const float *a, float *restrict x, float *restrict g) {
  if (!s) {
    for (int j = 0; j < D; j++) x[j] = h[j];
    return;
  }
  for (int j = 0; j < D; j++) {
    const float gj = sigmoid_f(a[j]);
    if (g) g[j] = gj;
    x[j] = s[j] + gj * (h[j] - s[j]);
  }
}

/* Eight floats as one value (GCC/Clang vector extension, as in gemm.c). */
typedef float v8 __attribute__((vector_size(32)));

/* Σ a[j]·b[j] over a row (Σ a[j] when b is NULL), in eight running sums so that it vectorises (a
 * fixed order: the same bits every run). */
static float row_dot(const float *a, const float *b, int D) {
  v8 acc = {0};
  int j = 0;
  for (; j + 8 <= D; j += 8) {
    v8 x;
    memcpy(&x, a + j, sizeof x);
    if (b) {
      v8 y;
      memcpy(&y, b + j, sizeof y);
      x *= y;
    }
    acc += x;
  }
  float sum = 0;
  for (int i = 0; i < 8; i++) sum += acc[i];
  for (; j < D; j++) sum += b ? a[j] * b[j] : a[j];
  return sum;
}

/* Mean and 1/√(var + eps) of a row; dev receives x − mean. */
static void row_stats(int D, const float *x, float *dev, float eps, float *mean, float *rstd) {
  const float mu = row_dot(x, NULL, D) / D;
  for (int j = 0; j < D; j++) dev[j] = x[j] - mu;
  *mean = mu;
  *rstd = 1.f / sqrtf(row_dot(dev, dev, D) / D + eps);
}

TC_VECTOR_CLONES
static void normalise_row(int D, const float *restrict x, float mean, float rstd, const float *restrict gamma,
                          const float *restrict beta, float *restrict y) {
  for (int j = 0; j < D; j++) y[j] = (x[j] - mean) * rstd * gamma[j] + beta[j];
}

int tc_layer_norm_forward(const float *h, const float *s, const float *a, int rows, int D, const float *gamma,
                          const float *beta, float eps, float *y, float *mean, float *rstd) {
  float *x = malloc((size_t)D * 2 * sizeof(float));
  if (!x) return -1;
  for (int r = 0; r < rows; r++) {
    const size_t o = (size_t)r * D;
    input_row(D, h + o, s ? s + o : NULL, a ? a + o : NULL, x, NULL);
    row_stats(D, x, x + D, eps, &mean[r], &rstd[r]);
    normalise_row(D, x, mean[r], rstd[r], gamma, beta, y + o);
  }
  free(x);
  return 0;
}

/* One row's dx from dy; accumulates dgamma and dbeta. x̂ is written over x, dy·gamma into d. */
TC_VECTOR_CLONES
static void backward_row(int D, float *restrict x, float *restrict d, float mean, float rstd,
                         const float *restrict gamma, const float *restrict dy, float *restrict dx,
                         float *restrict dgamma, float *restrict dbeta) {
  for (int j = 0; j < D; j++) {
    const float xh = (x[j] - mean) * rstd;
    x[j] = xh;
    d[j] = dy[j] * gamma[j];
    dgamma[j] += dy[j] * xh;
    dbeta[j] += dy[j];
  }
  const float m_d = row_dot(d, NULL, D) / D, m_dx = row_dot(d, x, D) / D;
  for (int j = 0; j < D; j++) dx[j] = rstd * (d[j] - m_d - x[j] * m_dx);
}

int tc_layer_norm_backward(const float *h, const float *s, const float *a, int rows, int D, const float *gamma,
                           const float *mean, const float *rstd, const float *dy, float *dh, float *ds, float *da,
                           float *dgamma, float *dbeta) {
  float *x = malloc((size_t)D * 4 * sizeof(float));
  if (!x) return -1;
  float *g = x + D, *dx = x + 2 * D, *d = x + 3 * D;
  for (int j = 0; j < D; j++) dgamma[j] = dbeta[j] = 0;
  for (int r = 0; r < rows; r++) {
    const size_t o = (size_t)r * D;
    input_row(D, h + o, s ? s + o : NULL, a ? a + o : NULL, x, g);
    backward_row(D, x, d, mean[r], rstd[r], gamma, dy + o, s ? dx : dh + o, dgamma, dbeta);
    if (!s) continue;
    for (int j = 0; j < D; j++) {
      const float gj = g[j], d = dx[j];
      dh[o + j] = d * gj;
      ds[o + j] = d * (1.f - gj);
      da[o + j] = d * (h[o + j] - s[o + j]) * gj * (1.f - gj);
    }
  }
  free(x);
  return 0;
}
