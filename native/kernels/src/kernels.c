/* Node-API binding of tickcast's native kernels (docs/native-kernels.md).
 *
 *   gemm(heap, batch, M, N, K, aOff, aStride, transA, bOff, bStride, transB, cOff, biasOff, biasLen)
 *
 * heap is a Float32Array (the wasm backend's HEAPF32 or any other); offsets and strides count
 * floats from its start. For every batch index i (stride 0 broadcasts one matrix):
 *   C_i[M,N] = op(A_i) · op(B_i) (+ bias), with A_i at aOff + i*aStride, B_i at bOff + i*bStride,
 *   C_i at cOff + i*M*N; biasOff < 0 means no bias, else biasLen (N or 1) values.
 *
 *   sumRows(heap, rows, cols, xOff, outOff)
 *
 * out[c] = Σ_r x[r*cols + c]: a reduction over the leading axes of a row-major array.
 *
 *   lstmForward(xp, kh, B, W, Hh, reverse, y, yStride, yOffset, gates, tanhC, cPrev, hPrev)
 *   lstmBackward(gates, tanhC, cPrev, kh, dy, B, W, Hh, reverse, yStride, yOffset, dZ)
 *
 * One LSTM direction's recurrence and its BPTT on Float32Arrays (lstm.h; src/model/lstm-fast.ts).
 *
 *   dropoutMask(seed, keep, out)
 *
 * Fills out with tf.dropout's multipliers for that seed (a decimal string) and keep probability.
 *
 *   layerNormForward(heap, rows, D, hOff, sOff, aOff, gammaOff, betaOff, eps, yOff, meanOff, rstdOff)
 *   layerNormBackward(heap, rows, D, hOff, sOff, aOff, gammaOff, meanOff, rstdOff, dyOff, dhOff, dsOff, daOff,
 *                     dgammaOff, dbetaOff)
 *
 * LayerNorm over rows of D on one Float32Array (layernorm.h); sOff = aOff = -1 normalises h itself,
 * else the gated skip s + σ(a)·(h − s) (then dsOff and daOff receive its gradients).
 *
 *   tile(heap, xOff, outOff, dims)
 *
 * out = tile(x, reps) on one Float32Array (any 4-byte data); dims is an Int32Array of x's shape
 * followed by the reps, rank 1 to 8; x and out must not overlap.
 *
 * Every range is checked against the array before anything is read or written. */
#include <node_api.h>
#include <stdint.h>
#include <stdio.h>

#include "dropout.h"
#include "gemm.h"
#include "layernorm.h"
#include "lstm.h"
#include "tile.h"
#include "simd.h"

static bool int_args(napi_env env, napi_value *argv, int from, int count, int64_t *out);
static float *f32_arg(napi_env env, napi_value v, const char *name, int64_t min_len);

#define CHECK(call)                                    \
  do {                                                 \
    if ((call) != napi_ok) return throw_status(env);   \
  } while (0)

static napi_value throw_status(napi_env env) {
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ERR_TICKCAST_NATIVE", info && info->error_message ? info->error_message : "Node-API call failed");
  return NULL;
}

static napi_value range_error(napi_env env, const char *what) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s is outside the Float32Array", what);
  napi_throw_range_error(env, "ERR_TICKCAST_NATIVE_RANGE", msg);
  return NULL;
}

/* Reads exactly n arguments into argv; false with a TypeError pending otherwise. */
static bool take_args(napi_env env, napi_callback_info cb, size_t n, napi_value *argv, const char *name) {
  size_t argc = n;
  if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok) {
    throw_status(env);
    return false;
  }
  if (argc != n) {
    char msg[96];
    snprintf(msg, sizeof msg, "%s takes %zu arguments", name, n);
    napi_throw_type_error(env, "ERR_TICKCAST_NATIVE_ARGS", msg);
    return false;
  }
  return true;
}

/* Does [off, off + (count-1)*stride + extent) lie inside [0, len)? */
static int fits(int64_t off, int64_t count, int64_t stride, int64_t extent, int64_t len) {
  if (off < 0 || stride < 0 || extent < 0 || count < 1) return 0;
  return off + (count - 1) * stride + extent <= len;
}

