/* Function multi-versioning for the addon's vectorised loops: GCC on x86-64 builds each marked
 * function for AVX-512 (x86-64-v4), AVX2/FMA (x86-64-v3) and baseline SSE2, and the loader picks
 * the best the CPU has. Only the vector width differs between the clones: -std=c11 keeps
 * contraction off outside gemm.c, so every clone computes the same bits. */
#ifndef TICKCAST_SIMD_H
#define TICKCAST_SIMD_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TC_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TC_VECTOR_CLONES
#endif

#endif
