/**
 * A ServingApi over the real parts: the tfjs hybrid model (seeded, untrained — its numbers are
 * arbitrary but deterministic and depend on the input), TfjsPredictor, the shared InferenceStage
 * (micro-batcher) and the integrator's ServingService. Used by the predict tests and the REST
 * benchmark so that /v1/predict is exercised end to end through the same batcher as the stream.
 */
import type { ModelSpec } from '../../../../src/domain/types.ts';
import { WindowStore } from '../../../../src/domain/window-store.ts';
import { logMask } from '../../../../src/domain/model-spec.ts';
import { initBackend } from '../../../../src/model/backend.ts';
import type { HybridConfigInput } from '../../../../src/model/config.ts';
import { createModel } from '../../../../src/model/hybrid-model.ts';
import { TfjsPredictor } from '../../../../src/model/predictor.ts';
import { SeriesOutlook } from '../../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../../src/pipeline/recent-anomalies.ts';
import { InferenceStage } from '../../../../src/pipeline/inference.ts';
import type { HealthState, LiveEvent, ModelInfo, Predictor } from '../../../../src/pipeline/ports.ts';
import { ServingService } from '../../../../src/pipeline/serving.ts';

export const SMALL_CONFIG: HybridConfigInput = {
  dModel: 16,
  lstm: { hiddenSize: null, numLayers: 1, dropout: 0, bidirectional: true, useAttention: true },
  transformer: { layers: 1, heads: 2, ffn: 32 },
  revin: true,
};

export const SMALL_SPEC: ModelSpec = {
  window: 32,
  features: ['value'],
  targets: ['value'],
  horizon: 4,
  quantiles: [0.1, 0.5, 0.9],
};

export interface ModelServing {
  serving: ServingService;
  store: WindowStore;
  inference: InferenceStage;
  /** Sizes of the micro-batches that ran, in order. */
  batchSizes: number[];
  backend: string;
  close(): Promise<void>;
}

export interface ModelServingOptions {
  spec?: ModelSpec;
  config?: HybridConfigInput;
  maxBatchSize?: number;
  maxWaitMs?: number;
  maxInFlightBatches?: number;
  highWaterMark?: number;
  lowWaterMark?: number;
  /** Wrap the real predictor (e.g. to hold batches at a gate); it still computes every answer. */
  wrap?: (p: Predictor) => Predictor;
  /** The window store's windows.fillMissed (default 0). */
  fillMissed?: number;
}

export async function createModelServing(opts: ModelServingOptions = {}): Promise<ModelServing> {
  const spec = opts.spec ?? SMALL_SPEC;
  const info = await initBackend();
  const model = createModel(opts.config ?? SMALL_CONFIG, spec, 7);
  const real = new TfjsPredictor(model, { version: 'test-seed-7', backend: info.name });
  const predictor = opts.wrap ? opts.wrap(real) : real;
  const batchSizes: number[] = [];
  const inference = new InferenceStage(predictor, {
    maxBatchSize: opts.maxBatchSize ?? 32,
    maxWaitMs: opts.maxWaitMs ?? 2,
    maxInFlightBatches: opts.maxInFlightBatches ?? 2,
    highWaterMark: opts.highWaterMark,
    lowWaterMark: opts.lowWaterMark,
    observer: { batch: (size) => batchSizes.push(size) },
  });
  const store = new WindowStore({
    window: spec.window,
    features: spec.features.length,
    stride: 1,
    maxSeries: 1000,
    idleEvictMs: 3_600_000,
    duplicatePolicy: 'drop',
    normHalfLifeTicks: 500,
    logFeatures: logMask(spec),
    fillMissed: opts.fillMissed,
  });
  const listeners = new Set<(e: LiveEvent) => void>();
  const modelInfo = (): ModelInfo => ({ version: predictor.version, engine: predictor.engine, backend: predictor.backend, spec: { ...spec } });
  const serving = new ServingService({
    store,
    outlook: new SeriesOutlook(),
    recentAnomalies: new RecentAnomalies(),
    inference,
    model: { info: modelInfo, rollback: async () => modelInfo() },
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    health: (): HealthState => ({ live: true, ready: true, reasons: [], draining: false }),
    maxQueued: 10_000,
  });
  return {
    serving,
    store,
    inference,
    batchSizes,
    backend: info.name,
    close: async () => {
      await inference.close();
      await real.dispose();
    },
  };
}
