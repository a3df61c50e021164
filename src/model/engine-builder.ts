/**
 * Builds the serving predictor of one model version: ONNX when it loads and agrees with tfjs,
 * else tfjs. Engine building only; which version to serve is the promoter's business.
 */
import type { Config } from '../config/load.ts';
import type { Predictor } from '../pipeline/ports.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { BackendInfo } from './backend.ts';
import { HybridModel } from './hybrid-model.ts';
import { TfjsPredictor } from './predictor.ts';
import { createInferenceEngine, type InferenceEngineOptions } from './onnx/engine.ts';
import { servingThreads } from './onnx/serving-threads.ts';
import type { GraphStore } from './stored-graph.ts';
import type { ModelVersion } from './version-registry.ts';

/**
 * Work on a new serving engine that the fine-tune trainer does instead of the serving thread: the
 * ONNX export of one of its models, and the tfjs side of the parity check.
 */
export interface EngineOffload {
  referee: (version: string) => Predictor;
  exportOnnx: (version: string) => Promise<Uint8Array>;
}

/** `keepGraph`: save the graph that passed the parity check with the version (a change this replica records in model.dir, which other replicas follow). */
export type EngineBuilder = (v: ModelVersion, offload?: EngineOffload, opts?: { keepGraph?: boolean }) => Promise<Predictor>;

/**
 * `offload` (optional: the fine-tune trainer holds the same weights) exports the ONNX graph and
 * answers the parity check instead of this thread; if ONNX is refused, a local tfjs predictor is
 * built to serve (never the referee). With `graphs` (model.dir), a verified graph saved with the
 * version is served as it is: no export and no parity check (it passed one where it was saved).
 */
export function engineBuilder(config: Config, backend: BackendInfo, logger: Logger, poolHooks?: InferenceEngineOptions['poolHooks'], graphs?: GraphStore): EngineBuilder {
  return async (v, offload, opts = {}) => {
    const local = () => new TfjsPredictor(HybridModel.fromWeights(v.config, v.spec, v.weights), { version: v.version, backend: backend.name });
    const stored = config.model.engine !== 'tfjs' && graphs ? await graphs.load(v.version, v.weightsSha256) : null;
    if (stored) logger.info({ version: v.version, modelBytes: stored.byteLength }, `ONNX graph of ${v.version} loaded from model.dir (no export or parity check here)`);
    const ref = !stored && offload && config.model.engine !== 'tfjs' ? offload.referee(v.version) : null;
    const source = stored ? { onnxBytes: () => Promise.resolve(stored), parityWindows: 0 } : offload ? { onnxBytes: () => offload.exportOnnx(v.version) } : {};
    const engine = await createInferenceEngine({
      engine: config.model.engine,
      weights: v.weights,
      config: v.config,
      spec: v.spec,
      version: v.version,
      intraOpThreads: config.model.onnxIntraOpThreads,
      onnxWorkers: servingThreads(config.model.onnxWorkers),
      poolOptional: config.model.onnxWorkers === 'auto',
      onnxCallTimeoutMs: config.model.onnxCallTimeoutMs,
      poolHooks,
      tfjs: () => ref ?? local(),
      ...source,
      log: (level, msg, fields) => logger[level](fields, msg),
    });
    if (engine.fallbackReason && config.model.engine !== 'tfjs') logger.warn({ reason: engine.fallbackReason, version: v.version }, 'serving with tfjs instead of ONNX');
    if (ref && engine.predictor === ref) return local();
    if (opts.keepGraph && graphs && !stored && engine.graph) await graphs.save(v.version, engine.graph);
    return engine.predictor;
  };
}
