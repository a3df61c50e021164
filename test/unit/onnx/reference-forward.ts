/**
 * Plain-JS, float64, deliberately naive forward pass of the hybrid model, written straight from
 * the math in docs/model.md (unfused, batch-major, gates i,f,g,o, step-by-step LSTM). It is the
 * independent referee for the ONNX exporter: nothing here shares code with the graph.
 */
import type { ModelSpec } from '../../../src/domain/types.ts';
import type { ResolvedHybridConfig } from '../../../src/model/config.ts';
import { modelDims, lstmPrefix, type WeightMap } from '../../../src/model/weight-names.ts';

type Mat = Float64Array<ArrayBufferLike>[]; // rows

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const softplus = (v: number) => (v > 20 ? v : Math.log1p(Math.exp(v)));

/** rows [n][in] · kernel [in, out] + bias. */
export function linear(xs: Mat, kernel: ArrayLike<number>, bias: ArrayLike<number> | null, out: number): Mat {
  return xs.map((x) => {
    const y = new Float64Array(out);
    for (let o = 0; o < out; o++) {
      let acc = bias ? bias[o] : 0;
      for (let i = 0; i < x.length; i++) acc += x[i] * kernel[i * out + o];
      y[o] = acc;
    }
    return y;
  });
}

export function layerNorm(xs: Mat, gamma: ArrayLike<number>, beta: ArrayLike<number>, eps = 1e-5): Mat {
  return xs.map((x) => {
    const n = x.length;
    const mean = x.reduce((a, b) => a + b, 0) / n;
    const v = x.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    return x.map((xi, i) => ((xi - mean) / Math.sqrt(v + eps)) * gamma[i] + beta[i]);
  });
}