static napi_value gemm(napi_env env, napi_callback_info cb) {
  napi_value argv[14];
  if (!take_args(env, cb, 14, argv, "gemm")) return NULL;
  bool is_typed = false;
  CHECK(napi_is_typedarray(env, argv[0], &is_typed));
  napi_typedarray_type type;
  size_t len = 0;
  void *data = NULL;
  if (is_typed) CHECK(napi_get_typedarray_info(env, argv[0], &type, &len, &data, NULL, NULL));
  if (!is_typed || type != napi_float32_array) {
    napi_throw_type_error(env, "ERR_TICKCAST_NATIVE_ARGS", "gemm: heap must be a Float32Array");
    return NULL;
  }
  int64_t v[13];
  for (int i = 0; i < 13; i++) CHECK(napi_get_value_int64(env, argv[i + 1], &v[i]));
  const int64_t batch = v[0], M = v[1], N = v[2], K = v[3];
  const int64_t a_off = v[4], a_stride = v[5], trans_a = v[6];
  const int64_t b_off = v[7], b_stride = v[8], trans_b = v[9];
  const int64_t c_off = v[10], bias_off = v[11], bias_len = v[12];
  if (batch < 0 || M < 0 || N < 0 || K < 0 || M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) {
    napi_throw_range_error(env, "ERR_TICKCAST_NATIVE_RANGE", "gemm: negative or oversized dimension");
    return NULL;
  }
  if (batch == 0) return NULL;
  const int64_t n = (int64_t)len;
  if (!fits(a_off, batch, a_stride, M * K, n)) return range_error(env, "gemm: A");
  if (!fits(b_off, batch, b_stride, K * N, n)) return range_error(env, "gemm: B");
  if (!fits(c_off, batch, M * N, M * N, n)) return range_error(env, "gemm: C");
  if (bias_off >= 0 && ((bias_len != N && bias_len != 1) || !fits(bias_off, 1, 0, bias_len, n))) return range_error(env, "gemm: bias");
  float *heap = (float *)data;
  const float *bias = bias_off >= 0 ? heap + bias_off : NULL;
  for (int64_t i = 0; i < batch; i++) {
    tc_sgemm((int)trans_a, (int)trans_b, (int)M, (int)N, (int)K, heap + a_off + i * a_stride, heap + b_off + i * b_stride,
             heap + c_off + i * M * N, bias, (int)bias_len);
  }
  return NULL;
}

TC_VECTOR_CLONES
static void sum_rows(const float *restrict x, int64_t rows, int64_t cols, float *restrict out) {
  for (int64_t c = 0; c < cols; c++) out[c] = 0.f;
  for (int64_t r = 0; r < rows; r++) {
    const float *restrict row = x + r * cols;
    for (int64_t c = 0; c < cols; c++) out[c] += row[c];
  }
}

static napi_value sum_rows_fn(napi_env env, napi_callback_info cb) {
  napi_value argv[5];
  if (!take_args(env, cb, 5, argv, "sumRows")) return NULL;
  int64_t v[4];
  if (!int_args(env, argv, 1, 4, v)) return NULL;
  const int64_t rows = v[0], cols = v[1], x_off = v[2], out_off = v[3];
  float *heap = f32_arg(env, argv[0], "heap", 0);
  if (!heap) return NULL;
  size_t len = 0;
  napi_typedarray_type type;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &len, NULL, NULL, NULL));
  if (rows < 1 || cols < 1 || !fits(x_off, 1, 0, rows * cols, (int64_t)len) || !fits(out_off, 1, 0, cols, (int64_t)len))
    return range_error(env, "sumRows: input or output");
  sum_rows(heap + x_off, rows, cols, heap + out_off);
  return NULL;
}

