/**
 * Compiles the hybrid model (docs/model.md) from its named tfjs weights into an ONNX graph.
 *
 * Graph-level choices (docs/inference.md explains why each pays):
 * - one fused ONNX `LSTM` op per layer, both directions, instead of N unrolled steps
 *   (N tokens: one per patch of the window, docs/model.md §2); our fused
 *   [in+Hh, 4Hh] kernel with gates i,f,g,o is split into W/R and re-ordered to ONNX's i,o,f,c here;
 * - the recurrent and position-wise part runs sequence-major ([N, B, ·]) so that the only layout
 *   changes are the LSTM direction merge and the attention head split — no [B,W]↔[W,B] round trips;
 * - position-wise layers work on 2-D rows [N·B, C], so every dense layer is one Gemm with the
 *   bias fused (onnxruntime does not fuse MatMul+Add on 3-D inputs; separate Adds cost ~10%);
 * - constant folding at export time: Q/K/V fused into one [D, 3D] Gemm with 1/√dk folded into Q;
 *   the pooling key projection and query folded into one [D] vector (k·u = e·(Wa·u) + ba·u);
 *   projection bias + positional embedding merged; the per-target linear skip expanded into one
 *   [W·F, H·T] matrix; the quantile chain (median + cumulative softplus) as one [Q, Q] MatMul;
 * - a symbolic `batch` dimension, so one session serves every batch size.
 */
import type { ModelSpec } from '../../domain/types.ts';
import type { ResolvedHybridConfig } from '../config.ts';
import { modelDims, lstmPrefix, weightSpecs, type WeightMap } from '../weight-names.ts';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import { GraphBuilder } from './graph-builder.ts';
import { isPerStep, tokenToTimeMatrix, unfoldMatrix } from '../patch.ts';
import { quantileChainMatrix } from '../quantile-chain.ts';

/** RevIN and LayerNorm epsilon, as in docs/model.md. */
const EPS = 1e-5;

export interface ExportOptions {
  /** Stored in the model metadata (`tickcast.version`). */
  version?: string;
}

function get(weights: WeightMap, name: string, shape: readonly number[]): Float32Array {
  const w = weights[name];
  const fix = 'the weights do not belong to this config/spec; export from the model that produced them';
  if (!w) throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_MISMATCH, `ONNX export: weight "${name}" is missing; ${fix}`);
  if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
    throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_MISMATCH, `ONNX export: weight "${name}" has shape [${w.shape.join(',')}], expected [${shape.join(',')}]; ${fix}`);
  }
  return w.data;
}

/** ONNX gate block k ∈ (i, o, f, c) → our block index in (i, f, g, o). */
const ONNX_TO_OURS = [0, 3, 1, 2];

/** Splits a fused [in+Hh, 4Hh] kernel (gates i,f,g,o) into ONNX W [4Hh, in], R [4Hh, Hh], B [8Hh]. */
export function lstmToOnnx(kernel: Float32Array, bias: Float32Array, inSize: number, Hh: number): { W: Float32Array; R: Float32Array; B: Float32Array } {
  const W = new Float32Array(4 * Hh * inSize);
  const R = new Float32Array(4 * Hh * Hh);
  const B = new Float32Array(8 * Hh); // Wb ⊕ Rb; Rb stays zero
  const cols = 4 * Hh;
  for (let blk = 0; blk < 4; blk++) {
    const src = ONNX_TO_OURS[blk] * Hh;
    for (let j = 0; j < Hh; j++) {
      const row = blk * Hh + j;
      for (let k = 0; k < inSize; k++) W[row * inSize + k] = kernel[k * cols + src + j];
      for (let k = 0; k < Hh; k++) R[row * Hh + k] = kernel[(inSize + k) * cols + src + j];
      B[row] = bias[src + j];
    }
  }
  return { W, R, B };
}

/**
 * Builds the ONNX model. Inputs: `x` [batch, W, F] float32 (z-normalised windows). Outputs:
 * `y` [batch, H, T, Q] and `attention` [batch, W]. Throws when a weight is missing or mis-shaped.
 */
