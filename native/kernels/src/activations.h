/* Float32 activations shared by the addon's kernels (static inline: each file gets its own copy,
 * vectorised in its own loops). */
#ifndef TICKCAST_ACTIVATIONS_H
#define TICKCAST_ACTIVATIONS_H

/* Eigen's float32 rational tanh (inputs clamped to ±9), as src/model/activations.ts. */
static inline float tanh_f(float a) {
  float x = a > 9.f ? 9.f : a;
  x = x < -9.f ? -9.f : x;
  const float x2 = x * x;
  float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = x2 * p + -8.60467152213735e-11f;
  p = x2 * p + 5.12229709037114e-8f;
  p = x2 * p + 1.48572235717979e-5f;
  p = x2 * p + 6.37261928875436e-4f;
  p = x2 * p + 4.89352455891786e-3f;
  float q = x2 * 1.19825839466702e-6f + 1.18534705686654e-4f;
  q = x2 * q + 2.268434632439e-3f;
  q = x2 * q + 4.89352518554385e-3f;
  return (x * p) / q;
}

static inline float sigmoid_f(float x) { return 0.5f + 0.5f * tanh_f(0.5f * x); }

#endif
