/* See tile.h. Rows of x go to their places in out first; then, innermost axis first, every filled
 * block is replicated along its axis (a fill for a single value, else doubling copies). */
#include "tile.h"

#include <string.h>

static void replicate(float *base, int64_t len, int64_t total) {
  if (len == 1) {
    const float v = base[0];
    for (int64_t i = 1; i < total; i++) base[i] = v;
    return;
  }
  for (int64_t filled = len; filled < total;) {
    const int64_t n = filled < total - filled ? filled : total - filled;
    memcpy(base + filled, base, (size_t)n * sizeof(float));
    filled += n;
  }
}

/* Calls fn for every index over axes [0, upto) inside x's extent, with its offset in out. */
static void each_prefix(int upto, const int64_t *x_shape, const int64_t *out_stride, float *out, int64_t block,
                        int64_t total, const float *x, int64_t inner, int place_rows) {
  int64_t idx[TC_TILE_MAX_RANK] = {0};
  int64_t row = 0;
  for (;;) {
    int64_t off = 0;
    for (int a = 0; a < upto; a++) off += idx[a] * out_stride[a];
    if (place_rows) memcpy(out + off, x + row * inner, (size_t)inner * sizeof(float));
    else replicate(out + off, block, total);
    row++;
    int a = upto - 1;
    while (a >= 0 && ++idx[a] == x_shape[a]) idx[a--] = 0;
    if (a < 0) return;
  }
}

void tc_tile(const float *x, const int64_t *x_shape, const int64_t *reps, int rank, float *out) {
  int64_t out_stride[TC_TILE_MAX_RANK];
  int64_t s = 1;
  for (int a = rank - 1; a >= 0; a--) {
    out_stride[a] = s;
    s *= x_shape[a] * reps[a];
  }
  const int64_t inner = x_shape[rank - 1];
  each_prefix(rank - 1, x_shape, out_stride, out, 0, 0, x, inner, 1);
  for (int a = rank - 1; a >= 0; a--) {
    if (reps[a] == 1) continue;
    const int64_t block = x_shape[a] * out_stride[a];
    each_prefix(a, x_shape, out_stride, out, block, block * reps[a], x, inner, 0);
  }
}
