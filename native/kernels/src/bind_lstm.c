/* Node-API bindings of the LSTM recurrence (lstm.h; kernels.c says what each takes). */
#include "bindings.h"

#include "lstm.h"
#include "napi_args.h"

static bool dims_ok(napi_env env, int64_t B, int64_t W, int64_t Hh, int64_t y_stride, int64_t y_offset) {
  if (B < 1 || W < 1 || Hh < 1 || B * W * 4 * Hh > INT32_MAX || y_offset < 0 || y_stride < y_offset + Hh) {
    napi_throw_range_error(env, "ERR_TICKCAST_NATIVE_RANGE", "lstm: bad B, W, Hh, yStride or yOffset");
    return false;
  }
  return true;
}

napi_value tc_bind_lstm_forward(napi_env env, napi_callback_info cb) {
  napi_value argv[13];
  if (!tc_take_args(env, cb, 13, argv, "lstmForward")) return NULL;
  int64_t d[6]; /* B, W, Hh, reverse, yStride, yOffset (argv 2..5, 7..8) */
  if (!tc_int_args(env, argv, 2, 4, d) || !tc_int_args(env, argv, 7, 2, d + 4)) return NULL;
  const int64_t B = d[0], W = d[1], Hh = d[2], G = 4 * d[2];
  if (!dims_ok(env, B, W, Hh, d[4], d[5])) return NULL;
  const int64_t bwh = B * W * Hh;
  float *xp, *kh, *y, *gates, *tanh_c, *c_prev, *h_prev;
  if (!(xp = tc_f32_arg(env, argv[0], "xp", B * W * G)) || !(kh = tc_f32_arg(env, argv[1], "kh", Hh * G)) ||
      !(y = tc_f32_arg(env, argv[6], "y", (B * W - 1) * d[4] + d[5] + Hh)) ||
      !(gates = tc_f32_arg(env, argv[9], "gates", B * W * G)) || !(tanh_c = tc_f32_arg(env, argv[10], "tanhC", bwh)) ||
      !(c_prev = tc_f32_arg(env, argv[11], "cPrev", bwh)) || !(h_prev = tc_f32_arg(env, argv[12], "hPrev", bwh)))
    return NULL;
  if (tc_lstm_forward(xp, kh, (int)B, (int)W, (int)Hh, d[3] != 0, y, (int)d[4], (int)d[5], gates, tanh_c, c_prev, h_prev))
    napi_throw_error(env, "ERR_TICKCAST_NATIVE_MEMORY", "lstmForward: out of memory");
  return NULL;
}

napi_value tc_bind_lstm_backward(napi_env env, napi_callback_info cb) {
  napi_value argv[12];
  if (!tc_take_args(env, cb, 12, argv, "lstmBackward")) return NULL;
  int64_t d[6]; /* B, W, Hh, reverse, yStride, yOffset (argv 5..10) */
  if (!tc_int_args(env, argv, 5, 6, d)) return NULL;
  const int64_t B = d[0], W = d[1], Hh = d[2], G = 4 * d[2];
  if (!dims_ok(env, B, W, Hh, d[4], d[5])) return NULL;
  const int64_t bwh = B * W * Hh;
  float *gates, *tanh_c, *c_prev, *kh, *dy, *dz;
  if (!(gates = tc_f32_arg(env, argv[0], "gates", B * W * G)) || !(tanh_c = tc_f32_arg(env, argv[1], "tanhC", bwh)) ||
      !(c_prev = tc_f32_arg(env, argv[2], "cPrev", bwh)) || !(kh = tc_f32_arg(env, argv[3], "kh", Hh * G)) ||
      !(dy = tc_f32_arg(env, argv[4], "dy", (B * W - 1) * d[4] + d[5] + Hh)) ||
      !(dz = tc_f32_arg(env, argv[11], "dZ", B * W * G)))
    return NULL;
  if (tc_lstm_backward(gates, tanh_c, c_prev, kh, dy, (int)B, (int)W, (int)Hh, d[3] != 0, (int)d[4], (int)d[5], dz))
    napi_throw_error(env, "ERR_TICKCAST_NATIVE_MEMORY", "lstmBackward: out of memory");
  return NULL;
}
