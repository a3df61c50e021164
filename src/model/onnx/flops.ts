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
  const { W, F, T, H, Q, D, Hh, dirs, O, ffn } = modelDims(config, spec);
  const mac = (n: number) => 2 * n;
  const inputProjection = mac(W * F * D);
  let lstm = 0;
  for (let l = 0; l < config.lstm.numLayers; l++) lstm += mac(dirs * W * ((l === 0 ? D : O) + Hh) * 4 * Hh);
  const gatedSkip = mac(W * D * O) + mac(W * 2 * O * O) + mac(W * O * D);
  const perLayer = mac(W * D * 3 * D) + mac(2 * W * W * D) + mac(W * D * D) + mac(2 * W * D * ffn);
  const encoder = config.transformer.layers * perLayer;
  const pooling = (config.lstm.useAttention ? mac(W * D * D) + mac(W * D) : 0) + mac(W * D);
  const head = mac(D * H * T * Q) + mac(W * H * T);
  return { inputProjection, lstm, gatedSkip, encoder, pooling, head, total: inputProjection + lstm + gatedSkip + encoder + pooling + head };
}
