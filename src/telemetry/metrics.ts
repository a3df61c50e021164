/**
 * Every Prometheus metric tickcast exports, in one place (docs/metrics.md is the reference; a test
 * keeps the two in sync). One registry per app, created in app.ts. Histograms, not summaries, so
 * quantiles aggregate across replicas.
 */
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { BUILD_INFO } from './build-info.ts';
import { StatusGauge } from './status-gauge.ts';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/**
 * Tick → forecast: from a Kafka record timestamp (ms resolution, so nothing under 1 ms), and a
 * consumer that lags, restarts or replays is seconds to minutes behind. Before 7 Dec 2026 this used
 * LATENCY_BUCKETS (top 5 s): every lagging tick fell in +Inf and histogram_quantile() reported 5 s
 * for any p99 beyond it. Up to 30 min, at most ×3 between bounds; older ticks count in +Inf only.
 */
const TICK_LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
/** Register `metric` afterwards: prom-client's constructor refuses exemplars on a text-format registry, though its text render leaves them out. */
function registered<M extends Histogram>(metric: M, registers: Registry[]): M {
  for (const reg of registers) reg.registerMetric(metric);
  return metric;
}

const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/**
 * Seconds the main thread's event loop was busy (Node's eventLoopUtilization), as a counter:
 * rate() is the main thread's utilisation — the decoding, windowing, scoring and producing that
 * the serving threads do not take. With the serving threads' utilisation it says which side
 * limits throughput (docs/inference.md "Serving threads").
 */
/** tickcast_model_unfinished_versions, read at each scrape from the function `watch` was given (the version registry's count; 0 before). */
function unfinishedVersionsGauge(registers: Registry[]) {
  let read = () => 0;
  new Gauge({
    name: 'tickcast_model_unfinished_versions',
    help: 'Fine-tuned versions in model.dir that a promotion saved but never recorded as current (found at start, TC_MODEL_PROMOTION_UNFINISHED): not served; listed in GET /v1/model unfinishedVersions until served by hand or pruned.',
    registers,
    collect() {
      this.set(read());
    },
  });
  return {
    watch(fn: () => number): void {
      read = fn;
    },
  };
}

function threadMetrics(registers: Registry[]) {
  let seen = 0;
  return {
    eventLoopBusySeconds: new Counter({
      name: 'tickcast_event_loop_busy_seconds_total',
      help: "Seconds the main thread's event loop was busy (Node's eventLoopUtilization): rate() is its utilisation.",
      registers,
      collect() {
        const active = performance.eventLoopUtilization().active;
        if (active > seen) this.inc((active - seen) / 1000);
        seen = active;
      },
    }),
    onnxBusySeconds: new Counter({ name: 'tickcast_onnx_thread_busy_seconds_total', help: 'Seconds the ONNX serving threads (model.onnxWorkers) spent running the model, all threads together: rate() / tickcast_onnx_serving_threads is their utilisation.', registers }),
    onnxServingThreads: new Gauge({ name: 'tickcast_onnx_serving_threads', help: 'Live ONNX serving threads of the serving model (0 when it is served in the main thread).', registers }),
  };
}

