/**
 * The service's own code path for one file of `timestamp,value` rows — tick codec → window store →
 * micro-batcher → model → anomaly detector — as `tickcast detect` and `npm run bench:nab` run it.
 * Causal: each row is scored from what came before it. A row the service refuses (late or
 * duplicate timestamp, unreadable timestamp or value) scores 0 and is returned in `refused`, so
 * the command can say so.
 */
import { Writable } from 'node:stream';
import { loadConfig, type Config } from '../config/load.ts';
import { codecOptions, createWindowStore } from '../app-parts.ts';
import type { AnomalyConfig } from '../domain/anomaly/index.ts';
import type { RawRecord } from '../domain/types.ts';
import { SeriesOutlook } from '../pipeline/series-outlook.ts';
import { RecentAnomalies } from '../pipeline/recent-anomalies.ts';
import { InferenceStage } from '../pipeline/inference.ts';
import { createScorer } from '../pipeline/scorer.ts';
import { StreamPipeline } from '../pipeline/stream-pipeline.ts';
import type { Predictor, TickOutcome } from '../pipeline/ports.ts';
import { createModelService } from '../model/model-service.ts';
import { nabTimestampMs, type PipelineDetect } from '../eval/nab/detect.ts';
import type { NabRow } from '../eval/nab/io.ts';
import { createLogger, type Logger } from '../telemetry/logger.ts';
import { createMetrics } from '../telemetry/metrics.ts';

/** A row the service did not accept: its index in the rows given and why (a tick outcome or a dead-letter code). */
export interface RefusedRow {
  index: number;
  reason: string;
}

export interface ScoredRows {
  /** One score in [0, 1] per row; 0 for a refused row. */
  scores: number[];
  refused: RefusedRow[];
}

export interface PipelineDetector {
  detect: PipelineDetect;
  /** An aborted `signal` stops between chunks, rejecting with its reason. */
  score(rows: readonly NabRow[], series: string, detector?: Partial<AnomalyConfig>, signal?: AbortSignal): Promise<ScoredRows>;
  predictor: Predictor;
  close(): Promise<void>;
}

const REASONS: Partial<Record<TickOutcome, string>> = {
  late: 'late: its timestamp is before the series\' latest one',
  duplicate: 'duplicate: same timestamp as an earlier row',
  replaced: 'duplicate: same timestamp as an earlier row, whose value it replaced',
  incomplete: 'incomplete: a feature is missing',
};

/**
 * Build the service path once; each call scores one file with fresh state. The model: `predictor`
 * when given (a model directory opened read-only), else the service's start-up model.
 */
export async function createPipelineDetect(config: Config, logger: Logger, chunk = 256, predictor?: Predictor): Promise<PipelineDetector> {
  const service = predictor ? null : await createModelService(config, logger.child({ module: 'model' }), createMetrics({ defaultMetrics: false }));
  const model = predictor ?? service!.predictor;
  const score = async (rows: readonly NabRow[], series: string, detector: Partial<AnomalyConfig> = {}, signal?: AbortSignal): Promise<ScoredRows> => {
    const spec = model.spec;
    // The service's store and codec, except that one file is scored at stride 1 and nothing is evicted.
    const store = createWindowStore(config, spec, { stride: 1, maxSeries: 16, idleEvictMs: Number.MAX_SAFE_INTEGER });
    const inference = new InferenceStage(model, { maxBatchSize: chunk, maxWaitMs: 0, maxInFlightBatches: 1 });
    const outcomes: TickOutcome[] = [];
    const deadLetters = new Map<number, string>();
    const scores: number[] = [];
    const pipeline = new StreamPipeline({
      store,
      outlook: new SeriesOutlook(),
      recentAnomalies: new RecentAnomalies(),
      inference,
      sink: { send: async () => {} },
      codec: codecOptions(config, spec),
      scorer: createScorer(config.anomaly, detector),
      observer: { tick: (o) => outcomes.push(o), score: (_s, v) => scores.push(v), deadLetter: (code, source) => deadLetters.set(Number(source.offset), code) },
      now: () => 0,
    });
    const feature = spec.features[0];
    for (let i = 0; i < rows.length; i += chunk) {
      signal?.throwIfAborted();
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
    const refused: RefusedRow[] = [];
    let s = 0;
    outcomes.forEach((o, index) => {
      out.push(o === 'accepted' ? scores[s++] : 0);
      if (o !== 'accepted') refused.push({ index, reason: o === 'dead_letter' ? `dead-lettered: ${deadLetters.get(index) ?? 'refused'}` : (REASONS[o] ?? o) });
    });
    return { scores: out, refused };
  };
  return {
    score,
    detect: async (rows, series, detector) => (await score(rows, series, detector)).scores,
    predictor: model,
    close: () => (service ? service.stop() : model.dispose()),
  };
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