/* The Float32Array argv[i] with at least min_len elements, or NULL with an exception pending. */
static float *f32_arg(napi_env env, napi_value v, const char *name, int64_t min_len) {
  bool is_typed = false;
  napi_typedarray_type type;
  size_t len = 0;
  void *data = NULL;
  char msg[160];
  if (napi_is_typedarray(env, v, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, v, &type, &len, &data, NULL, NULL) != napi_ok || type != napi_float32_array) {
    snprintf(msg, sizeof msg, "%s must be a Float32Array", name);
    napi_throw_type_error(env, "ERR_TICKCAST_NATIVE_ARGS", msg);
    return NULL;
  }
  if ((int64_t)len < min_len) {
    snprintf(msg, sizeof msg, "%s has %zu elements, needs %lld", name, len, (long long)min_len);
    napi_throw_range_error(env, "ERR_TICKCAST_NATIVE_RANGE", msg);
    return NULL;
  }
  return (float *)data;
}

/* Reads count integers from argv[from...]; false with an exception pending on a non-number. */
static bool int_args(napi_env env, napi_value *argv, int from, int count, int64_t *out) {
  for (int i = 0; i < count; i++)
    if (napi_get_value_int64(env, argv[from + i], &out[i]) != napi_ok) {
      napi_throw_type_error(env, "ERR_TICKCAST_NATIVE_ARGS", "expected a number");
      return false;
    }
  return true;
}

static bool dims_ok(napi_env env, int64_t B, int64_t W, int64_t Hh, int64_t y_stride, int64_t y_offset) {
  if (B < 1 || W < 1 || Hh < 1 || B * W * 4 * Hh > INT32_MAX || y_offset < 0 || y_stride < y_offset + Hh) {
    napi_throw_range_error(env, "ERR_TICKCAST_NATIVE_RANGE", "lstm: bad B, W, Hh, yStride or yOffset");
    return false;
  }
  return true;
}

static napi_value lstm_forward(napi_env env, napi_callback_info cb) {
  napi_value argv[13];
  if (!take_args(env, cb, 13, argv, "lstmForward")) return NULL;
  int64_t d[6]; /* B, W, Hh, reverse, yStride, yOffset (argv 2..5, 7..8) */
  if (!int_args(env, argv, 2, 4, d) || !int_args(env, argv, 7, 2, d + 4)) return NULL;
  const int64_t B = d[0], W = d[1], Hh = d[2], G = 4 * d[2];
  if (!dims_ok(env, B, W, Hh, d[4], d[5])) return NULL;
  const int64_t bwh = B * W * Hh;
  float *xp, *kh, *y, *gates, *tanh_c, *c_prev, *h_prev;
  if (!(xp = f32_arg(env, argv[0], "xp", B * W * G)) || !(kh = f32_arg(env, argv[1], "kh", Hh * G)) ||
      !(y = f32_arg(env, argv[6], "y", (B * W - 1) * d[4] + d[5] + Hh)) ||
      !(gates = f32_arg(env, argv[9], "gates", B * W * G)) || !(tanh_c = f32_arg(env, argv[10], "tanhC", bwh)) ||
      !(c_prev = f32_arg(env, argv[11], "cPrev", bwh)) || !(h_prev = f32_arg(env, argv[12], "hPrev", bwh)))
    return NULL;
  if (tc_lstm_forward(xp, kh, (int)B, (int)W, (int)Hh, d[3] != 0, y, (int)d[4], (int)d[5], gates, tanh_c, c_prev, h_prev))
    napi_throw_error(env, "ERR_TICKCAST_NATIVE_MEMORY", "lstmForward: out of memory");
  return NULL;
}

static napi_value lstm_backward(napi_env env, napi_callback_info cb) {
  napi_value argv[12];
  if (!take_args(env, cb, 12, argv, "lstmBackward")) return NULL;
  int64_t d[6]; /* B, W, Hh, reverse, yStride, yOffset (argv 5..10) */
  if (!int_args(env, argv, 5, 6, d)) return NULL;
  const int64_t B = d[0], W = d[1], Hh = d[2], G = 4 * d[2];
  if (!dims_ok(env, B, W, Hh, d[4], d[5])) return NULL;
  const int64_t bwh = B * W * Hh;
  float *gates, *tanh_c, *c_prev, *kh, *dy, *dz;
  if (!(gates = f32_arg(env, argv[0], "gates", B * W * G)) || !(tanh_c = f32_arg(env, argv[1], "tanhC", bwh)) ||
      !(c_prev = f32_arg(env, argv[2], "cPrev", bwh)) || !(kh = f32_arg(env, argv[3], "kh", Hh * G)) ||
      !(dy = f32_arg(env, argv[4], "dy", (B * W - 1) * d[4] + d[5] + Hh)) ||
      !(dz = f32_arg(env, argv[11], "dZ", B * W * G)))
    return NULL;
  if (tc_lstm_backward(gates, tanh_c, c_prev, kh, dy, (int)B, (int)W, (int)Hh, d[3] != 0, (int)d[4], (int)d[5], dz))
    napi_throw_error(env, "ERR_TICKCAST_NATIVE_MEMORY", "lstmBackward: out of memory");
  return NULL;
}

