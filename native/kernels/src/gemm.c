/* See gemm.h. */
#define _GNU_SOURCE
#include "gemm.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The CBLAS entry point, declared here so that no BLAS header is needed to build. */
enum { CBLAS_ROW_MAJOR = 101, CBLAS_NO_TRANS = 111, CBLAS_TRANS = 112 };
typedef void (*cblas_sgemm_fn)(int order, int trans_a, int trans_b, int M, int N, int K, float alpha,
                               const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);
typedef void (*set_threads_fn)(int);
typedef int (*get_threads_fn)(void);
typedef char *(*get_config_fn)(void);

static cblas_sgemm_fn blas_sgemm = NULL;
static get_threads_fn blas_get_threads = NULL;
static char impl_name[96] = "builtin";
static int initialised = 0;

/* Only OpenBLAS: the reference BLAS (libblas.so.3) is slower than the built-in loop. */
static const char *const LIBS[] = {"libopenblas.so.0", "libopenblas.so", "libopenblas.dylib", NULL};

const char *tc_gemm_init(void) {
  if (initialised) return impl_name;
  initialised = 1;
  const char *off = getenv("TICKCAST_NATIVE_BLAS");
  if (off && strcmp(off, "0") == 0) return impl_name;
  for (int i = 0; LIBS[i]; i++) {
    void *h = dlopen(LIBS[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) continue;
    cblas_sgemm_fn f = (cblas_sgemm_fn)dlsym(h, "cblas_sgemm");
    if (!f) {
      dlclose(h);
      continue;
    }
    blas_sgemm = f;
    blas_get_threads = (get_threads_fn)dlsym(h, "openblas_get_num_threads");
    /* One thread unless the operator asked for more with OpenBLAS's own variable: the service
     * shares its cores with the event loop, and more threads do not pay at these sizes. */
    set_threads_fn set = (set_threads_fn)dlsym(h, "openblas_set_num_threads");
    if (set && !getenv("OPENBLAS_NUM_THREADS")) set(1);
    get_config_fn cfg = (get_config_fn)dlsym(h, "openblas_get_config");
    snprintf(impl_name, sizeof impl_name, "%s", cfg ? cfg() : "OpenBLAS");
    break;
  }
  return impl_name;
}

int tc_gemm_threads(void) { return blas_sgemm && blas_get_threads ? blas_get_threads() : 1; }

/* The built-in loop: rows of C accumulate rows of B scaled by A's entries, so the inner loop runs
 * over contiguous memory and vectorises; x86-64 gets an AVX2/FMA clone picked at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
static void rows_times_matrix(int M, int N, int K, const float *restrict A, const float *restrict B,
                              float *restrict C) {
  for (int i = 0; i < M; i++) {
    float *restrict c = C + (size_t)i * N;
    const float *restrict a = A + (size_t)i * K;
    for (int k = 0; k < K; k++) {
      const float v = a[k];
      const float *restrict b = B + (size_t)k * N;
      for (int j = 0; j < N; j++) c[j] += v * b[j];
    }
  }
}

static float *transposed(const float *src, int rows, int cols) {
  float *dst = malloc((size_t)rows * cols * sizeof(float));
  if (!dst) return NULL;
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) dst[(size_t)c * rows + r] = src[(size_t)r * cols + c];
  return dst;
}

static void fill_bias(float *C, int M, int N, const float *bias, int bias_len) {
  for (int i = 0; i < M; i++) {
    float *c = C + (size_t)i * N;
    if (!bias) memset(c, 0, (size_t)N * sizeof(float));
    else if (bias_len == 1) for (int j = 0; j < N; j++) c[j] = bias[0];
    else memcpy(c, bias, (size_t)N * sizeof(float));
  }
}

void tc_sgemm(int trans_a, int trans_b, int M, int N, int K, const float *A, const float *B, float *C,
              const float *bias, int bias_len) {
  if (M == 0 || N == 0) return;
  if (bias || K == 0) fill_bias(C, M, N, bias, bias_len);
  if (K == 0) return;
  if (blas_sgemm) {
    blas_sgemm(CBLAS_ROW_MAJOR, trans_a ? CBLAS_TRANS : CBLAS_NO_TRANS, trans_b ? CBLAS_TRANS : CBLAS_NO_TRANS, M, N,
               K, 1.0f, A, trans_a ? M : K, B, trans_b ? K : N, bias ? 1.0f : 0.0f, C, N);
    return;
  }
  if (!bias) fill_bias(C, M, N, NULL, 0);
  float *at = trans_a ? transposed(A, K, M) : NULL;
  float *bt = trans_b ? transposed(B, N, K) : NULL;
  /* Out of memory for a packed copy: fall back to strided reads (slow, still correct). */
  if ((trans_a && !at) || (trans_b && !bt)) {
    for (int i = 0; i < M; i++)
      for (int k = 0; k < K; k++) {
        const float v = trans_a ? A[(size_t)k * M + i] : A[(size_t)i * K + k];
        for (int j = 0; j < N; j++) C[(size_t)i * N + j] += v * (trans_b ? B[(size_t)j * K + k] : B[(size_t)k * N + j]);
      }
  } else {
    rows_times_matrix(M, N, K, at ? at : A, bt ? bt : B, C);
  }
  free(at);
  free(bt);
}
