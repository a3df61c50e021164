/* One direction of an LSTM layer's recurrence, forward and backward (BPTT), the same math as
 * src/model/lstm-fast.ts's JS loops (which remain the fallback). Gate order i, f, g, o; arrays are
 * row-major [B, W, ...] as described there. */
#ifndef TICKCAST_LSTM_H
#define TICKCAST_LSTM_H

/* xp: x·Kx + b for every (b,t), [B,W,4Hh]; kh: [Hh,4Hh]. Writes h_t into y[(b*W+t)*y_stride +
 * y_offset + j] and the trace (gates [B,W,4Hh], tanh_c, c_prev, h_prev [B,W,Hh]). Returns 0, or -1
 * when out of memory (nothing useful written). */
int tc_lstm_forward(const float *xp, const float *kh, int B, int W, int Hh, int reverse, float *y, int y_stride,
                    int y_offset, float *gates, float *tanh_c, float *c_prev, float *h_prev);

/* dy: [B,W,y_stride] (this direction's slice at y_offset). Writes dZ [B,W,4Hh], the gradient with
 * respect to the gates' pre-activations. Returns 0, or -1 when out of memory. */
int tc_lstm_backward(const float *gates, const float *tanh_c, const float *c_prev, const float *kh, const float *dy,
                     int B, int W, int Hh, int reverse, int y_stride, int y_offset, float *dz_all);

#endif
