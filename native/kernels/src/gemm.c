/* See gemm.h. */
#define _GNU_SOURCE
/* Fused multiply-adds in the built-in product: -std=c11 turns contraction off for the whole
 * addon, and it stays off elsewhere (lstm.c) so that training on OpenBLAS keeps giving the same
 * bits as when the shipped pretrained weights were made. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#endif
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

/* The built-in product, C += A·B with A [M,K] and B [K,N] row-major. The bulk is done in blocks of
 * MR = 4 rows × NR = 16 columns of C held in registers across the whole K loop (8 AVX registers
 * of accumulators, 2 loads of B and 4 broadcasts of A per k: eight fused multiply-adds per step), walking column panels outermost so that a panel of B (K × NR) stays in cache while every
 * row block uses it. The edges (M mod MR rows, N mod NR columns) use the row loop below.
 * x86-64 gets an AVX2/FMA clone picked at load time; the default clone is plain SSE2. */
enum { MR = 4, NR = 16 };

static inline void edge(int i0, int i1, int j0, int j1, int N, int K, const float *restrict A, int lda,
                        const float *restrict B, float *restrict C) {
  for (int i = i0; i < i1; i++) {
    float *restrict c = C + (size_t)i * N;
    const float *restrict a = A + (size_t)i * lda;
    for (int k = 0; k < K; k++) {
      const float v = a[k];
      const float *restrict b = B + (size_t)k * N;
      for (int j = j0; j < j1; j++) c[j] += v * b[j];
    }
  }
}

/* Eight floats as one value (GCC/Clang vector extension): AVX registers in the AVX2 clone, pairs
 * of SSE registers in the default one. Loads and stores go through memcpy (no alignment needed). */
typedef float v8 __attribute__((vector_size(32)));

