/* Argument reading and range checks shared by the Node-API bindings (napi_args.h). */
#include "napi_args.h"

#include <stdio.h>

napi_value tc_throw_status(napi_env env) {
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ERR_TICKCAST_NATIVE", info && info->error_message ? info->error_message : "Node-API call failed");
  return NULL;
}

napi_value tc_range_error(napi_env env, const char *what) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s is outside the Float32Array", what);
  napi_throw_range_error(env, "ERR_TICKCAST_NATIVE_RANGE", msg);
  return NULL;
}

/* Reads exactly n arguments into argv; false with a TypeError pending otherwise. */
bool tc_take_args(napi_env env, napi_callback_info cb, size_t n, napi_value *argv, const char *name) {
  size_t argc = n;
  if (napi_get_cb_info(env, cb, &argc, argv, NULL, NULL) != napi_ok) {
    tc_throw_status(env);
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
int tc_fits(int64_t off, int64_t count, int64_t stride, int64_t extent, int64_t len) {
  if (off < 0 || stride < 0 || extent < 0 || count < 1) return 0;
  return off + (count - 1) * stride + extent <= len;
}

/* The Float32Array argv[i] with at least min_len elements, or NULL with an exception pending. */
float *tc_f32_arg(napi_env env, napi_value v, const char *name, int64_t min_len) {
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
bool tc_int_args(napi_env env, napi_value *argv, int from, int count, int64_t *out) {
  for (int i = 0; i < count; i++)
    if (napi_get_value_int64(env, argv[from + i], &out[i]) != napi_ok) {
      napi_throw_type_error(env, "ERR_TICKCAST_NATIVE_ARGS", "expected a number");
      return false;
    }
  return true;
}

/* Reads the heap and count offsets; checks each offset (or -1 where optional[i]) against its extent. */
float *tc_heap_with_offsets(napi_env env, napi_value *argv, int first, int count, const int64_t *extent,
                                const bool *optional, int64_t *off, const char *name) {
  float *heap = tc_f32_arg(env, argv[0], "heap", 0);
  if (!heap || !tc_int_args(env, argv, first, count, off)) return NULL;
  size_t len = 0;
  napi_typedarray_type type;
  if (napi_get_typedarray_info(env, argv[0], &type, &len, NULL, NULL, NULL) != napi_ok) return NULL;
  for (int i = 0; i < count; i++) {
    if (optional[i] && off[i] == -1) continue;
    if (!tc_fits(off[i], 1, 0, extent[i], (int64_t)len)) {
      tc_range_error(env, name);
      return NULL;
    }
  }
  return heap;
}
