/**
 * `tickcast detect --data file.csv --out results.csv`: stream a NAB-format CSV (`timestamp,value`)
 * tick by tick through the service's own code path — tick codec → window store → micro-batcher →
 * model (checkpoint from --model, else the service's start-up model: the shipped pretrained one, or a
 * bootstrap model where it does not fit the configuration) → anomaly detector — and write NAB
 * results (`timestamp,value,anomaly_score`). Causal: each row is scored from what came before it.
 * Rows the window store refuses (late or duplicate timestamps) score 0.
 *
 * `createPipelineDetect` is also what `npm run bench:nab` uses for its service-path column.
 */
import { writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../config/load.ts';
import type { ConfigInput } from '../config/schema.ts';
import { codecOptions, createWindowStore } from '../app-parts.ts';
import type { AnomalyConfig } from '../domain/anomaly/index.ts';
import type { RawRecord } from '../domain/types.ts';
import { SeriesOutlook } from '../pipeline/series-outlook.ts';
import { RecentAnomalies } from '../pipeline/recent-anomalies.ts';
import { InferenceStage } from '../pipeline/inference.ts';
import { createScorer } from '../pipeline/scorer.ts';
import { StreamPipeline } from '../pipeline/stream-pipeline.ts';
import type { TickOutcome } from '../pipeline/ports.ts';
import { createModelService, type ModelService } from '../model/model-service.ts';
import { nabTimestampMs, type PipelineDetect } from '../eval/nab/detect.ts';
import { readDataCsv, formatResultsCsv, type NabRow } from '../eval/nab/io.ts';
import { createLogger, type Logger } from '../telemetry/logger.ts';
import { createMetrics } from '../telemetry/metrics.ts';
import { formatHelp, parseOptions, usageError, type OptionTable } from './args.ts';
import { writeJson, type CliIo } from './io.ts';

const OPTIONS = {
  data: { type: 'string', required: true, help: 'NAB-format CSV: timestamp,value', placeholder: 'file.csv' },
  out: { type: 'string', required: true, help: 'results CSV to write (timestamp,value,anomaly_score)', placeholder: 'results.csv' },
  model: { type: 'string', help: 'checkpoint directory (default: TICKCAST_MODEL_DIR, else the shipped pretrained model, as the service starts)', placeholder: 'dir' },
  chunk: { type: 'number', default: 256, integer: true, min: 1, help: 'rows handed to the pipeline at once (batching only; scoring stays causal)' },
} satisfies OptionTable;

export interface PipelineDetector {
  detect: PipelineDetect;
  model: ModelService;
  close(): Promise<void>;
}

/** Build the service path once (model loaded once); each call scores one file with fresh state. */
export async function createPipelineDetect(config: Config, logger: Logger, chunk = 256): Promise<PipelineDetector> {
  const metrics = createMetrics({ defaultMetrics: false });
  const model = await createModelService(config, logger.child({ module: 'model' }), metrics);
  const detect: PipelineDetect = async (rows: readonly NabRow[], series: string, detector = {}) => {
    const spec = model.predictor.spec;
    // The service's store and codec, except that one file is scored at stride 1 and nothing is evicted.
    const store = createWindowStore(config, spec, { stride: 1, maxSeries: 16, idleEvictMs: Number.MAX_SAFE_INTEGER });
    const inference = new InferenceStage(model.predictor, { maxBatchSize: chunk, maxWaitMs: 0, maxInFlightBatches: 1 });
    const outcomes: TickOutcome[] = [];
    const scores: number[] = [];
    const pipeline = new StreamPipeline({
      store,
      outlook: new SeriesOutlook(),
      recentAnomalies: new RecentAnomalies(),
      inference,
      sink: { send: async () => {} },
      codec: codecOptions(config, spec),
      scorer: createScorer(config.anomaly, detector),
      observer: { tick: (o) => outcomes.push(o), score: (_s, v) => scores.push(v) },
      now: () => 0,
    });
    const feature = spec.features[0];
    for (let i = 0; i < rows.length; i += chunk) {
      const records: RawRecord[] = rows.slice(i, i + chunk).map((r, k) => ({
        key: Buffer.from(series),
        value: Buffer.from(JSON.stringify({ series, ts: nabTimestampMs(r.timestamp), values: { [feature]: r.value } })),
        headers: {},
        source: { topic: 'csv', partition: 0, offset: String(i + k) },
        receivedAtMs: 0,
      }));
      await pipeline.handle(records);
    }
    await inference.close();
    const out: number[] = [];
    let s = 0;
    for (const o of outcomes) out.push(o === 'accepted' ? scores[s++] : 0);
    return out;
  };
  return { detect, model, close: () => model.stop() };
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(formatHelp('detect', 'score every row of a NAB-format CSV through the service pipeline', OPTIONS));
    return 0;
  }
  const opts = parseOptions('detect', OPTIONS, argv);
  if (!opts.data || !opts.out) throw usageError('detect needs --data and --out');
  const overrides: ConfigInput = { logLevel: 'warn', http: { enabled: false } };
  if (opts.model) overrides.model = { dir: opts.model };
  const config = loadConfig({ overrides });
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const logger = createLogger({ level: 'warn', name: 'tickcast-detect', destination: quiet });
  const rows = readDataCsv(opts.data);
  const t0 = performance.now();
  const d = await createPipelineDetect(config, logger, opts.chunk);
  try {
    const scores = await d.detect(rows, 'csv');
    writeFileSync(opts.out, formatResultsCsv(rows, scores));
    const seconds = (performance.now() - t0) / 1000;
    writeJson(io.stdout, { rows: rows.length, out: opts.out, model: d.model.predictor.version, engine: d.model.predictor.engine, seconds: Number(seconds.toFixed(2)), maxScore: Math.max(...scores) });
  } finally {
    await d.close();
  }
  return 0;
}

let shared: Promise<PipelineDetector> | null = null;

/**
 * The service path for `npm run bench:nab` (NAB_PIPELINE_MODULE): one model for the whole run
 * (from TICKCAST_MODEL_DIR, else the shipped pretrained model, as the service starts), fresh
 * pipeline state per file; `detector` overrides the detector's tuned defaults (ANOMALY_CONFIG).
 */
export async function detectThroughPipeline(rows: readonly NabRow[], series: string, detector: Partial<AnomalyConfig> = {}): Promise<number[]> {
  shared ??= createPipelineDetect(
    loadConfig({ overrides: { logLevel: 'warn', http: { enabled: false } } }),
    createLogger({ level: 'warn', name: 'tickcast-nab', destination: new Writable({ write: (_c, _e, cb) => cb() }) }),
  );
  return (await shared).detect(rows, series, detector);
}
