/* The addon's Node-API functions, one file per group (bind_*.c), registered by kernels.c. */
#ifndef TICKCAST_BINDINGS_H
#define TICKCAST_BINDINGS_H

#include <node_api.h>

napi_value tc_bind_gemm(napi_env env, napi_callback_info cb);
napi_value tc_bind_sum_rows(napi_env env, napi_callback_info cb);
napi_value tc_bind_lstm_forward(napi_env env, napi_callback_info cb);
napi_value tc_bind_lstm_backward(napi_env env, napi_callback_info cb);
napi_value tc_bind_dropout_mask(napi_env env, napi_callback_info cb);
napi_value tc_bind_tile(napi_env env, napi_callback_info cb);
napi_value tc_bind_layer_norm_forward(napi_env env, napi_callback_info cb);
napi_value tc_bind_layer_norm_backward(napi_env env, napi_callback_info cb);

#endif
