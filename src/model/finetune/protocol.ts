/** Messages between the fine-tune trainer (a child process by default, or a worker thread) and the serving side (structured-clone safe). */
import type { ModelSpec } from '../../domain/types.ts';
import type { BackendPreference } from '../backend.ts';
import type { ResolvedHybridConfig } from '../config.ts';
import type { WeightMap } from '../weight-names.ts';
import type { TrainBatch } from './trainer.ts';

export type ModelRole = 'champion' | 'challenger' | 'previous';

export type WorkerRequest =
  | { type: 'init'; backend: BackendPreference; nativeKernels: boolean; config: ResolvedHybridConfig; spec: ModelSpec; weights: WeightMap; /** Linux niceness of the trainer: every thread of its process, or its worker thread (0 = unchanged). */ nice: number }
  /** Replace the champion (manual rollback); drops challenger and previous. */
  | { type: 'setChampion'; weights: WeightMap }
  /**
   * Train a challenger (a copy of the champion) for `steps` steps, then score both on `holdout`.
   * `gen`: the fine-tuner's champion generation the round was started under; a `{ supersede }`
   * message naming a later one ends it at its next step.
   */
  | { type: 'train'; gen: number; steps: number; learningRate: number; batchSize: number; train: TrainBatch; holdout: TrainBatch; maxGradNorm: number; seed: number; /** Fraction of wall time spent computing (rests between steps). */ dutyCycle: number }
  /** Sum of |p50 − truth| per model present, over `pairs` (normalised units), paced by the duty cycle. */
  | { type: 'score'; pairs: TrainBatch; roles: ModelRole[]; dutyCycle: number }
  /** previous ← champion, champion ← challenger. */
  | { type: 'promote' }
  /** champion ← previous (automatic rollback). */
  | { type: 'revert' }
  /** Drop a held model: the challenger (default), or the previous champion once a promotion's watch has ended without a rollback. */
  | { type: 'discard'; role?: 'challenger' | 'previous' }
  /** Forward pass of one held model (the parity referee for a new ONNX engine). */
  | { type: 'predict'; role: ModelRole; x: Float32Array; batch: number; attention: boolean }
  /** ONNX export of one held model (the serving thread then only opens a session on the bytes). */
  | { type: 'export'; role: ModelRole; version: string }
  | { type: 'memory' }
  | { type: 'close' };

/**
 * Out-of-band messages, handled at once (a training round in flight sees them at its next step):
 * `abort` stops (true) or allows (false) training steps, sticky; `supersede` ends any round started
 * under an older champion generation (its result would be thrown away).
 */
export type WorkerSignal = { abort: boolean } | { supersede: number };

export interface HoldoutScores {
  champion: { mae: number; pinball: number };
  challenger: { mae: number; pinball: number };
}

export type WorkerReply =
  | { ok: true; backend?: string; matmul?: string; nice?: number | null }
  | { ok: true; trained: { losses: number[]; gradNormMax: number; seconds: number; holdout: HoldoutScores; weights: WeightMap } }
  | { ok: true; scores: Partial<Record<ModelRole, number>>; count: number }
  | { ok: true; numTensors: number }
  | { ok: true; onnx: Uint8Array }
  | { ok: true; y: Float32Array; attention?: Float32Array }
  | { ok: false; error: { code?: string; message: string } };