/** The input consumer's view of the brokers (Kafka mode): lag, reachability, offsets never delivered. */
function kafkaMetrics(r: Registry[]) {
  const kafkaUp = new Gauge({ name: 'tickcast_kafka_up', help: "1 when the last read of the input topic's offsets from the brokers (every kafka.lagIntervalMs, from the first assignment on) succeeded, 0 when it failed and before the first read (the consumer lag gauge keeps its last value meanwhile). Kafka mode only: absent in embedded mode.", registers: r });
  // prom-client exports an unlabelled gauge as 0 until set: embedded mode, which never sets it,
  // showed tickcast_kafka_up 0 for good and fired TickcastKafkaUnreachable (until 7 Dec 2026).
  kafkaUp.remove();
  return {
    consumerLag: new Gauge({ name: 'tickcast_consumer_lag', help: 'Records of an assigned input partition not yet committed by the group: high watermark − committed offset, read from the brokers every kafka.lagIntervalMs.', labelNames: ['topic', 'partition'] as const, registers: r }),
    kafkaUp,
    // Open alerts that follow their partition (topics.alertState; docs/reliability.md)
    alertStateInherited: new Counter({ name: 'tickcast_alert_state_inherited_total', help: 'Open alerts read from topics.alertState for input partitions this instance took over (each is later resolved as "moved" or kept as its own).', registers: r }),
    alertStateMoved: new Counter({ name: 'tickcast_alert_state_moved_total', help: 'Inherited alerts this instance resolved with reason "moved" (its own detector did not have them firing).', registers: r }),
    alertStateUnread: new Counter({ name: 'tickcast_alert_state_unread_partitions_total', help: 'Input partitions taken over whose alert state could not be read, by reason (timeout: not read to its end within 15 s; error: the read failed; missing_partition: the alert-state topic has fewer partitions than the input). Alerts the previous owner left open on them stay open downstream.', labelNames: ['reason'] as const, registers: r }),
    offsetGaps: new Counter({ name: 'tickcast_consumer_offset_gaps_total', help: 'Input offsets never delivered to the pipeline, by reason: undecodable (the client skipped a batch it could not decode; dead-lettered) or unexplained (transaction markers, aborted transactions, compaction).', labelNames: ['topic', 'reason'] as const, registers: r }),
  };
}

/** Fusion with fast baselines (fusion.*): series per source, read at each scrape. */
function fusionMetrics(registers: Registry[]) {
  let read: (() => Record<string, number>) | null = null;
  return {
    /** Read tickcast_forecast_source_series from this function at each scrape (ForecastFusion.servedCounts). */
    watchForecastSources(r: () => Record<string, number>): void {
      read = r;
    },
    forecastSources: new Gauge({
      name: 'tickcast_forecast_source_series',
      help: "Series by what their model forecasts are served as: source=\"model\", or the fast baseline that has done better on the series' recent ticks (baseline:naive, baseline:seasonal-naive, baseline:drift; fusion.*).",
      labelNames: ['source'] as const,
      registers,
      collect() {
        if (read) for (const [source, n] of Object.entries(read())) this.set({ source }, n);
      },
    }),
  };
}

/** Online fine-tuning (issue 6) and the fine-tune lease of a shared model directory. */
function finetuneMetrics(r: Registry[]) {
  return {
    trainLoss: new Gauge({ name: 'tickcast_finetune_loss', help: 'Pinball loss of the last fine-tune round (training data).', registers: r }),
    challengerError: new Gauge({ name: 'tickcast_finetune_eval_error', help: 'Hold-out/shadow error of champion and challenger in the last gate.', labelNames: ['role'] as const, registers: r }),
    finetuneRounds: new Counter({ name: 'tickcast_finetune_rounds_total', help: 'Fine-tune rounds by outcome (promoted, discarded, aborted; a promotion\'s watch: rolled_back, kept, replaced — an operator served a newer version —, aborted). A manual change of the serving version counts only when it ends a watch (tickcast_model_manual_changes_total counts every one).', labelNames: ['outcome'] as const, registers: r }),
    finetuneLeaseHeld: new Gauge({ name: 'tickcast_finetune_lease_held', help: '1 while this replica holds the fine-tune lease of a shared model directory (it alone fine-tunes and promotes); without model.dir, 1 wherever fine-tuning is on (nothing to lease).', registers: r }),
    finetuneFenced: new Counter({ name: 'tickcast_finetune_fenced_writes_total', help: 'Promotion (and automatic rollback) writes to a shared model directory refused because the fine-tune lease moved to another replica (epoch) after this one checked it (a stalled holder).', registers: r }),
    trainerRestarts: new Counter({ name: 'tickcast_finetune_trainer_restarts_total', help: 'Fine-tune trainer (process or thread) restarts after it died.', registers: r }),
    replayBufferSize: new Gauge({ name: 'tickcast_replay_buffer_size', help: 'Training pairs in the replay buffer.', registers: r }),
    driftEvents: new Counter({ name: 'tickcast_drift_detected_total', help: 'Drift detections on forecast residuals.', registers: r }),
  };
}

