/**
 * The hybrid forecaster: RevIN → input projection → (bi)LSTM stack with a gated linear skip →
 * LayerNorm → Transformer encoder → attention pooling → quantile head ordered by construction,
 * plus a channel-independent linear skip from the window (NLinear-style). The math, the weight
 * names and their shapes are in docs/model.md; names come from ./weight-names.ts, initial values
 * and the weight-map check from ./weight-values.ts, the patch-token front end from ./patch-front.ts.
 *
 * Weights are explicit tf.Variables held in one named map, so export, clone and save are plain
 * loops. Tensors returned by `predict` belong to the caller (dispose them); everything else is
 * created inside tidy().
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelSpec } from '../domain/types.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { resolveHybridConfig, targetIndices, validateSpec, type HybridConfigInput, type ResolvedHybridConfig } from './config.ts';
import { lstmSequence, type LstmDirWeights } from './lstm.ts';
import { lstmSequenceFast } from './lstm-fast.ts';
import { matmul } from './linalg.ts';
import { attentionPool, dense, dropout, encoderLayer, gatedLayerNorm, orderedQuantiles, revinStats, selectionMatrix } from './ops.ts';
import { PatchFront } from './patch-front.ts';
import { mulberry32 } from './random.ts';
import { lstmPrefix, modelDims, sizeOf, weightSpecs, type ModelDims, type WeightMap, type WeightSpec } from './weight-names.ts';
import { checkWeightMap, initialValue, shapeEq } from './weight-values.ts';

export interface PredictOptions {
  /** Also return the attention-pooling weights [B,W]. */
  attention?: boolean;
  /** Training mode: dropout on. Default false. */
  training?: boolean;
}

export interface ModelOutput {
  /** Quantile forecasts [B,H,T,Q], ascending along Q, in the same (normalised) space as x. */
  y: tf.Tensor4D;
  /** Attention weights mapped onto time steps [B,W] (rows sum to 1) when asked for. */
  attention?: tf.Tensor2D;
}

export class HybridModel {
  readonly config: ResolvedHybridConfig;
  readonly spec: ModelSpec;
  readonly dims: ModelDims;
  /** Manifest order of the weights. */
  readonly weightSpecs: readonly WeightSpec[];
  private readonly vars = new Map<string, tf.Variable>();
  private readonly targetSel: tf.Tensor2D | null;
  /** The patch-token front end (null for the per-step model). */
  private readonly patch: PatchFront | null;
  private readonly median: number;
  private disposed = false;
  /**
   * Seeds of the dropout masks, one per training forward pass: tf.dropout without a seed draws
   * from Math.random, which made seeded training (npm run pretrain, benchmarks) differ run to run.
   */
  private readonly dropoutRand: () => number;
  /** LSTM implementation: "auto" (by backend), "ops" (tf ops, autodiff) or "fast" (JS recurrence, custom gradient). */
  lstmMode: 'auto' | 'ops' | 'fast' = 'auto';

  /** Use createModel() or HybridModel.fromWeights(); `values` must hold every weight. */
  private constructor(config: ResolvedHybridConfig, spec: ModelSpec, values: (w: WeightSpec) => tf.Tensor, dropoutSeed: number) {
    validateSpec(spec);
    this.dropoutRand = mulberry32(dropoutSeed);
    this.config = config;
    this.spec = Object.freeze({ ...spec, features: [...spec.features], targets: [...spec.targets], quantiles: [...spec.quantiles] });
    this.dims = modelDims(config, spec);
    this.weightSpecs = weightSpecs(config, spec);
    for (const ws of this.weightSpecs) {
      const init = values(ws);
      this.vars.set(ws.name, tf.variable(init, true));
      init.dispose();
    }
    const idx = targetIndices(spec);
    const identity = this.dims.F === this.dims.T && idx.every((f, t) => f === t);
    this.targetSel = identity ? null : selectionMatrix(this.dims.F, idx);
    this.patch = PatchFront.create(this.dims);
    this.median = spec.quantiles.indexOf(0.5);
  }

  /** Fresh model with deterministic (seeded) initialisation. */
  static create(config: ResolvedHybridConfig, spec: ModelSpec, seed = 42): HybridModel {
    const rand = mulberry32(seed);
    const { W, Hh } = modelDims(config, spec);
    return new HybridModel(config, spec, (ws) => tf.tensor(initialValue(ws, rand, W, Hh), ws.shape, 'float32'), (seed ^ 0x5eed) >>> 0);
  }

