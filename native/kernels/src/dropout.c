/* See dropout.h. Alea and Mash follow seedrandom 3.0.5 (lib/alea.js, Johannes Baagøe's
 * algorithm) in IEEE doubles, operation for operation: -std=c11 keeps contraction (FMA) off, so
 * every sum and product rounds as JavaScript's do. */
#include "dropout.h"

#include <math.h>

#define TWO_POW_32 4294967296.0
#define TWO_POW_M32 2.3283064365386963e-10

/* ECMAScript ToUint32 of a non-negative finite double, kept as a double. */
static double to_uint32(double x) { return fmod(floor(x), TWO_POW_32); }

typedef struct {
  double n;
} mash_t;

static double mash(mash_t *m, const char *data, size_t len) {
  double n = m->n;
  for (size_t i = 0; i < len; i++) {
    n += (double)(unsigned char)data[i];
    double h = 0.02519603282416938 * n;
    n = to_uint32(h);
    h -= n;
    h *= n;
    n = to_uint32(h);
    h -= n;
    n += h * TWO_POW_32;
  }
  m->n = n;
  return to_uint32(n) * TWO_POW_M32;
}

void tc_dropout_mask(const char *seed, size_t seed_len, float keep, float *out, int64_t n) {
  mash_t m = {4022871197.0}; /* 0xefc8249d */
  double s0 = mash(&m, " ", 1), s1 = mash(&m, " ", 1), s2 = mash(&m, " ", 1);
  double c = 1;
  s0 -= mash(&m, seed, seed_len);
  if (s0 < 0) s0 += 1;
  s1 -= mash(&m, seed, seed_len);
  if (s1 < 0) s1 += 1;
  s2 -= mash(&m, seed, seed_len);
  if (s2 < 0) s2 += 1;
  for (int64_t i = 0; i < n; i++) {
    const double t = 2091639 * s0 + c * TWO_POW_M32;
    s0 = s1;
    s1 = s2;
    c = (double)(int32_t)t; /* t | 0: t is in [0, 2091640) */
    s2 = t - c;
    const float u = (float)s2;
    out[i] = floorf(u + keep) / keep;
  }
}