/**
 * tickcast_snapshot_* and tickcast_warmup_records_total: what the series-state snapshotter has
 * done, read from its status when Prometheus scrapes (absent while snapshots are off or, for the
 * last-snapshot series, until one is written; ./status-gauge.ts). The rule TickcastSnapshotStale.
 * Until 7 Dec 2026 in a file of their own (snapshot-metrics.ts), against "every name in one file".
 */
/** What the snapshot metrics read at each scrape (the snapshotter's status, structurally). */
interface SnapshotReadings {
  intervalMs: number;
  last: { atMs: number; series: number; bytes: number; captureMs: number; writeMs: number } | null;
  failures: number;
  replayed: { full: number; window: number };
}

function snapshotMetrics(registers: Registry[]) {
  let read: (() => SnapshotReadings) | null = null;
  let startedS = 0;
  const status = () => read?.() ?? null;
  const gauge = (name: string, help: string, value: (s: SnapshotReadings) => number | null) => new StatusGauge<SnapshotReadings>(registers, status, name, help, value);
  return {
    /** Read these metrics from the snapshotter at each scrape. */
    watchSnapshots(r: () => SnapshotReadings): void {
      read = r;
      startedS = Date.now() / 1000;
    },
    // TickcastSnapshotStale's reference until the first snapshot; until 7 Dec 2026 it read process_start_time_seconds,
    // which telemetry.defaultMetrics false leaves out, so there it never fired before a first snapshot.
    snapshotStarted: gauge('tickcast_snapshot_started_timestamp_seconds', 'Unix time series-state snapshots began on this process.', () => startedS),
    snapshotLastSuccess: gauge('tickcast_snapshot_last_success_timestamp_seconds', 'Unix time the last series-state snapshot was written.', (s) => (s.last ? s.last.atMs / 1000 : null)),
    snapshotBytes: gauge('tickcast_snapshot_bytes', 'Size of the last series-state snapshot file.', (s) => s.last?.bytes ?? null),
    snapshotSeries: gauge('tickcast_snapshot_series', 'Series in the last series-state snapshot.', (s) => s.last?.series ?? null),
    snapshotInterval: gauge('tickcast_snapshot_interval_seconds', 'Configured time between periodic series-state snapshots (0: only at shutdown).', (s) => s.intervalMs / 1000),
    snapshotDuration: new Gauge({
      name: 'tickcast_snapshot_duration_seconds',
      help: 'Duration of the last snapshot by phase: capture (intake held) and write (checksum, write, fsync; intake flowing).',
      labelNames: ['phase'] as const,
      registers,
      collect() {
        const last = status()?.last;
        if (!last) return;
        this.set({ phase: 'capture' }, last.captureMs / 1000);
        this.set({ phase: 'write' }, last.writeMs / 1000);
      },
    }),
    snapshotFailures: new Counter({
      name: 'tickcast_snapshot_failures_total',
      help: 'Series-state snapshots that failed since start (the previous snapshot file stays).',
      registers,
      collect() {
        const s = status();
        if (!s) return;
        this.reset();
        this.inc(s.failures);
      },
    }),
    warmupRecords: new Counter({
      name: 'tickcast_warmup_records_total',
      help: 'Input records re-read since start to rebuild state, by kind: full (the tail after a snapshot, through inference and the detector) or window (plain replay: windows and the detector, no model). Counted while snapshots are on.',
      labelNames: ['kind'] as const,
      registers,
      collect() {
        const s = status();
        if (!s) return;
        this.reset();
        this.inc({ kind: 'full' }, s.replayed.full);
        this.inc({ kind: 'window' }, s.replayed.window);
      },
    }),
  };
}