  /** Model from named weight data (validated: every name present, shapes equal). */
  static fromWeights(config: ResolvedHybridConfig, spec: ModelSpec, weights: WeightMap, dropoutSeed = 1): HybridModel {
    checkWeightMap(weightSpecs(config, spec), weights);
    return new HybridModel(config, spec, (ws) => tf.tensor(weights[ws.name].data, ws.shape, 'float32'), dropoutSeed);
  }

  /** Trainable variables in manifest order (what the optimizer updates). */
  variables(): tf.Variable[] {
    this.assertLive();
    return [...this.vars.values()];
  }

  /** Forward pass. The returned tensors belong to the caller. */
  predict(x: tf.Tensor3D, opts: PredictOptions = {}): ModelOutput {
    this.assertLive();
    const { W, F } = this.dims;
    if (x.rank !== 3 || x.shape[1] !== W || x.shape[2] !== F) {
      throw new TickcastError(
        ErrorCodes.MODEL_INPUT_SHAPE,
        `model input must be [batch, ${W}, ${F}] (window × features); got [${x.shape.join(', ')}]`,
        { statusCode: 400 },
      );
    }
    return tf.tidy(() => {
      const { y, alpha } = this.forward(x, opts.training ?? false);
      if (!opts.attention) return { y };
      // Token attention [B,N] spread over each token's time steps → [B,W] (docs/model.md §6).
      return { y, attention: this.patch ? this.patch.toTime(alpha) : alpha };
    });
  }

  /** The whole forward math (docs/model.md §1–8). Call inside tidy(). */
  private forward(x: tf.Tensor3D, training: boolean): { y: tf.Tensor4D; alpha: tf.Tensor2D } {
    const w = Object.fromEntries(this.vars) as Record<string, tf.Tensor>;
    const { W, F, T, H, Q, Hh } = this.dims;
    const B = x.shape[0];
    const cfg = this.config;
    // 1. RevIN (no affine).
    let xn: tf.Tensor3D = x;
    let stats: { mu: tf.Tensor3D; sd: tf.Tensor3D } | null = null;
    if (cfg.revin) {
      stats = revinStats(x);
      xn = x.sub(stats.mu).div(stats.sd);
    }
    // 2. Patch embedding (the input projection of one step per token when P = S = 1).
    const p = dense(this.patch ? this.patch.patchify(xn) : xn, w['input_proj/kernel'], w['input_proj/bias']) as tf.Tensor3D;
    // 3. LSTM stack, dropout between layers.
    let h: tf.Tensor3D = p;
    for (let l = 0; l < cfg.lstm.numLayers; l++) {
      if (l > 0 && training) h = dropout(h, cfg.lstm.dropout, Math.floor(this.dropoutRand() * 2 ** 31)) as tf.Tensor3D;
      const dirs: LstmDirWeights[] = (cfg.lstm.bidirectional ? (['fwd', 'bwd'] as const) : (['fwd'] as const)).map((d) => ({
        kernel: w[`${lstmPrefix(l, d)}/kernel`],
        bias: w[`${lstmPrefix(l, d)}/bias`],
      }));
      h = this.lstmImpl()(h, dirs, Hh);
    }
    // 4. Gated skip, LayerNorm, projection to D, positional embedding.
    const s = dense(p, w['skip/kernel'], w['skip/bias']);
    // The gate reads [h, s]: [h, s]·K = h·K_h + s·K_s. Slicing the kernel's rows instead of
    // concatenating along the last axis spares wasm a slow last-axis concat and its split (~4 ms/step).
    const [, N, dh] = h.shape; // N tokens
    const gk = w['gate/kernel'];
    const gh = matmul(h.reshape([B * N, dh]), gk.slice([0, 0], [dh, -1]));
    const gs = matmul(s.reshape([B * N, s.shape[s.rank - 1]]), gk.slice([dh, 0], [-1, -1]));
    const gate = gh.add(gs).add(w['gate/bias']).reshape([B, N, -1]); // before the sigmoid
    const z = gatedLayerNorm(h, s, gate, w['ln_skip/gamma'], w['ln_skip/beta']); // LN(g·h + (1−g)·s), g = σ(gate)
    let e = dense(z, w['proj/kernel'], w['proj/bias']).add(w['pos_emb']) as tf.Tensor3D;
    // 5. Transformer encoder.
    for (let i = 0; i < cfg.transformer.layers; i++) e = encoderLayer(e, w, `enc_${i}`, cfg.transformer.heads);
    // 6. Attention pooling.
    const { pooled, alpha } = attentionPool(e, cfg.lstm.useAttention ? w : null);
    // 7. Head + linear skip, quantiles ordered by construction.
    const r = dense(pooled, w['head/kernel'], w['head/bias']).reshape([B, H, T, Q]) as tf.Tensor4D;
    const xt = this.pickTargets(xn.reshape([B * W, F])).reshape([B, W, T]); // [B,W,T]
    const base = dense(xt.transpose([0, 2, 1]).reshape([B * T, W]), w['linear_skip/kernel'], w['linear_skip/bias'])
      .reshape([B, T, H])
      .transpose([0, 2, 1]) as tf.Tensor3D;
    let y = orderedQuantiles(r, base, this.median);
    // 8. De-normalise.
    if (stats) {
      const mu = this.pickTargets(stats.mu.reshape([B, F])).reshape([B, 1, T, 1]);
      const sd = this.pickTargets(stats.sd.reshape([B, F])).reshape([B, 1, T, 1]);
      y = y.mul(sd).add(mu);
    }
    return { y, alpha };
  }

