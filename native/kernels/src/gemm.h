/* Single-precision GEMM for tickcast's native kernels: OpenBLAS when the shared library loads at
 * run time (dlopen, so nothing is needed at build time), else a built-in loop. See
 * docs/native-kernels.md. */
#ifndef TICKCAST_GEMM_H
#define TICKCAST_GEMM_H

/* Loads OpenBLAS once (idempotent); returns the name of the implementation in use. */
const char *tc_gemm_init(void);

/* Threads OpenBLAS uses (1 for the built-in loop). */
int tc_gemm_threads(void);

/* C[M,N] = op(A)[M,K] · op(B)[K,N] (+ bias), row-major. op(A) = A stored [K,M] when trans_a,
 * op(B) = B stored [N,K] when trans_b. bias: NULL, or bias_len (N or 1) values added to every row. */
void tc_sgemm(int trans_a, int trans_b, int M, int N, int K, const float *A, const float *B, float *C,
              const float *bias, int bias_len);

/* The same with A's row stride given: lda ≥ K (≥ M when trans_a), e.g. one time step's rows of a
 * [B, W, K] array (lda = W·K). */
void tc_sgemm_lda(int trans_a, int trans_b, int M, int N, int K, const float *A, int lda, const float *B, float *C,
                  const float *bias, int bias_len);

#endif
