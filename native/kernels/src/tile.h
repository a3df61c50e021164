/* tile(x, reps) on 4-byte elements: the copy behind broadcasting a gradient back to its input's
 * shape (src/model/wasm-broadcast.ts). */
#ifndef TICKCAST_TILE_H
#define TICKCAST_TILE_H

#include <stdint.h>

#define TC_TILE_MAX_RANK 8

/* x has x_shape[rank]; out (x_shape[a]·reps[a] along each axis a) must not overlap it. */
void tc_tile(const float *x, const int64_t *x_shape, const int64_t *reps, int rank, float *out);

#endif
