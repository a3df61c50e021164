/**
 * The hybrid tfjs model behind the CLI and the accuracy benchmark: training with early stopping
 * on validation loss, and loading a saved artifact. Integration with src/model's training API and
 * artifact store is in progress; until then both throw TC_ENGINE_UNAVAILABLE.
 */
import type { ModelSpec } from '../domain/types.ts';
import type { Predictor } from '../pipeline/ports.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import type { PreparedData } from './dataset.ts';
import type { CliIo } from './io.ts';
import type { DataProvenance, LoadedModel } from './model-dir.ts';
import type { TrainOptions } from './train.ts';

export interface HybridFitRequest {
  data: PreparedData;
  spec: ModelSpec;
  config: { dModel: number; lstm?: Record<string, unknown>; transformer?: { layers?: number; heads?: number; ffn?: number | null }; revin?: boolean };
  epochs: number;
  batchSize: number;
  lr: number;
  patience: number;
  maxTrainWindows?: number;
  maxValWindows: number;
  seed: number;
  backend: string;
  /** Stop training (keeping the best weights so far) after this long. */
  timeBudgetMs?: number;
  io: CliIo;
}

export interface HybridFitSummary extends Record<string, unknown> {
  epochsRun: number;
  bestEpoch: number;
  trainWindowsUsed: number;
  stoppedBy?: string;
}

export interface FittedHybrid {
  predictor: Predictor;
  summary: HybridFitSummary;
  save(dir: string, provenance: DataProvenance): Promise<void>;
}

export interface HybridTrainInput {
  opts: TrainOptions;
  quantiles: number[];
  data: PreparedData;
  provenance: DataProvenance;
  io: CliIo;
}

function notYet(): TickcastError {
  return new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, 'the hybrid model is not wired into the CLI in this build; use --arch linear');
}

export async function fitHybrid(_req: HybridFitRequest): Promise<FittedHybrid> {
  throw notYet();
}

export async function trainHybrid(_input: HybridTrainInput): Promise<Record<string, unknown>> {
  throw notYet();
}

export async function loadHybridModel(_dir: string): Promise<LoadedModel> {
  throw notYet();
}
