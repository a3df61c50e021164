/**
 * The hybrid tfjs model behind the CLI: training with early stopping and loading a saved artifact.
 * Integration with src/model's training API and artifact store is in progress.
 */
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import type { PreparedData } from './dataset.ts';
import type { CliIo } from './io.ts';
import type { DataProvenance, LoadedModel } from './model-dir.ts';
import type { TrainOptions } from './train.ts';

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

export async function trainHybrid(_input: HybridTrainInput): Promise<Record<string, unknown>> {
  throw notYet();
}

export async function loadHybridModel(_dir: string): Promise<LoadedModel> {
  throw notYet();
}
