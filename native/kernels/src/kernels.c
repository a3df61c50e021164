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

#include "bindings.h"
#include "gemm.h"
#include "napi_args.h"

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
      {"gemm", NULL, tc_bind_gemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sumRows", NULL, tc_bind_sum_rows, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lstmForward", NULL, tc_bind_lstm_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lstmBackward", NULL, tc_bind_lstm_backward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"dropoutMask", NULL, tc_bind_dropout_mask, NULL, NULL, NULL, napi_enumerable, NULL},
      {"tile", NULL, tc_bind_tile, NULL, NULL, NULL, napi_enumerable, NULL},
      {"layerNormForward", NULL, tc_bind_layer_norm_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"layerNormBackward", NULL, tc_bind_layer_norm_backward, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return tc_throw_status(env);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
