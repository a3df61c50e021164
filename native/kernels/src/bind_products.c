/* Node-API bindings of the matrix products and row sums (kernels.c says what each takes). */
#include "bindings.h"

#include "gemm.h"
#include "napi_args.h"
#include "simd.h"

napi_value tc_bind_gemm(napi_env env, napi_callback_info cb) {
  napi_value argv[14];
  if (!tc_take_args(env, cb, 14, argv, "gemm")) return NULL;
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
  if (!tc_fits(a_off, batch, a_stride, M * K, n)) return tc_range_error(env, "gemm: A");
  if (!tc_fits(b_off, batch, b_stride, K * N, n)) return tc_range_error(env, "gemm: B");
  if (!tc_fits(c_off, batch, M * N, M * N, n)) return tc_range_error(env, "gemm: C");
  if (bias_off >= 0 && ((bias_len != N && bias_len != 1) || !tc_fits(bias_off, 1, 0, bias_len, n))) return tc_range_error(env, "gemm: bias");
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

napi_value tc_bind_sum_rows(napi_env env, napi_callback_info cb) {
  napi_value argv[5];
  if (!tc_take_args(env, cb, 5, argv, "sumRows")) return NULL;
  int64_t v[4];
  if (!tc_int_args(env, argv, 1, 4, v)) return NULL;
  const int64_t rows = v[0], cols = v[1], x_off = v[2], out_off = v[3];
  float *heap = tc_f32_arg(env, argv[0], "heap", 0);
  if (!heap) return NULL;
  size_t len = 0;
  napi_typedarray_type type;
  CHECK(napi_get_typedarray_info(env, argv[0], &type, &len, NULL, NULL, NULL));
  if (rows < 1 || cols < 1 || !tc_fits(x_off, 1, 0, rows * cols, (int64_t)len) || !tc_fits(out_off, 1, 0, cols, (int64_t)len))
    return tc_range_error(env, "sumRows: input or output");
  sum_rows(heap + x_off, rows, cols, heap + out_off);
  return NULL;
}
