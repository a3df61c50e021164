/* Node-API bindings of the element-wise kernels: dropout masks, tile, LayerNorm (kernels.c says what each takes). */
#include "bindings.h"

#include "dropout.h"
#include "layernorm.h"
#include "napi_args.h"
#include "tile.h"

napi_value tc_bind_dropout_mask(napi_env env, napi_callback_info cb) {
  napi_value argv[3];
  if (!tc_take_args(env, cb, 3, argv, "dropoutMask")) return NULL;
  char seed[32];
  size_t seed_len = 0;
  double keep = 0;
  if (napi_get_value_string_latin1(env, argv[0], seed, sizeof seed, &seed_len) != napi_ok ||
      napi_get_value_double(env, argv[1], &keep) != napi_ok) {
    napi_throw_type_error(env, "ERR_TICKCAST_NATIVE_ARGS", "dropoutMask(seed: string, keep: number, out)");
    return NULL;
  }
  if (seed_len == 0 || seed_len >= sizeof seed - 1 || !(keep > 0 && keep <= 1))
    return tc_range_error(env, "dropoutMask: seed of 1 to 30 characters and keep in (0, 1]");
  float *out = tc_f32_arg(env, argv[2], "out", 0);
  if (!out) return NULL;
  size_t len = 0;
  napi_typedarray_type type;
  CHECK(napi_get_typedarray_info(env, argv[2], &type, &len, NULL, NULL, NULL));
  tc_dropout_mask(seed, seed_len, (float)keep, out, (int64_t)len);
  return NULL;
}

napi_value tc_bind_tile(napi_env env, napi_callback_info cb) {
  napi_value argv[4];
  if (!tc_take_args(env, cb, 4, argv, "tile")) return NULL;
  int64_t off[2];
  if (!tc_int_args(env, argv, 1, 2, off)) return NULL;
  float *heap = tc_f32_arg(env, argv[0], "heap", 0);
  if (!heap) return NULL;
  size_t len = 0, ndims = 0;
  napi_typedarray_type type;
  void *dims_data = NULL;
  bool is_typed = false;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &len, NULL, NULL, NULL));
  CHECK(napi_is_typedarray(env, argv[3], &is_typed));
  if (is_typed) CHECK(napi_get_typedarray_info(env, argv[3], &type, &ndims, &dims_data, NULL, NULL));
  if (!is_typed || type != napi_int32_array || ndims % 2 || ndims < 2 || ndims > 2 * TC_TILE_MAX_RANK) {
    napi_throw_type_error(env, "ERR_TICKCAST_NATIVE_ARGS", "tile: dims must be an Int32Array of shape then reps, rank 1 to 8");
    return NULL;
  }
  const int rank = (int)(ndims / 2);
  const int32_t *dims = dims_data;
  int64_t shape[TC_TILE_MAX_RANK], reps[TC_TILE_MAX_RANK], x_size = 1, out_size = 1;
  for (int a = 0; a < rank; a++) {
    shape[a] = dims[a];
    reps[a] = dims[rank + a];
    if (shape[a] < 1 || reps[a] < 1) return tc_range_error(env, "tile: every dimension and rep must be at least 1");
    x_size *= shape[a];
    out_size *= shape[a] * reps[a];
    if (out_size > INT32_MAX) return tc_range_error(env, "tile: output too large");
  }
  const int64_t n = (int64_t)len;
  if (!tc_fits(off[0], 1, 0, x_size, n) || !tc_fits(off[1], 1, 0, out_size, n)) return tc_range_error(env, "tile: x or out");
  if (off[0] < off[1] + out_size && off[1] < off[0] + x_size) return tc_range_error(env, "tile: x and out overlap");
  tc_tile(heap + off[0], shape, reps, rank, heap + off[1]);
  return NULL;
}

static bool ln_dims(napi_env env, napi_value *argv, int64_t *rows, int64_t *D) {
  int64_t d[2];
  if (!tc_int_args(env, argv, 1, 2, d)) return false;
  if (d[0] < 1 || d[1] < 1 || d[0] * d[1] > INT32_MAX) {
    napi_throw_range_error(env, "ERR_TICKCAST_NATIVE_RANGE", "layerNorm: bad rows or D");
    return false;
  }
  *rows = d[0];
  *D = d[1];
  return true;
}

napi_value tc_bind_layer_norm_forward(napi_env env, napi_callback_info cb) {
  napi_value argv[12];
  int64_t rows, D, off[9];
  double eps;
  if (!tc_take_args(env, cb, 12, argv, "layerNormForward") || !ln_dims(env, argv, &rows, &D)) return NULL;
  if (napi_get_value_double(env, argv[8], &eps) != napi_ok || !(eps >= 0)) return tc_range_error(env, "layerNormForward: eps");
  /* h, s, a, gamma, beta (argv 3..7), then y, mean, rstd (argv 9..11): eps sits between. */
  const int64_t ext[9] = {rows * D, rows * D, rows * D, D, D, rows * D, rows, rows, 0};
  const bool opt[9] = {false, true, true, false, false, false, false, false, false};
  float *heap = tc_heap_with_offsets(env, argv, 3, 5, ext, opt, off, "layerNormForward: an input");
  if (!heap || !tc_heap_with_offsets(env, argv, 9, 3, ext + 5, opt + 5, off + 5, "layerNormForward: an output")) return NULL;
  if ((off[1] < 0) != (off[2] < 0)) return tc_range_error(env, "layerNormForward: s and a go together");
  const bool gated = off[1] >= 0;
  if (tc_layer_norm_forward(heap + off[0], gated ? heap + off[1] : NULL, gated ? heap + off[2] : NULL, (int)rows, (int)D,
                            heap + off[3], heap + off[4], (float)eps, heap + off[5], heap + off[6], heap + off[7]))
    napi_throw_error(env, "ERR_TICKCAST_NATIVE_MEMORY", "layerNormForward: out of memory");
  return NULL;
}

napi_value tc_bind_layer_norm_backward(napi_env env, napi_callback_info cb) {
  napi_value argv[15];
  int64_t rows, D, off[12];
  if (!tc_take_args(env, cb, 15, argv, "layerNormBackward") || !ln_dims(env, argv, &rows, &D)) return NULL;
  /* h, s, a, gamma, mean, rstd, dy, dh, ds, da, dgamma, dbeta (argv 3..14) */
  const int64_t rd = rows * D;
  const int64_t ext[12] = {rd, rd, rd, D, rows, rows, rd, rd, rd, rd, D, D};
  const bool opt[12] = {false, true, true, false, false, false, false, false, true, true, false, false};
  float *heap = tc_heap_with_offsets(env, argv, 3, 12, ext, opt, off, "layerNormBackward: an array");
  if (!heap) return NULL;
  if ((off[1] < 0) != (off[2] < 0) || (off[1] < 0) != (off[8] < 0) || (off[1] < 0) != (off[9] < 0))
    return tc_range_error(env, "layerNormBackward: s, a, ds and da go together");
  const bool gated = off[1] >= 0;
  float *p[12];
  for (int i = 0; i < 12; i++) p[i] = off[i] >= 0 ? heap + off[i] : NULL;
  if (tc_layer_norm_backward(p[0], p[1], p[2], (int)rows, (int)D, p[3], p[4], p[5], p[6], p[7], gated ? p[8] : NULL,
                             gated ? p[9] : NULL, p[10], p[11]))
    napi_throw_error(env, "ERR_TICKCAST_NATIVE_MEMORY", "layerNormBackward: out of memory");
  return NULL;
}
