/* Argument reading and range checks shared by the Node-API bindings (kernels.c and bind_*.c).
 * Offsets and lengths count floats; every failure leaves a JS exception pending with a code
 * (ERR_TICKCAST_NATIVE_ARGS for types and arity, ERR_TICKCAST_NATIVE_RANGE for ranges). */
#ifndef TICKCAST_NAPI_ARGS_H
#define TICKCAST_NAPI_ARGS_H

#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>

#define CHECK(call)                                      \
  do {                                                   \
    if ((call) != napi_ok) return tc_throw_status(env);  \
  } while (0)

/* Throws the last Node-API error unless an exception is already pending; returns NULL. */
napi_value tc_throw_status(napi_env env);
/* Throws a RangeError "<what> is outside the Float32Array"; returns NULL. */
napi_value tc_range_error(napi_env env, const char *what);
bool tc_take_args(napi_env env, napi_callback_info cb, size_t n, napi_value *argv, const char *name);
int tc_fits(int64_t off, int64_t count, int64_t stride, int64_t extent, int64_t len);
float *tc_f32_arg(napi_env env, napi_value v, const char *name, int64_t min_len);
bool tc_int_args(napi_env env, napi_value *argv, int from, int count, int64_t *out);
float *tc_heap_with_offsets(napi_env env, napi_value *argv, int first, int count, const int64_t *extent,
                            const bool *optional, int64_t *off, const char *name);

#endif
