/* Inverted-dropout multipliers, the same numbers tf.dropout(x, rate, undefined, seed) multiplies
 * by: tfjs draws u from seedrandom's Alea seeded with String(seed), stores it as float32, and
 * computes floor(u + keep) / keep in float32. Done here in one pass instead of a JS generator and
 * three tensor ops (docs/native-kernels.md). */
#ifndef TICKCAST_DROPOUT_H
#define TICKCAST_DROPOUT_H

#include <stddef.h>
#include <stdint.h>

/* seed: the seed's decimal string (ASCII, seed_len bytes); keep = float32(1 − rate). */
void tc_dropout_mask(const char *seed, size_t seed_len, float keep, float *out, int64_t n);

#endif
