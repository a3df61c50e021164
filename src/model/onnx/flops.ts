/**
 * Analytic model FLOPs per window of the hybrid architecture, as written in docs/model.md (no
 * credit for the exporter's folding): 2 FLOPs per multiply-accumulate of every matrix product,
 * LSTM gate products included. Elementwise work (activations, norms, softmax) is left out, as is
 * usual for model-FLOPs utilisation; it is a few percent here.
 */
import type { ModelSpec } from '../../domain/types.ts';
import type { ResolvedHybridConfig } from '../config.ts';
import { modelDims } from '../weight-names.ts';

export interface FlopsBreakdown {
  inputProjection: number;
  lstm: number;
  gatedSkip: number;
  encoder: number;
  pooling: number;
  head: number;
  total: number;
}

export function hybridFlopsPerWindow(config: ResolvedHybridConfig, spec: ModelSpec): FlopsBreakdown {
  // N tokens (one per patch; N = W for the per-step model); the patch unfold is a 0/1 copy, not counted.
  const { W, F, T, H, Q, D, Hh, dirs, O, ffn, P, N } = modelDims(config, spec);
  const mac = (n: number) => 2 * n;
  const inputProjection = mac(N * P * F * D);
  let lstm = 0;
  for (let l = 0; l < config.lstm.numLayers; l++) lstm += mac(dirs * N * ((l === 0 ? D : O) + Hh) * 4 * Hh);
  const gatedSkip = mac(N * D * O) + mac(N * 2 * O * O) + mac(N * O * D);
  const perLayer = mac(N * D * 3 * D) + mac(2 * N * N * D) + mac(N * D * D) + mac(2 * N * D * ffn);
  const encoder = config.transformer.layers * perLayer;
  const pooling = (config.lstm.useAttention ? mac(N * D * D) + mac(N * D) : 0) + mac(N * D);
  const head = mac(D * H * T * Q) + mac(W * H * T);
  return { inputProjection, lstm, gatedSkip, encoder, pooling, head, total: inputProjection + lstm + gatedSkip + encoder + pooling + head };
}
