/* See lstm.h. */
#include "lstm.h"

#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "gemm.h"
#include "simd.h"

/* The gate math of one batch row at one step. */
TC_VECTOR_CLONES
static void forward_row(int Hh, const float *restrict xp, const float *restrict hk, float *restrict g, float *restrict c,
                        float *restrict h, float *restrict tc_out, float *restrict cp_out, float *restrict hp_out,
                        float *restrict y) {
  for (int j = 0; j < Hh; j++) {
    const float ig = sigmoid_f(xp[j] + hk[j]);
    const float fg = sigmoid_f(xp[Hh + j] + hk[Hh + j]);
    const float gg = tanh_f(xp[2 * Hh + j] + hk[2 * Hh + j]);
    const float og = sigmoid_f(xp[3 * Hh + j] + hk[3 * Hh + j]);
    g[j] = ig;
    g[Hh + j] = fg;
    g[2 * Hh + j] = gg;
    g[3 * Hh + j] = og;
    const float cp = c[j];
    cp_out[j] = cp;
    hp_out[j] = h[j];
    const float cn = fg * cp + ig * gg;
    const float tc = tanh_f(cn);
    c[j] = cn;
    tc_out[j] = tc;
    const float hn = og * tc;
    h[j] = hn;
    y[j] = hn;
  }
}

int tc_lstm_forward(const float *xp, const float *kh, int B, int W, int Hh, int reverse, float *y, int y_stride,
                    int y_offset, float *gates, float *tanh_c, float *c_prev, float *h_prev) {
  const int G = 4 * Hh;
  float *h = calloc((size_t)B * Hh, sizeof(float));
  float *c = calloc((size_t)B * Hh, sizeof(float));
  float *hk = calloc((size_t)B * G, sizeof(float));
  if (!h || !c || !hk) {
    free(h);
    free(c);
    free(hk);
    return -1;
  }
  for (int s = 0; s < W; s++) {
    const int t = reverse ? W - 1 - s : s;
    if (s > 0) tc_sgemm(0, 0, B, G, Hh, h, kh, hk, NULL, 0); /* h_{t-1}·Kh; zero at the first step */
    for (int b = 0; b < B; b++) {
      const size_t bt = (size_t)b * W + t;
      forward_row(Hh, xp + bt * G, hk + (size_t)b * G, gates + bt * G, c + (size_t)b * Hh, h + (size_t)b * Hh,
                  tanh_c + bt * Hh, c_prev + bt * Hh, h_prev + bt * Hh, y + bt * y_stride + y_offset);
    }
  }
  free(h);
  free(c);
  free(hk);
  return 0;
}

TC_VECTOR_CLONES
static void backward_row(int Hh, const float *restrict g, const float *restrict tc_in, const float *restrict cp_in,
                         const float *restrict dy, const float *restrict dh_next, float *restrict dc_next,
                         float *restrict dz) {
  for (int j = 0; j < Hh; j++) {
    const float ig = g[j], fg = g[Hh + j], gg = g[2 * Hh + j], og = g[3 * Hh + j];
    const float tc = tc_in[j];
    const float dh = dy[j] + dh_next[j];
    const float dc = dh * og * (1.f - tc * tc) + dc_next[j];
    const float v0 = dc * gg * ig * (1.f - ig);
    const float v1 = dc * cp_in[j] * fg * (1.f - fg);
    const float v2 = dc * ig * (1.f - gg * gg);
    const float v3 = dh * tc * og * (1.f - og);
    dz[j] = v0;
    dz[Hh + j] = v1;
    dz[2 * Hh + j] = v2;
    dz[3 * Hh + j] = v3;
    dc_next[j] = dc * fg;
  }
}

int tc_lstm_backward(const float *gates, const float *tanh_c, const float *c_prev, const float *kh, const float *dy,
                     int B, int W, int Hh, int reverse, int y_stride, int y_offset, float *dz_all) {
  const int G = 4 * Hh;
  float *dh_next = calloc((size_t)B * Hh, sizeof(float));
  float *dc_next = calloc((size_t)B * Hh, sizeof(float));
  if (!dh_next || !dc_next) {
    free(dh_next);
    free(dc_next);
    return -1;
  }
  for (int s = W - 1; s >= 0; s--) {
    const int t = reverse ? W - 1 - s : s;
    for (int b = 0; b < B; b++) {
      const size_t bt = (size_t)b * W + t;
      backward_row(Hh, gates + bt * G, tanh_c + bt * Hh, c_prev + bt * Hh, dy + bt * y_stride + y_offset,
                   dh_next + (size_t)b * Hh, dc_next + (size_t)b * Hh, dz_all + bt * G);
    }
    /* dh_{t-1} = dz_t·Khᵀ (Kh stored [Hh,4Hh]), dz_t being step t's rows of dZ (row stride W·4Hh);
     * not needed after this direction's first step */
    if (s > 0) tc_sgemm_lda(0, 1, B, Hh, G, dz_all + (size_t)t * G, W * G, kh, dh_next, NULL, 0);
  }
  free(dh_next);
  free(dc_next);
  return 0;
}