/** What became of the input records: their ticks' outcomes, ticks stamped ahead, SenML readings skipped. */
function inputMetrics(r: Registry[]) {
  return {
      ticks: new Counter({ name: 'tickcast_ticks_total', help: 'Input records by outcome (accepted, late, duplicate, replaced, merged, incomplete, dead_letter); with input.format senml, each tick of a pack (a refused pack once, dead_letter). A tick that failed once windowed (read or scored) stays accepted; its dead letter is counted in tickcast_dlq_total only.', labelNames: ['result'] as const, registers: r }),
      ticksAhead: new Counter({ name: 'tickcast_ticks_ahead_total', help: 'Ticks accepted stamped more than input.clockSkewMs ahead of when they were sent (within input.maxFutureMs): a device clock fast. Their series steps back onto its true clock.', registers: r }),
      senmlSkipped: new Counter({ name: 'tickcast_senml_skipped_total', help: 'Readings of SenML packs (input.format senml) taken as no tick, by reason: not_numeric (a string, boolean or data value, or a sum alone), other_name (input.senmlSeries baseName: a name that is no input.features), name_case (baseName: a name that differs from a feature only in case; SenML names are case-sensitive), repeated (a second reading of a name at one time with the same value, taken once). The rest of each pack went on.', labelNames: ['reason'] as const, registers: r }),
  };
}