static napi_value dropout_mask(napi_env env, napi_callback_info cb) {
  napi_value argv[3];
  if (!take_args(env, cb, 3, argv, "dropoutMask")) return NULL;
  char seed[32];
  size_t seed_len = 0;
  double keep = 0;
  if (napi_get_value_string_latin1(env, argv[0], seed, sizeof seed, &seed_len) != napi_ok ||
      napi_get_value_double(env, argv[1], &keep) != napi_ok) {
    napi_throw_type_error(env, "ERR_TICKCAST_NATIVE_ARGS", "dropoutMask(seed: string, keep: number, out)");
    return NULL;
  }
  if (seed_len == 0 || seed_len >= sizeof seed - 1 || !(keep > 0 && keep <= 1))
    return range_error(env, "dropoutMask: seed of 1 to 30 characters and keep in (0, 1]");
  float *out = f32_arg(env, argv[2], "out", 0);
  if (!out) return NULL;
  size_t len = 0;
  napi_typedarray_type type;
  CHECK(napi_get_typedarray_info(env, argv[2], &type, &len, NULL, NULL, NULL));
  tc_dropout_mask(seed, seed_len, (float)keep, out, (int64_t)len);
  return NULL;
}

static napi_value tile_fn(napi_env env, napi_callback_info cb) {
  napi_value argv[4];
  if (!take_args(env, cb, 4, argv, "tile")) return NULL;
  int64_t off[2];
  if (!int_args(env, argv, 1, 2, off)) return NULL;
  float *heap = f32_arg(env, argv[0], "heap", 0);
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
    if (shape[a] < 1 || reps[a] < 1) return range_error(env, "tile: every dimension and rep must be at least 1");
    x_size *= shape[a];
    out_size *= shape[a] * reps[a];
    if (out_size > INT32_MAX) return range_error(env, "tile: output too large");
  }
  const int64_t n = (int64_t)len;
  if (!fits(off[0], 1, 0, x_size, n) || !fits(off[1], 1, 0, out_size, n)) return range_error(env, "tile: x or out");
  if (off[0] < off[1] + out_size && off[1] < off[0] + x_size) return range_error(env, "tile: x and out overlap");
  tc_tile(heap + off[0], shape, reps, rank, heap + off[1]);
  return NULL;
}

/* Reads the heap and count offsets; checks each offset (or -1 where optional[i]) against its extent. */
static float *heap_with_offsets(napi_env env, napi_value *argv, int first, int count, const int64_t *extent,
                                const bool *optional, int64_t *off, const char *name) {
  float *heap = f32_arg(env, argv[0], "heap", 0);
  if (!heap || !int_args(env, argv, first, count, off)) return NULL;
  size_t len = 0;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, argv[0], &type, &len, NULL, NULL, NULL) != napi_ok) return NULL;
  for (int i = 0; i < count; i++) {
    if (optional[i] && off[i] == -1) continue;
    if (!fits(off[i], 1, 0, extent[i], (int64_t)len)) {
      range_error(env, name);
      return NULL;
    }
  }
  return heap;
}

static bool ln_dims(napi_env env, napi_value *argv, int64_t *rows, int64_t *D) {
  int64_t d[2];
  if (!int_args(env, argv, 1, 2, d)) return false;
  if (d[0] < 1 || d[1] < 1 || d[0] * d[1] > INT32_MAX) {
    napi_throw_range_error(env, "ERR_TICKCAST_NATIVE_RANGE", "layerNorm: bad rows or D");
    return false;
  }
  *rows = d[0];
  *D = d[1];
  return true;
}