export function exportOnnx(weights: WeightMap, config: ResolvedHybridConfig, spec: ModelSpec, opts: ExportOptions = {}): Uint8Array {
  for (const s of weightSpecs(config, spec)) get(weights, s.name, s.shape);
  const dims = modelDims(config, spec);
  const { W, F, T, H, Q, D, Hh, dirs, O, ffn, P, N } = dims;
  const targets = spec.targets.map((t) => spec.features.indexOf(t));
  const g = new GraphBuilder('tickcast_hybrid');
  const init = (name: string, shape: number[], data?: ArrayLike<number>) =>
    g.initializer(name, shape, data ?? get(weights, name, shape));

  const x = g.input('x', ['batch', W, F]);

  // 1. RevIN (batch-major; statistics over the window axis).
  let xn = x;
  let mu = '';
  let sd = '';
  if (config.revin) {
    mu = g.reduceMean(x, [1]);
    const xc = g.sub(x, mu);
    const variance = g.reduceMean(g.mul(xc, xc), [1]);
    sd = g.sqrt(g.add(variance, g.scalar(EPS)));
    xn = g.div(xc, sd);
  }

  // 2. Patch embedding (input projection), sequence-major from here. Position-wise layers see
  // "rows" [N·B, C] (row = n·B + b) so every dense layer is one Gemm with its bias fused; the LSTM,
  // the positional embedding and attention view the same buffer as [N, B, C] (Reshape is free).
  const rows3 = (t: string, c: number) => g.reshape(t, [N, -1, c]);
  const rows2 = (t: string, c: number) => g.reshape(t, [-1, c]);
  const xs = rows2(patchesSequenceMajor(g, xn, dims), P * F);
  const p = g.gemm(xs, init('input_proj/kernel', [P * F, D]), init('input_proj/bias', [D])); // [N·B, D]

  // 3. Stacked LSTM, one fused ONNX op per layer.
  let h = rows3(p, D);
  for (let l = 0; l < config.lstm.numLayers; l++) {
    const inSize = l === 0 ? D : O;
    const parts = (dirs === 2 ? (['fwd', 'bwd'] as const) : (['fwd'] as const)).map((dir) => {
      const pre = lstmPrefix(l, dir);
      return lstmToOnnx(get(weights, `${pre}/kernel`, [inSize + Hh, 4 * Hh]), get(weights, `${pre}/bias`, [4 * Hh]), inSize, Hh);
    });
    const cat = (k: 'W' | 'R' | 'B') => {
      const out = new Float32Array(parts.reduce((n, q) => n + q[k].length, 0));
      let off = 0;
      for (const q of parts) {
        out.set(q[k], off);
        off += q[k].length;
      }
      return out;
    };
    const Wl = g.initializer(`lstm_${l}/W`, [dirs, 4 * Hh, inSize], cat('W'));
    const Rl = g.initializer(`lstm_${l}/R`, [dirs, 4 * Hh, Hh], cat('R'));
    const Bl = g.initializer(`lstm_${l}/B`, [dirs, 8 * Hh], cat('B'));
    const y = g.node('LSTM', [h, Wl, Rl, Bl], { hidden_size: Hh, direction: dirs === 2 ? 'bidirectional' : 'forward' });
    // Y: [W, dirs, B, Hh] → [W, B, dirs·Hh] with the forward half first.
    h = dirs === 2 ? g.reshape(g.transpose(y, [0, 2, 1, 3]), [0, 0, O]) : g.reshape(y, [0, -1, Hh]);
  }
  const lstmOut = rows2(h, O);

  // 4. Gated skip + LayerNorm + projection to D (+ positional embedding folded with the bias).
  const s = g.gemm(p, init('skip/kernel', [D, O]), init('skip/bias', [O]));
  // gate = σ([l, s]·Wg + bg) = σ(l·Wg_top + (s·Wg_bottom + bg)): two Gemms, no Concat copy.
  const gk = get(weights, 'gate/kernel', [2 * O, O]);
  const gateS = g.gemm(s, g.initializer('gate/kernel_skip', [O, O], gk.subarray(O * O)), init('gate/bias', [O]));
  const gate = g.sigmoid(g.gemm(lstmOut, g.initializer('gate/kernel_lstm', [O, O], gk.subarray(0, O * O)), gateS));
  let z = g.add(s, g.mul(gate, g.sub(lstmOut, s))); // g·l + (1−g)·s
  z = g.layerNorm(z, init('ln_skip/gamma', [O]), init('ln_skip/beta', [O]), EPS);
  const bp = get(weights, 'proj/bias', [D]);
  const pos = get(weights, 'pos_emb', [N, D]);
  const posBias = new Float32Array(N * D);
  for (let n = 0; n < N; n++) for (let d = 0; d < D; d++) posBias[n * D + d] = pos[n * D + d] + bp[d];
  let e = rows2(g.add(rows3(g.matmul(z, init('proj/kernel', [O, D])), D), g.initializer('proj/bias_plus_pos', [N, 1, D], posBias)), D);

  // 5. Transformer encoder (post-norm), still [N, B, D].
  const heads = config.transformer.heads;
  const dk = D / heads;
  for (let i = 0; i < config.transformer.layers; i++) {
    const pre = `enc_${i}`;
    const scale = 1 / Math.sqrt(dk);
    const wqkv = new Float32Array(D * 3 * D);
    const bqkv = new Float32Array(3 * D);
    ['q', 'k', 'v'].forEach((m, j) => {
      const wm = get(weights, `${pre}/w${m}`, [D, D]);
      const bm = get(weights, `${pre}/b${m}`, [D]);
      const f = m === 'q' ? scale : 1;
      for (let r = 0; r < D; r++) for (let c = 0; c < D; c++) wqkv[r * 3 * D + j * D + c] = wm[r * D + c] * f;
      for (let c = 0; c < D; c++) bqkv[j * D + c] = bm[c] * f;
    });
    // One [D, 3D] Gemm, then a single Transpose of [N, B, 3, h, dk] to [3, B, h, N, dk] whose
    // three slices are Q, K, V per head (Split on the outermost axis is a contiguous copy).
    const qkv = g.gemm(e, g.initializer(`${pre}/wqkv`, [D, 3 * D], wqkv), g.initializer(`${pre}/bqkv`, [3 * D], bqkv));
    const heads5 = g.transpose(g.reshape(qkv, [N, -1, 3, heads, dk]), [2, 1, 3, 0, 4]);
    const [qh, kh, vh] = g.multi('Split', [heads5, g.ints([1, 1, 1])], 3, { axis: 0 }).map((t) => g.reshape(t, [-1, heads, N, dk]));
    const att = g.softmax(g.matmul(qh, g.transpose(kh, [0, 1, 3, 2])), -1); // [B, h, N, N]
    const ctx = g.reshape(g.transpose(g.matmul(att, vh), [2, 0, 1, 3]), [-1, D]); // [N·B, D]
    const a = g.gemm(ctx, init(`${pre}/wo`, [D, D]), init(`${pre}/bo`, [D]));
    e = g.layerNorm(g.add(e, a), init(`${pre}/ln1/gamma`, [D]), init(`${pre}/ln1/beta`, [D]), EPS);
    const f1 = g.relu(g.gemm(e, init(`${pre}/ffn1/kernel`, [D, ffn]), init(`${pre}/ffn1/bias`, [ffn])));
    const f2 = g.gemm(f1, init(`${pre}/ffn2/kernel`, [ffn, D]), init(`${pre}/ffn2/bias`, [D]));
    e = g.layerNorm(g.add(e, f2), init(`${pre}/ln2/gamma`, [D]), init(`${pre}/ln2/beta`, [D]), EPS);
  }

  // 6. Attention pooling. score = (e·Wa + ba)·u/√D = e·(Wa·u/√D) + ba·u/√D, folded in float64.
  let alpha: string;
  let pooled: string;
  if (config.lstm.useAttention) {
    const Wa = get(weights, 'pool/kernel', [D, D]);
    const ba = get(weights, 'pool/bias', [D]);
    const u = get(weights, 'pool/query', [D]);
    const inv = 1 / Math.sqrt(D);
    const wu = new Float32Array(D);
    let bu = 0;
    for (let r = 0; r < D; r++) {
      let acc = 0;
      for (let c = 0; c < D; c++) acc += Wa[r * D + c] * u[c];
      wu[r] = acc * inv;
    }
    for (let c = 0; c < D; c++) bu += ba[c] * u[c];
    const score = g.gemm(e, g.initializer('pool/key_query', [D, 1], wu), g.initializer('pool/key_bias', [1], [bu * inv])); // [N·B, 1]
    const alphaNB = g.softmax(g.reshape(score, [N, -1]), 0); // softmax over the token axis
    alpha = g.transpose(alphaNB, [1, 0]); // [B, N]
    // Token attention spread over each token's time steps → [B, W] (docs/model.md §6).
    if (!isPerStep(dims)) alpha = g.matmul(alpha, g.initializer('pool/token_to_time', [N, W], tokenToTimeMatrix(dims)));
    pooled = g.node('ReduceSum', [g.mul(rows3(e, D), g.unsqueeze(alphaNB, [2])), g.ints([0])], { keepdims: 0 }); // [B, D]
  } else {
    pooled = g.reduceMean(rows3(e, D), [0], false);
    // Uniform 1/N per token, mapped onto time steps: one constant row, expanded over the batch.
    const m = tokenToTimeMatrix(dims);
    const row = new Float32Array(W);
    for (let n = 0; n < N; n++) for (let w = 0; w < W; w++) row[w] += m[n * W + w] / N;
    const shape = g.node('Concat', [g.node('Shape', [x], { start: 0, end: 1 }), g.ints([W])], { axis: 0 });
    alpha = g.node('Expand', [g.initializer('pool/uniform_time', [1, W], row), shape]);
  }

  // 7. Head + linear skip + ordered quantiles.
  const r = g.reshape(g.gemm(pooled, init('head/kernel', [D, H * T * Q]), init('head/bias', [H * T * Q])), [-1, H, T, Q]);
  const wl = get(weights, 'linear_skip/kernel', [W, H]);
  const bl = get(weights, 'linear_skip/bias', [H]);
  const skipM = new Float32Array(W * F * H * T); // [(w,f), (h,t)] = Wl[w,h] where f is target t
  const skipB = new Float32Array(H * T);
  for (let t = 0; t < T; t++) {
    for (let hh = 0; hh < H; hh++) {
      skipB[hh * T + t] = bl[hh];
      for (let w = 0; w < W; w++) skipM[(w * F + targets[t]) * H * T + hh * T + t] += wl[w * H + hh];
    }
  }
  const base = g.reshape(g.gemm(g.reshape(xn, [0, W * F]), g.initializer('linear_skip/expanded', [W * F, H * T], skipM), g.initializer('linear_skip/bias_tiled', [H * T], skipB)), [-1, H, T, 1]);
  const m = spec.quantiles.indexOf(0.5);
  // v = r at the median, softplus(r) elsewhere; y = base + v·A with A encoding the cumulative chain.
  const isMedian = g.bool('quantile/is_median', [Q], spec.quantiles.map((_, k) => k === m));
  const v = g.where(isMedian, r, g.softplus(r));
  let y = g.add(g.matmul(v, g.initializer('quantile/chain', [Q, Q], quantileChainMatrix(Q, m))), base);

  // 8. De-normalise with the window's own statistics.
  if (config.revin) {
    const pick = (t: string) => g.unsqueeze(g.gather(t, targets, 2), [3]); // [B,1,F] → [B,1,T,1]
    y = g.add(g.mul(y, pick(sd)), pick(mu));
  }

  g.output(y, 'y', ['batch', H, T, Q]);
  g.output(alpha, 'attention', ['batch', W]);
  return g.toModel({
    producerVersion: '1',
    docString: 'tickcast hybrid BiLSTM + Transformer forecaster (see docs/model.md)',
    metadata: {
      'tickcast.version': opts.version ?? '',
      'tickcast.spec': JSON.stringify(spec),
      'tickcast.config': JSON.stringify(config),
    },
  });
}

/**
 * xn [B, W, F] → patches sequence-major [N, B, P·F] (element p·F + f = step start(n)+p, feature
 * f), the same constant unfold matmul as the tfjs model (../patch.ts). Per-step: a transpose.
 */
function patchesSequenceMajor(g: GraphBuilder, xn: string, dims: ReturnType<typeof modelDims>): string {
  const { W, F, P, N } = dims;
  if (isPerStep(dims)) return g.transpose(xn, [1, 0, 2]);
  const unfold = g.initializer('patch/unfold', [W, N * P], unfoldMatrix(dims));
  if (F === 1) return g.transpose(g.reshape(g.matmul(g.reshape(xn, [-1, W]), unfold), [-1, N, P]), [1, 0, 2]);
  const u = g.matmul(g.transpose(xn, [0, 2, 1]), unfold); // [B, F, N·P]
  return g.transpose(g.reshape(u, [-1, F, N, P]), [2, 0, 3, 1]); // [N, B, P, F]
}
