/** Fine-tuning knobs that are not config keys (tests, benchmarks), resolved against the config. */
import type { Config } from '../../config/load.ts';
import type { PageHinkleyOptions } from './drift.ts';
import type { TrainerIsolation } from './worker-client.ts';

/** Knobs not in the config file (tests and benchmarks); defaults in parentheses. */
export interface FineTuneTuning {
  /** Pairs per gradient step (32). */
  batchSize?: number;
  /** Hold-out pairs scored per round (min(minSamples, 512)). */
  holdout?: number;
  /** Loop period in ms (250). */
  tickMs?: number;
  /** Shadow phase gives up after this long without enough live pairs (max(3 × intervalMs, 30 s)). */
  shadowTimeoutMs?: number;
  /** Raw gradient norm above which a step is treated as divergent (1e4). */
  maxGradNorm?: number;
  /** Most training pairs sent to the trainer per round (4096). */
  maxTrainPairs?: number;
  /**
   * Fraction of wall time the trainer computes (training steps and scoring slices); it rests in
   * proportion (1 = flat out). Default: config.finetune.dutyCycle (0.15) — on 2 cores serving p99
   * follows the trainer's CPU share (docs/benchmarks.md § Online fine-tuning).
   */
  dutyCycle?: number;
  /** Linux niceness of the trainer. Default: config.finetune.workerNice (10). */
  niceness?: number;
  /** Trainer in a child process or a worker thread. Default: config.finetune.isolation (process). */
  isolation?: TrainerIsolation;
  /** Minimum time between two drift-triggered rounds (intervalMs / 4). */
  driftCooldownMs?: number;
  drift?: PageHinkleyOptions;
  seed?: number;
}

export type Tuning = Required<Omit<FineTuneTuning, 'drift'>> & { drift: PageHinkleyOptions };


export function resolveTuning(c: Config, t: FineTuneTuning = {}): Tuning {
  const interval = c.finetune.intervalMs;
  return {
    batchSize: t.batchSize ?? 32,
    holdout: t.holdout ?? Math.min(c.finetune.minSamples, 512),
    tickMs: t.tickMs ?? 250,
    shadowTimeoutMs: t.shadowTimeoutMs ?? Math.max(3 * interval, 30_000),
    maxGradNorm: t.maxGradNorm ?? 1e4,
    maxTrainPairs: t.maxTrainPairs ?? 4096,
    dutyCycle: t.dutyCycle ?? c.finetune.dutyCycle,
    niceness: t.niceness ?? c.finetune.workerNice,
    isolation: t.isolation ?? c.finetune.isolation,
    driftCooldownMs: t.driftCooldownMs ?? interval / 4,
    drift: t.drift ?? {},
    seed: t.seed ?? 7,
  };
}


/** Steps per round, bounded (1 … 1,000). */
export const roundSteps = (steps: number): number => Math.max(1, Math.min(1_000, steps));

/** Learning rate of a round, capped at 0.01 (a fine-tune nudges, it does not retrain). */
export const roundLearningRate = (lr: number): number => Math.min(0.01, lr);