export function createMetrics(opts: { defaultMetrics: boolean; registry?: Registry }) {
  const registry = opts.registry ?? new Registry();
  // Node's default process metrics under their standard names (process_*, nodejs_*), so stock
  // Node.js dashboards and alerts work unchanged.
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const r = [registry];
  let readQueue: (() => number) | null = null;
  new Gauge({ name: 'tickcast_build_info', help: 'Always 1; labels say which tickcast version runs on which Node.js.', labelNames: ['version', 'node_version'] as const, registers: r }).set(
    { version: BUILD_INFO.version, node_version: BUILD_INFO.nodeVersion },
    1,
  );
  return {
    registry,
    /** Read tickcast_inference_queue from this function at each scrape (the batcher's live depth). */
    watchInferenceQueue(read: () => number): void {
      readQueue = read;
    },

    ...inputMetrics(r),
    produceFailures: new Counter({ name: 'tickcast_kafka_produce_failures_total', help: "Sends of outputs to Kafka that failed (the chunk's input offsets stay uncommitted and its records are processed again), by the client's error type.", labelNames: ['error'] as const, registers: r }),
    deadLetters: new Counter({ name: 'tickcast_dlq_total', help: 'Records sent to the dead-letter topic, by error code.', labelNames: ['code'] as const, registers: r }),
    forecasts: new Counter({ name: 'tickcast_forecasts_total', help: "Model forecasts emitted (served as the model's, or as a baseline by fusion; cold-series baselines not counted).", registers: r }),
    feedGaps: new Counter({ name: 'tickcast_series_gaps_total', help: 'Ticks that ended a gap in their series\' event time (more than anomaly.gapFactor typical intervals after the previous tick: a feed back from an outage), by scored feature.', labelNames: ['feature'] as const, registers: r }),
    featureCarried: new Counter({ name: 'tickcast_feature_carried_total', help: 'Accepted ticks that came without a feature and got no reading of it merged in later (input.missingFeature carry): its last value was carried forward, by input feature. Counted when the series\' next tick comes.', labelNames: ['feature'] as const, registers: r }),
    missedReadings: new Counter({ name: 'tickcast_series_missed_readings_total', help: 'Readings a series read on a clock did not deliver: its next tick came 2 to anomaly.gapFactor typical intervals late (the detector filled them in), by scored feature.', labelNames: ['feature'] as const, registers: r }),
    anomalies: new Counter({ name: 'tickcast_anomalies_total', help: 'Anomaly alerts raised (state=firing), by severity, the feature that fired and the view of surprise that fired.', labelNames: ['severity', 'feature', 'view'] as const, registers: r }),
    anomalyResolved: new Counter({ name: 'tickcast_anomalies_resolved_total', help: 'Anomaly alerts resolved, by feature and reason (recovered, evicted, reset, moved, stale).', labelNames: ['feature', 'reason'] as const, registers: r }),
    anomalyScore: new Gauge({ name: 'tickcast_anomaly_score', help: 'Latest anomaly score in [0,1] for the configured or top-k series (bounded label set).', labelNames: ['series'] as const, registers: r }),
    ...threadMetrics(r), ...fusionMetrics(r), ...kafkaMetrics(r),
    inferenceSeconds: new Histogram({ name: 'tickcast_inference_seconds', help: 'Model call duration per batch.', buckets: LATENCY_BUCKETS, registers: r }),
    batchQueueSeconds: new Histogram({ name: 'tickcast_batch_queue_seconds', help: 'Time the oldest window of a batch waited for the batch to start.', buckets: LATENCY_BUCKETS, registers: r }),
    batchSize: new Histogram({ name: 'tickcast_batch_size', help: 'Windows per model call.', buckets: BATCH_BUCKETS, registers: r }),
    // Exemplars (trace_id of the chunk's span, pipeline-observer.ts): OpenMetrics scrapes only (exposition.ts).
    tickToForecast: registered(new Histogram({ name: 'tickcast_tick_to_forecast_seconds', help: "From the tick's Kafka record timestamp (producer CreateTime, or broker append time with LogAppendTime topics) to its forecast being produced.", buckets: TICK_LATENCY_BUCKETS, enableExemplars: true, registers: [] }), r),
    seriesActive: new Gauge({ name: 'tickcast_series_active', help: 'Series with a window in memory.', registers: r }),
    seriesEvicted: new Counter({ name: 'tickcast_series_evicted_total', help: 'Series dropped from memory, by reason: cap (windows.maxSeries reached: the least recently seen went), idle (windows.idleEvictMs), removed (explicitly, or their input partition went to another instance).', labelNames: ['reason'] as const, registers: r }),
    pausedPartitions: new Gauge({ name: 'tickcast_paused', help: '1 while intake is paused for backpressure.', registers: r }),
    inferenceQueue: new Gauge({
      name: 'tickcast_inference_queue',
      help: 'Windows waiting for a model batch.',
      registers: r,
      collect() {
        if (readQueue) this.set(readQueue());
      },
    }),
    modelInfo: new Gauge({ name: 'tickcast_model_info', help: 'The serving model (value 1).', labelNames: ['version', 'engine', 'backend'] as const, registers: r }),
    modelUnfinishedVersions: unfinishedVersionsGauge(r),
    modelDirUnrecorded: new Gauge({ name: 'tickcast_model_dir_unrecorded', help: '1 while the serving version (or its pin) could not be recorded in model.dir (full, read-only, permissions; TC_MODEL_DIR_UNWRITABLE): retried every model.followIntervalMs.', registers: r }),
    modelLastPromotion: new Gauge({ name: 'tickcast_model_last_promotion_timestamp_seconds', help: 'Unix time this replica loaded its model at start or last changed to a newer version (a promotion, here or followed from model.dir; a manual change forward). A rollback to an older version leaves it as it was (before 6 Dec 2026 it reset it, and with it TickcastModelStale): see tickcast_model_last_rollback_timestamp_seconds.', registers: r }),
    modelLastRollback: new Gauge({ name: 'tickcast_model_last_rollback_timestamp_seconds', help: 'Unix time this replica last changed to an older version than the one serving (automatic or manual rollback, here or followed from model.dir); 0: none since start.', registers: r }),
    modelManualChanges: new Counter({ name: 'tickcast_model_manual_changes_total', help: 'Changes of the serving version made on this replica through POST /v1/model/rollback, by direction (older: a rollback; newer: a re-promotion); fine-tuning on or off. Not fine-tune rounds (tickcast_finetune_rounds_total), not versions followed from a shared model.dir.', labelNames: ['direction'] as const, registers: r }),
    modelPinned: new Gauge({ name: 'tickcast_model_pinned', help: '1 while the serving model is pinned (POST /v1/model/rollback with pin, here or on a replica sharing model.dir): fine-tuning does not replace it, and TickcastModelStale stays quiet.', registers: r }),
    ...finetuneMetrics(r),
    // Alert feedback, incidents, band quality (issue 16)
    feedback: new Counter({ name: 'tickcast_feedback_total', help: 'Alert feedback recorded, by verdict (false_positive, confirmed, expected, clear) and channel (http, mcp, kafka).', labelNames: ['verdict', 'channel'] as const, registers: r }),
    feedbackEntries: new Gauge({ name: 'tickcast_feedback_entries', help: 'Feedback entries in effect.', registers: r }),
    alertsSuppressed: new Counter({ name: 'tickcast_alerts_suppressed_total', help: 'Alerts held back by feedback, by reason (false_positive: below the raised bar; expected: maintenance span).', labelNames: ['reason'] as const, registers: r }),
    incidents: new Counter({ name: 'tickcast_incidents_total', help: 'Incident records published, by state (open: opened or updated; closed).', labelNames: ['state'] as const, registers: r }),
    bandCoverageSeries: new Gauge({ name: 'tickcast_band_coverage_series', help: 'Series whose rolling p10–p90 coverage is ≤ at_most (a histogram across series, recomputed at scrape; not `le`, which Prometheus keeps for histogram buckets).', labelNames: ['at_most'] as const, registers: r }),
    bandPinballSeries: new Gauge({ name: 'tickcast_band_pinball_scaled_series', help: 'Series whose rolling scaled pinball loss is ≤ at_most (a histogram across series, recomputed at scrape; not `le`, which Prometheus keeps for histogram buckets).', labelNames: ['at_most'] as const, registers: r }),
    bandCoverage: new Gauge({ name: 'tickcast_band_coverage', help: 'Rolling p10–p90 coverage of the top-k worst-calibrated series (bounded label set).', labelNames: ['series'] as const, registers: r }),
    bandPinball: new Gauge({ name: 'tickcast_band_pinball_scaled', help: 'Rolling scaled pinball loss of the same top-k series.', labelNames: ['series'] as const, registers: r }),
    bandNominal: new Gauge({ name: 'tickcast_band_nominal_coverage', help: 'Coverage a calibrated band has (upper − lower quantile level, 0.8 for p10–p90).', registers: r }),
    // Series-state snapshots (issue 16): read from the snapshotter when Prometheus scrapes
    ...snapshotMetrics(r),
    // HTTP: httpMetrics() below, made by the HTTP adapter on this registry.
  };
}

