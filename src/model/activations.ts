/**
 * float32-accurate tanh and sigmoid for the JS LSTM recurrence (./lstm-fast.ts). V8's Math.tanh
 * and Math.exp are double-precision library calls (~12–14 ns each); the recurrence stores every
 * gate in a Float32Array, so double precision buys nothing there. This is Eigen's rational
 * approximation of tanh (odd degree-13 numerator over even degree-6 denominator, inputs clamped to
 * ±9 where float32 tanh is ±1): max abs error 2.6e-8 against Math.tanh, below float32's half-ULP at
 * 1 (6e-8), and ~4 ns. sigmoid(x) = ½ + ½·tanh(x/2).
 */
export function tanhF(a: number): number {
  const x = a > 9 ? 9 : a < -9 ? -9 : a;
  const x2 = x * x;
  let p = x2 * -2.76076847742355e-16 + 2.00018790482477e-13;
  p = x2 * p + -8.60467152213735e-11;
  p = x2 * p + 5.12229709037114e-8;
  p = x2 * p + 1.48572235717979e-5;
  p = x2 * p + 6.37261928875436e-4;
  p = x2 * p + 4.89352455891786e-3;
  let q = x2 * 1.19825839466702e-6 + 1.18534705686654e-4;
  q = x2 * q + 2.268434632439e-3;
  q = x2 * q + 4.89352518554385e-3;
  return (x * p) / q;
}

export function sigmoidF(x: number): number {
  return 0.5 + 0.5 * tanhF(0.5 * x);
}