export function softmax(v: ArrayLike<number>): Float64Array {
  let mx = -Infinity;
  for (let i = 0; i < v.length; i++) mx = Math.max(mx, v[i]);
  const e = Float64Array.from(v, (x) => Math.exp(x - mx));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** One LSTM direction over a sequence; kernel [in+Hh, 4Hh] fused, gates i,f,g,o. */
export function lstmDirection(seq: Mat, kernel: ArrayLike<number>, bias: ArrayLike<number>, Hh: number, reverse: boolean): Mat {
  const out: Mat = new Array(seq.length);
  let h = new Float64Array(Hh);
  let c = new Float64Array(Hh);
  for (let s = 0; s < seq.length; s++) {
    const t = reverse ? seq.length - 1 - s : s;
    const xh = Float64Array.from([...seq[t], ...h]);
    const z = linear([xh], kernel, bias, 4 * Hh)[0];
    const hn = new Float64Array(Hh);
    const cn = new Float64Array(Hh);
    for (let j = 0; j < Hh; j++) {
      const i = sigmoid(z[j]);
      const f = sigmoid(z[Hh + j]);
      const gg = Math.tanh(z[2 * Hh + j]);
      const o = sigmoid(z[3 * Hh + j]);
      cn[j] = f * c[j] + i * gg;
      hn[j] = o * Math.tanh(cn[j]);
    }
    h = hn;
    c = cn;
    out[t] = hn;
  }
  return out;
}

/**
 * Patch n = steps t0 + n·S … t0 + n·S + P − 1 (end-aligned), flattened step-major (p·F + f).
 * Written from docs/model.md §2 without src/model/patch.ts.
 */
function patches(xs: Mat, N: number, P: number, S: number, t0: number): Mat {
  return Array.from({ length: N }, (_, n) => Float64Array.from(Array.from({ length: P }, (_, p) => [...xs[t0 + n * S + p]]).flat()));
}

/** Forward pass for a batch; x row-major [B, W, F]. Returns y [B,H,T,Q] and alpha [B,W] (over time steps). */
export function referenceForward(weights: WeightMap, config: ResolvedHybridConfig, spec: ModelSpec, x: Float32Array, batch: number): { y: Float64Array; attention: Float64Array } {
  const { W, F, T, H, Q, D, Hh, dirs, O, ffn, N, P, S, t0 } = modelDims(config, spec);
  const wt = (n: string) => {
    const w = weights[n];
    if (!w) throw new Error(`missing weight ${n}`);
    return w.data;
  };
  const targets = spec.targets.map((t) => spec.features.indexOf(t));
  const yOut = new Float64Array(batch * H * T * Q);
  const attOut = new Float64Array(batch * W);
  for (let b = 0; b < batch; b++) {
    let xs: Mat = Array.from({ length: W }, (_, w) => Float64Array.from(x.subarray((b * W + w) * F, (b * W + w + 1) * F)));
    const mu = new Float64Array(F);
    const sd = new Float64Array(F).fill(1);
    if (config.revin) {
      for (let f = 0; f < F; f++) {
        let m = 0;
        for (let w = 0; w < W; w++) m += xs[w][f];
        m /= W;
        let v = 0;
        for (let w = 0; w < W; w++) v += (xs[w][f] - m) ** 2;
        mu[f] = m;
        sd[f] = Math.sqrt(v / W + 1e-5);
      }
      xs = xs.map((r) => r.map((v, f) => (v - mu[f]) / sd[f]));
    }
    const p = linear(patches(xs, N, P, S, t0), wt('input_proj/kernel'), wt('input_proj/bias'), D);
    let h = p;
    for (let l = 0; l < config.lstm.numLayers; l++) {
      const fwd = lstmDirection(h, wt(`${lstmPrefix(l, 'fwd')}/kernel`), wt(`${lstmPrefix(l, 'fwd')}/bias`), Hh, false);
      if (dirs === 2) {
        const bwd = lstmDirection(h, wt(`${lstmPrefix(l, 'bwd')}/kernel`), wt(`${lstmPrefix(l, 'bwd')}/bias`), Hh, true);
        h = fwd.map((r, w) => Float64Array.from([...r, ...bwd[w]]));
      } else h = fwd;
    }
    const s = linear(p, wt('skip/kernel'), wt('skip/bias'), O);
    const gate = linear(h.map((r, w) => Float64Array.from([...r, ...s[w]])), wt('gate/kernel'), wt('gate/bias'), O).map((r) => r.map(sigmoid));
    let z: Mat = h.map((r, w) => r.map((lv, j) => gate[w][j] * lv + (1 - gate[w][j]) * s[w][j]));
    z = layerNorm(z, wt('ln_skip/gamma'), wt('ln_skip/beta'));
    const pos = wt('pos_emb');
    let e: Mat = linear(z, wt('proj/kernel'), wt('proj/bias'), D).map((r, w) => r.map((v, d) => v + pos[w * D + d]));
    const heads = config.transformer.heads;
    const dk = D / heads;
    for (let i = 0; i < config.transformer.layers; i++) {
      const pre = `enc_${i}`;
      const q = linear(e, wt(`${pre}/wq`), wt(`${pre}/bq`), D);
      const k = linear(e, wt(`${pre}/wk`), wt(`${pre}/bk`), D);
      const v = linear(e, wt(`${pre}/wv`), wt(`${pre}/bv`), D);
      const ctx: Mat = Array.from({ length: N }, () => new Float64Array(D));
      for (let hd = 0; hd < heads; hd++) {
        for (let a = 0; a < N; a++) {
          const sc = new Float64Array(N);
          for (let c = 0; c < N; c++) {
            let acc = 0;
            for (let j = 0; j < dk; j++) acc += q[a][hd * dk + j] * k[c][hd * dk + j];
            sc[c] = acc / Math.sqrt(dk);
          }
          const pr = softmax(sc);
          for (let c = 0; c < N; c++) for (let j = 0; j < dk; j++) ctx[a][hd * dk + j] += pr[c] * v[c][hd * dk + j];
        }
      }
      const att = linear(ctx, wt(`${pre}/wo`), wt(`${pre}/bo`), D);
      e = layerNorm(e.map((r, w) => r.map((vv, d) => vv + att[w][d])), wt(`${pre}/ln1/gamma`), wt(`${pre}/ln1/beta`));
      const f1 = linear(e, wt(`${pre}/ffn1/kernel`), wt(`${pre}/ffn1/bias`), ffn).map((r) => r.map((vv) => Math.max(0, vv)));
      const f2 = linear(f1, wt(`${pre}/ffn2/kernel`), wt(`${pre}/ffn2/bias`), D);
      e = layerNorm(e.map((r, w) => r.map((vv, d) => vv + f2[w][d])), wt(`${pre}/ln2/gamma`), wt(`${pre}/ln2/beta`));
    }
    let alpha: Float64Array;
    if (config.lstm.useAttention) {
      const kk = linear(e, wt('pool/kernel'), wt('pool/bias'), D);
      const u = wt('pool/query');
      alpha = softmax(kk.map((r) => r.reduce((acc, vv, d) => acc + vv * u[d], 0) / Math.sqrt(D)));
    } else alpha = new Float64Array(N).fill(1 / N);
    const pooled = new Float64Array(D);
    for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) pooled[d] += alpha[n] * e[n][d];
    const r = linear([pooled], wt('head/kernel'), wt('head/bias'), H * T * Q)[0];
    const wl = wt('linear_skip/kernel');
    const bl = wt('linear_skip/bias');
    const m = spec.quantiles.indexOf(0.5);
    for (let hh = 0; hh < H; hh++) {
      for (let t = 0; t < T; t++) {
        let base = bl[hh];
        for (let w = 0; w < W; w++) base += xs[w][targets[t]] * wl[w * H + hh];
        const at = (q: number) => r[(hh * T + t) * Q + q];
        const yq = new Float64Array(Q);
        yq[m] = base + at(m);
        for (let q = m + 1; q < Q; q++) yq[q] = yq[q - 1] + softplus(at(q));
        for (let q = m - 1; q >= 0; q--) yq[q] = yq[q + 1] - softplus(at(q));
        for (let q = 0; q < Q; q++) {
          const val = config.revin ? yq[q] * sd[targets[t]] + mu[targets[t]] : yq[q];
          yOut[((b * H + hh) * T + t) * Q + q] = val;
        }
      }
    }
    // Each token's weight shared evenly by the steps of its patch.
    for (let n = 0; n < N; n++) for (let q = 0; q < P; q++) attOut[b * W + t0 + n * S + q] += alpha[n] / P;
  }
  return { y: yOut, attention: attOut };
}