/**
 * The HTTP adapter's metrics, got from `registry` or made in it: a registry may serve more than
 * one server build (tests build several on one). The keys gauge reads `apiKeys` at each scrape, so
 * it is made afresh for each build (the newest server's keys). Before 7 Dec 2026 the adapter
 * defined these itself (server.ts, api-key-reload.ts); names, labels and buckets are unchanged.
 */
export function httpMetrics(registry: Registry, apiKeys: () => number) {
  const got = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make();
  const requestDuration = got('tickcast_http_request_duration_seconds', () => new Histogram({
    name: 'tickcast_http_request_duration_seconds',
    help: 'HTTP request duration by route template and status, seconds',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  }));
  const apiKeyReloads = got('tickcast_http_api_key_reloads_total', () => new Counter({
    name: 'tickcast_http_api_key_reloads_total',
    help: 'Changes of the API keys file seen while running, by result: applied, or rejected (keys in force kept)',
    labelNames: ['result'] as const,
    registers: [registry],
  }));
  registry.removeSingleMetric('tickcast_http_api_keys');
  new Gauge({ name: 'tickcast_http_api_keys', help: 'API keys the HTTP server accepts now', registers: [registry], collect() { this.set(apiKeys()); } });
  return { requestDuration, apiKeyReloads };
}

export type HttpMetrics = ReturnType<typeof httpMetrics>;

export type Metrics = ReturnType<typeof createMetrics>;