static napi_value layer_norm_forward(napi_env env, napi_callback_info cb) {
  napi_value argv[12];
  int64_t rows, D, off[9];
  double eps;
  if (!take_args(env, cb, 12, argv, "layerNormForward") || !ln_dims(env, argv, &rows, &D)) return NULL;
  if (napi_get_value_double(env, argv[8], &eps) != napi_ok || !(eps >= 0)) return range_error(env, "layerNormForward: eps");
  /* h, s, a, gamma, beta (argv 3..7), then y, mean, rstd (argv 9..11): eps sits between. */
  const int64_t ext[9] = {rows * D, rows * D, rows * D, D, D, rows * D, rows, rows, 0};
  const bool opt[9] = {false, true, true, false, false, false, false, false, false};
  float *heap = heap_with_offsets(env, argv, 3, 5, ext, opt, off, "layerNormForward: an input");
  if (!heap || !heap_with_offsets(env, argv, 9, 3, ext + 5, opt + 5, off + 5, "layerNormForward: an output")) return NULL;
  if ((off[1] < 0) != (off[2] < 0)) return range_error(env, "layerNormForward: s and a go together");
  const bool gated = off[1] >= 0;
  if (tc_layer_norm_forward(heap + off[0], gated ? heap + off[1] : NULL, gated ? heap + off[2] : NULL, (int)rows, (int)D,
                            heap + off[3], heap + off[4], (float)eps, heap + off[5], heap + off[6], heap + off[7]))
    napi_throw_error(env, "ERR_TICKCAST_NATIVE_MEMORY", "layerNormForward: out of memory");
  return NULL;
}

static napi_value layer_norm_backward(napi_env env, napi_callback_info cb) {
  napi_value argv[15];
  int64_t rows, D, off[12];
  if (!take_args(env, cb, 15, argv, "layerNormBackward") || !ln_dims(env, argv, &rows, &D)) return NULL;
  /* h, s, a, gamma, mean, rstd, dy, dh, ds, da, dgamma, dbeta (argv 3..14) */
  const int64_t rd = rows * D;
  const int64_t ext[12] = {rd, rd, rd, D, rows, rows, rd, rd, rd, rd, D, D};
  const bool opt[12] = {false, true, true, false, false, false, false, false, true, true, false, false};
  float *heap = heap_with_offsets(env, argv, 3, 12, ext, opt, off, "layerNormBackward: an array");
  if (!heap) return NULL;
  if ((off[1] < 0) != (off[2] < 0) || (off[1] < 0) != (off[8] < 0) || (off[1] < 0) != (off[9] < 0))
    return range_error(env, "layerNormBackward: s, a, ds and da go together");
  const bool gated = off[1] >= 0;
  float *p[12];
  for (int i = 0; i < 12; i++) p[i] = off[i] >= 0 ? heap + off[i] : NULL;
  if (tc_layer_norm_backward(p[0], p[1], p[2], (int)rows, (int)D, p[3], p[4], p[5], p[6], p[7], gated ? p[8] : NULL,
                             gated ? p[9] : NULL, p[10], p[11]))
    napi_throw_error(env, "ERR_TICKCAST_NATIVE_MEMORY", "layerNormBackward: out of memory");
  return NULL;
}

static napi_value info(napi_env env, napi_callback_info cb) {
  (void)cb;
  napi_value obj, blas, threads;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_string_utf8(env, tc_gemm_init(), NAPI_AUTO_LENGTH, &blas));
  CHECK(napi_create_int32(env, tc_gemm_threads(), &threads));
  CHECK(napi_set_named_property(env, obj, "blas", blas));
  CHECK(napi_set_named_property(env, obj, "threads", threads));
  return obj;
}

static napi_value init(napi_env env, napi_value exports) {
  tc_gemm_init();
  napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sumRows", NULL, sum_rows_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lstmForward", NULL, lstm_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lstmBackward", NULL, lstm_backward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dropoutMask", NULL, dropout_mask, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tile", NULL, tile_fn, NULL, NULL, NULL, napi_enumerable, NULL},
      {"layerNormForward", NULL, layer_norm_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"layerNormBackward", NULL, layer_norm_backward, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return throw_status(env);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