static inline v8 load8(const float *p) {
  v8 v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline void add8(float *p, v8 v) {
  v8 c;
  memcpy(&c, p, sizeof c);
  c += v;
  memcpy(p, &c, sizeof c);
}

/* C[i0 … i0+4, j0 … j0+8·V] += A[i0 … i0+4, :]·B[:, j0 … j0+8·V], accumulated in 4·V registers.
 * V is a constant at every call, so the loops over r and v unroll and acc stays in registers. */
static inline __attribute__((always_inline)) void block(int V, int N, int K, int i0, int j0, const float *restrict A,
                                                        int lda, const float *restrict B, float *restrict C) {
  v8 acc[MR][2] = {{{0}}};
  const float *restrict a = A + (size_t)i0 * lda;
  for (int k = 0; k < K; k++) {
    const float *bk = B + (size_t)k * N + j0;
    v8 b[2];
    for (int v = 0; v < V; v++) b[v] = load8(bk + 8 * v);
    /* A scalar operand is broadcast to every lane (a vbroadcastss). */
    for (int r = 0; r < MR; r++)
      for (int v = 0; v < V; v++) acc[r][v] += b[v] * a[(size_t)r * lda + k];
  }
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < V; v++) add8(C + (size_t)(i0 + r) * N + j0 + 8 * v, acc[r][v]);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TC_GEMM_AVX512 1
__attribute__((target_clones("arch=x86-64-v3", "default")))
#endif
static void rows_times_matrix_256(int M, int N, int K, const float *restrict A, int lda, const float *restrict B,
                                  float *restrict C) {
  const int Mb = M - M % MR;
  const int Nb = N - N % NR;
  for (int j0 = 0; j0 < Nb; j0 += NR)
    for (int i0 = 0; i0 < Mb; i0 += MR) block(2, N, K, i0, j0, A, lda, B, C);
  /* One more 8-column panel when 8 or more columns are left (e.g. 41 = 32 + 8 + 1). */
  const int Ne = N - Nb >= 8 ? Nb + 8 : Nb;
  if (Ne > Nb)
    for (int i0 = 0; i0 < Mb; i0 += MR) block(1, N, K, i0, Nb, A, lda, B, C);
  if (Ne < N) edge(0, Mb, Ne, N, N, K, A, lda, B, C);
  if (Mb < M) edge(Mb, M, 0, N, N, K, A, lda, B, C);
}

#ifdef TC_GEMM_AVX512
/* The same blocks sixteen lanes wide for AVX-512 CPUs: 4 rows × 32 columns of C in eight zmm
 * registers. Every element of C is the same chain of fused multiply-adds over k as in the 8-lane
 * blocks (and columns left over go to the same 8-lane panel and edge loop), so both give the same
 * bits; only the width differs. */
typedef float v16 __attribute__((vector_size(64)));

static inline __attribute__((always_inline)) void block16(int V, int N, int K, int i0, int j0,
                                                          const float *restrict A, int lda, const float *restrict B,
                                                          float *restrict C) {
  v16 acc[MR][2] = {{{0}}};
  const float *restrict a = A + (size_t)i0 * lda;
  for (int k = 0; k < K; k++) {
    const float *bk = B + (size_t)k * N + j0;
    v16 b[2];
    for (int v = 0; v < V; v++) memcpy(&b[v], bk + 16 * v, sizeof b[v]);
    for (int r = 0; r < MR; r++)
      for (int v = 0; v < V; v++) acc[r][v] += b[v] * a[(size_t)r * lda + k];
  }
  for (int r = 0; r < MR; r++)
    for (int v = 0; v < V; v++) {
      float *c = C + (size_t)(i0 + r) * N + j0 + 16 * v;
      v16 cv;
      memcpy(&cv, c, sizeof cv);
      cv += acc[r][v];
      memcpy(c, &cv, sizeof cv);
    }
}

__attribute__((target("arch=x86-64-v4"))) static void rows_times_matrix_512(int M, int N, int K,
                                                                            const float *restrict A, int lda,
                                                                            const float *restrict B,
                                                                            float *restrict C) {
  const int Mb = M - M % MR;
  const int N32 = N - N % 32;
  for (int j0 = 0; j0 < N32; j0 += 32)
    for (int i0 = 0; i0 < Mb; i0 += MR) block16(2, N, K, i0, j0, A, lda, B, C);
  int j = N32;
  if (N - j >= 16) {
    for (int i0 = 0; i0 < Mb; i0 += MR) block16(1, N, K, i0, j, A, lda, B, C);
    j += 16;
  }
  if (N - j >= 8) {
    for (int i0 = 0; i0 < Mb; i0 += MR) block(1, N, K, i0, j, A, lda, B, C);
    j += 8;
  }
  if (j < N) edge(0, Mb, j, N, N, K, A, lda, B, C);
  if (Mb < M) edge(Mb, M, 0, N, N, K, A, lda, B, C);
}
#endif

static void rows_times_matrix(int M, int N, int K, const float *restrict A, int lda, const float *restrict B,
                              float *restrict C) {
#ifdef TC_GEMM_AVX512
  static int wide = -1; /* decided once; a race only computes the same answer twice */
  if (wide < 0) {
    const char *off = getenv("TICKCAST_NATIVE_AVX512"); /* "0": the 8-lane blocks (tests compare the two) */
    wide = !(off && strcmp(off, "0") == 0) && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq");
  }
  if (wide) {
    rows_times_matrix_512(M, N, K, A, lda, B, C);
    return;
  }
#endif
  rows_times_matrix_256(M, N, K, A, lda, B, C);
}

/* src [rows, cols] with row stride ld → a packed [cols, rows] copy. */
static float *transposed(const float *src, int rows, int cols, int ld) {
  float *dst = malloc((size_t)rows * cols * sizeof(float));
  if (!dst) return NULL;
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) dst[(size_t)c * rows + r] = src[(size_t)r * ld + c];
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
  tc_sgemm_lda(trans_a, trans_b, M, N, K, A, trans_a ? M : K, B, C, bias, bias_len);
}

void tc_sgemm_lda(int trans_a, int trans_b, int M, int N, int K, const float *A, int lda, const float *B, float *C,
                  const float *bias, int bias_len) {
  if (M == 0 || N == 0) return;
  if (bias || K == 0) fill_bias(C, M, N, bias, bias_len);
  if (K == 0) return;
  if (blas_sgemm) {
    blas_sgemm(CBLAS_ROW_MAJOR, trans_a ? CBLAS_TRANS : CBLAS_NO_TRANS, trans_b ? CBLAS_TRANS : CBLAS_NO_TRANS, M, N,
               K, 1.0f, A, lda, B, trans_b ? K : N, bias ? 1.0f : 0.0f, C, N);
    return;
  }
  if (!bias) fill_bias(C, M, N, NULL, 0);
  float *at = trans_a ? transposed(A, K, M, lda) : NULL;
  float *bt = trans_b ? transposed(B, N, K, K) : NULL;
  /* Out of memory for a packed copy: fall back to strided reads (slow, still correct). */
  if ((trans_a && !at) || (trans_b && !bt)) {
    for (int i = 0; i < M; i++)
      for (int k = 0; k < K; k++) {
        const float v = trans_a ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
        for (int j = 0; j < N; j++) C[(size_t)i * N + j] += v * (trans_b ? B[(size_t)j * K + k] : B[(size_t)k * N + j]);
      }
  } else {
    rows_times_matrix(M, N, K, at ? at : A, at ? K : lda, bt ? bt : B, C);
  }
  free(at);
  free(bt);
}