  /**
   * Which LSTM implementation runs: native TensorFlow ("tensorflow" backend) gets plain tf ops
   * (cheap slices, real kernels); wasm/cpu get the JS-recurrence custom-gradient op (see
   * ./lstm-fast.ts). `lstmMode` overrides, for tests and benchmarks.
   */
  private lstmImpl(): typeof lstmSequence {
    const mode = this.lstmMode === 'auto' ? (tf.getBackend() === 'tensorflow' ? 'ops' : 'fast') : this.lstmMode;
    return mode === 'ops' ? lstmSequence : lstmSequenceFast;
  }

  /** [N,F] → [N,T] target columns (identity when targets are the leading features). */
  private pickTargets(m: tf.Tensor): tf.Tensor {
    if (this.targetSel === null) return m;
    return tf.matMul(m as tf.Tensor2D, this.targetSel);
  }

  /** Named weights as plain data, in manifest order (a copy). */
  getWeights(): WeightMap {
    this.assertLive();
    const out: WeightMap = {};
    for (const ws of this.weightSpecs) {
      out[ws.name] = { shape: [...ws.shape], data: this.vars.get(ws.name)!.dataSync() as Float32Array };
    }
    return out;
  }

  /** Overwrite every weight; validates names and shapes first, so a bad map changes nothing. */
  setWeights(weights: WeightMap): void {
    this.assertLive();
    checkWeightMap(this.weightSpecs, weights);
    for (const ws of this.weightSpecs) {
      tf.tidy(() => this.vars.get(ws.name)!.assign(tf.tensor(weights[ws.name].data, ws.shape, 'float32')));
    }
  }

  /** Copy every variable's value from another model of the same architecture (on-device, no readback). */
  copyFrom(other: HybridModel): void {
    this.assertLive();
    for (const ws of this.weightSpecs) {
      const src = other.vars.get(ws.name);
      if (!src || !shapeEq(src.shape, ws.shape)) {
        throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_MISMATCH, `cannot copy weights: "${ws.name}" differs between models`);
      }
      this.vars.get(ws.name)!.assign(src);
    }
  }

  /** Deep copy with independent variables (the online fine-tuner trains a copy). */
  clone(): HybridModel {
    this.assertLive();
    return new HybridModel(this.config, this.spec, (ws) => this.vars.get(ws.name)!.clone(), Math.floor(this.dropoutRand() * 2 ** 32));
  }

  /** Total number of scalar parameters. */
  parameterCount(): number {
    return this.weightSpecs.reduce((n, ws) => n + sizeOf(ws.shape), 0);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Frees every variable; safe to call twice. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.targetSel?.dispose();
    this.patch?.dispose();
  }

  private assertLive(): void {
    if (this.disposed) throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, 'model has been disposed; load or create a new one');
  }
}

/** Build a model from a partial config (defaults filled in) with seeded initialisation. */
export function createModel(config: HybridConfigInput | ResolvedHybridConfig, spec: ModelSpec, seed = 42): HybridModel {
  return HybridModel.create(resolveHybridConfig(config), spec, seed);
}
