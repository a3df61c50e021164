/**
 * Every Prometheus metric tickcast exports, in one place (docs/metrics.md is the reference; a test
 * keeps the two in sync). One registry per app, created in app.ts. Histograms, not summaries, so
 * quantiles aggregate across replicas.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

export function createMetrics(opts: { defaultMetrics: boolean; registry?: Registry }) {
  const registry = opts.registry ?? new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'tickcast_' });
  const r = [registry];
  return {
    registry,
    ticks: new Counter({ name: 'tickcast_ticks_total', help: 'Input records by outcome (accepted, late, duplicate, replaced, incomplete, dead_letter).', labelNames: ['result'] as const, registers: r }),
    deadLetters: new Counter({ name: 'tickcast_dlq_total', help: 'Records sent to the dead-letter topic, by error code.', labelNames: ['code'] as const, registers: r }),
    forecasts: new Counter({ name: 'tickcast_forecasts_total', help: 'Forecasts emitted.', registers: r }),
    anomalies: new Counter({ name: 'tickcast_anomalies_total', help: 'Anomaly alerts raised (state=firing), by severity.', labelNames: ['severity'] as const, registers: r }),
    anomalyResolved: new Counter({ name: 'tickcast_anomalies_resolved_total', help: 'Anomaly alerts resolved.', registers: r }),
    anomalyScore: new Gauge({ name: 'tickcast_anomaly_score', help: 'Latest anomaly score in [0,1] for the configured or top-k series (bounded label set).', labelNames: ['series'] as const, registers: r }),
    inferenceSeconds: new Histogram({ name: 'tickcast_inference_seconds', help: 'Model call duration per batch.', buckets: LATENCY_BUCKETS, registers: r }),
    batchQueueSeconds: new Histogram({ name: 'tickcast_batch_queue_seconds', help: 'Time the oldest window of a batch waited for the batch to start.', buckets: LATENCY_BUCKETS, registers: r }),
    batchSize: new Histogram({ name: 'tickcast_batch_size', help: 'Windows per model call.', buckets: BATCH_BUCKETS, registers: r }),
    tickToForecast: new Histogram({ name: 'tickcast_tick_to_forecast_seconds', help: 'From the tick record timestamp (broker append time) to its forecast being produced.', buckets: LATENCY_BUCKETS, registers: r }),
    consumerLag: new Gauge({ name: 'tickcast_consumer_lag', help: 'Records of an assigned input partition not yet committed by the group: high watermark − committed offset, read from the brokers every kafka.lagIntervalMs.', labelNames: ['topic', 'partition'] as const, registers: r }),
    offsetGaps: new Counter({ name: 'tickcast_consumer_offset_gaps_total', help: 'Input offsets never delivered to the pipeline, by reason: undecodable (the client skipped a batch it could not decode; dead-lettered) or unexplained (transaction markers, aborted transactions, compaction).', labelNames: ['topic', 'reason'] as const, registers: r }),
    seriesActive: new Gauge({ name: 'tickcast_series_active', help: 'Series with a window in memory.', registers: r }),
    seriesEvicted: new Counter({ name: 'tickcast_series_evicted_total', help: 'Series evicted (cap or idle).', registers: r }),
    pausedPartitions: new Gauge({ name: 'tickcast_paused', help: '1 while intake is paused for backpressure.', registers: r }),
    inferenceQueue: new Gauge({ name: 'tickcast_inference_queue', help: 'Windows waiting for a model batch.', registers: r }),
    modelInfo: new Gauge({ name: 'tickcast_model_info', help: 'The serving model (value 1).', labelNames: ['version', 'engine', 'backend'] as const, registers: r }),
    modelLastPromotion: new Gauge({ name: 'tickcast_model_last_promotion_timestamp_seconds', help: 'Unix time the serving model was loaded or promoted.', registers: r }),
    // Online fine-tuning (issue 6)
    trainLoss: new Gauge({ name: 'tickcast_finetune_loss', help: 'Pinball loss of the last fine-tune round (training data).', registers: r }),
    challengerError: new Gauge({ name: 'tickcast_finetune_eval_error', help: 'Hold-out/shadow error of champion and challenger in the last gate.', labelNames: ['role'] as const, registers: r }),
    finetuneRounds: new Counter({ name: 'tickcast_finetune_rounds_total', help: 'Fine-tune rounds by outcome (promoted, discarded, aborted, rolled_back).', labelNames: ['outcome'] as const, registers: r }),
    trainerRestarts: new Counter({ name: 'tickcast_finetune_trainer_restarts_total', help: 'Fine-tune trainer (process or thread) restarts after it died.', registers: r }),
    replayBufferSize: new Gauge({ name: 'tickcast_replay_buffer_size', help: 'Training pairs in the replay buffer.', registers: r }),
    driftEvents: new Counter({ name: 'tickcast_drift_detected_total', help: 'Drift detections on forecast residuals.', registers: r }),
    // HTTP
    // tickcast_http_request_duration_seconds{method,route,status} is registered by the HTTP adapter.
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
