/**
 * Turns the core's events into metrics, and fans live events out to subscribers (dashboard SSE).
 * The per-series score gauge is bounded: only configured series, or the current top-k by score.
 */
import { context, trace } from '@opentelemetry/api';
import type { PipelineObserver, LiveEvent, AnomalyRecord } from '../pipeline/ports.ts';
import type { Metrics } from './metrics.ts';
import { RESOLVE_REASONS, SURPRISE_VIEWS, TopKSeriesGauge } from '../domain/anomaly/index.ts';
import type { EvictionReason } from '../domain/series-registry.ts';
import { SeriesCapWarning, type SeriesCapWarningOptions } from './series-cap-warning.ts';
import { LateTickWarning, type LateTick, type LateTickWarningOptions } from './late-tick-warning.ts';

export interface ObserverOptions {
  scoreGaugeSeries: readonly string[];
  scoreGaugeTopK: number;
  /** Warn (rate-limited) when series are evicted at windows.maxSeries; absent: no warning (tests, tools). */
  capWarning?: SeriesCapWarningOptions;
  /** Name the series of late ticks (rate-limited); absent: the metric only. */
  lateWarning?: LateTickWarningOptions;
}

/** The `reason` label of tickcast_series_evicted_total for each registry reason. */
const EVICTION_LABEL: Record<EvictionReason, string> = { capacity: 'cap', idle: 'idle', removed: 'removed', reset: 'reset' };

/** The `reason` label of tickcast_anomalies_resolved_total: `recovered` (a record without a reason) or the record's reason. */
const RESOLVED_LABELS = ['recovered', ...RESOLVE_REASONS] as const;

export class TelemetryObserver implements PipelineObserver {
  readonly #m: Metrics;
  readonly #listeners = new Set<(e: LiveEvent) => void>();
  readonly #scores: TopKSeriesGauge;
  readonly #cap: SeriesCapWarning | null;
  readonly #late: LateTickWarning | null;
  #features: readonly string[] = []; // input.features (expectFeatures), to name a carried one

  constructor(metrics: Metrics, opts: ObserverOptions) {
    this.#m = metrics;
    // With an opt-in list, only those series; else the top k by latest score.
    this.#scores = new TopKSeriesGauge({ k: opts.scoreGaugeSeries.length > 0 ? 0 : opts.scoreGaugeTopK, optIn: opts.scoreGaugeSeries });
    this.#cap = opts.capWarning ? new SeriesCapWarning(opts.capWarning) : null;
    this.#late = opts.lateWarning ? new LateTickWarning(opts.lateWarning) : null;
    // Every reason exists at 0 from the start: increase() (and TickcastSeriesCapEvictions) sees the first eviction too.
    for (const reason of Object.values(EVICTION_LABEL)) metrics.seriesEvicted.inc({ reason }, 0);
    for (const reason of ['timeout', 'error', 'missing_partition'] as const) metrics.alertStateUnread.inc({ reason }, 0);
    for (const reason of ['rebalance', 'coordinator', 'other'] as const) metrics.commitFailures.inc({ reason }, 0);
    // The selection is applied when Prometheus scrapes, not per tick.
    (metrics.anomalyScore as unknown as { collect: () => void }).collect = () => {
      const { set, remove } = this.#scores.select();
      for (const series of remove) metrics.anomalyScore.remove({ series });
      for (const { series, score } of set) metrics.anomalyScore.set({ series }, score);
    };
  }

  tick(outcome: string, ahead = false, late?: LateTick, carried?: readonly number[]): void {
    this.#m.ticks.inc({ result: outcome });
    this.#carried(carried);
    if (ahead) this.#m.ticksAhead.inc();
    if (late) this.#late?.late(late);
  }

  /** tickcast_feature_carried_total: a tick lacked these features for good (input.features indices). */
  #carried(features: readonly number[] | undefined): void {
    if (features) for (const f of features) if (f < this.#features.length) this.#m.featureCarried.inc({ feature: this.#features[f] });
  }

  deadLetter(code: string): void {
    this.#m.deadLetters.inc({ code });
  }

  skipped(counts: Readonly<Record<string, number>>): void {
    for (const [reason, n] of Object.entries(counts)) if (n > 0) this.#m.senmlSkipped.inc({ reason }, n);
  }

  produceFailed(error: string): void {
    this.#m.produceFailures.inc({ error });
  }

  batch(size: number, seconds: number, wait: number): void {
    this.#m.batchSize.observe(size);
    this.#m.inferenceSeconds.observe(seconds);
    this.#m.batchQueueSeconds.observe(wait);
  }

  forecast(_series: string, seconds: number): void {
    this.#m.forecasts.inc();
    // The exemplar names the span of the chunk the tick came in (its first traced record's trace),
    // when it is recorded — a trace the backend will have. Grafana jumps from a slow bucket to it.
    const span = trace.getSpan(context.active());
    const sc = span?.isRecording() ? span.spanContext() : undefined;
    this.#m.tickToForecast.observe({ value: seconds, labels: {}, exemplarLabels: sc ? { trace_id: sc.traceId, span_id: sc.spanId } : {} });
  }

  score(series: string, score: number): void {
    this.#scores.observe(series, score);
  }

  /**
   * The input features, in order (tickcast_feature_carried_total names them), and the scored ones,
   * each counter's label sets created at 0: a labelled series that first appears at 1 has no
   * earlier sample, so `increase()` — and an alert rule built on it (TickcastCriticalAnomaly) —
   * would miss the first anomaly of each kind after every start.
   */
  expectFeatures(input: readonly string[], scored: readonly string[]): void {
    this.#features = input;
    for (const feature of input) this.#m.featureCarried.inc({ feature }, 0);
    for (const feature of scored) {
      for (const reason of RESOLVED_LABELS) this.#m.anomalyResolved.inc({ feature, reason }, 0);
      for (const severity of ['warning', 'critical'] as const) for (const view of SURPRISE_VIEWS) this.#m.anomalies.inc({ severity, feature, view }, 0);
    }
  }

  anomaly(rec: AnomalyRecord): void {
    // `feature` is bounded by the model's feature list (a handful) and `view` by the detector's
    // seven views and rules, so both are safe as labels; a resolve's `reason` by RESOLVE_REASONS.
    const feature = rec.feature ?? '';
    if (rec.state === 'firing') this.#m.anomalies.inc({ severity: rec.severity, feature, view: rec.view ?? '' });
    else this.#m.anomalyResolved.inc({ feature, reason: rec.reason ?? 'recovered' });
    if (rec.state === 'resolved' && rec.reason === 'moved') this.#m.alertStateMoved.inc();
  }

  /** Open alerts read from topics.alertState for a partition taken over. */
  alertsInherited(count: number): void {
    this.#m.alertStateInherited.inc(count);
  }

  /** Partitions taken over whose alert state was not read (why: timeout, error, missing_partition). */
  alertStateUnread(reason: 'timeout' | 'error' | 'missing_partition', partitions: number): void {
    this.#m.alertStateUnread.inc({ reason }, partitions);
  }

  /** An input offset commit failed or was refused (src/adapters/kafka/commit-failure.ts: why). */
  commitFailed(reason: 'rebalance' | 'coordinator' | 'other'): void {
    this.#m.commitFailures.inc({ reason });
  }

  /** Input offsets the group coordinator stored for `partitions` partitions (or a transaction committed with them). */
  commitsStored(partitions: number): void {
    this.#m.commits.inc(partitions);
  }

  gap(_series: string, feature: string): void {
    this.#m.feedGaps.inc({ feature });
  }

  missedReadings(_series: string, feature: string, count: number): void {
    this.#m.missedReadings.inc({ feature }, count);
  }

  evicted(series: string, reason: EvictionReason, carried?: readonly number[]): void {
    this.#m.seriesEvicted.inc({ reason: EVICTION_LABEL[reason] });
    this.#carried(carried);
    if (reason === 'capacity') this.#cap?.evicted();
    this.#scores.forget(series);
  }

  forget(series: string): void {
    this.#scores.forget(series);
  }

  /** tickcast_inference_queue reads the queue depth from `read` at every scrape. */
  watchQueue(read: () => number): void {
    this.#m.watchInferenceQueue(read);
  }

  backpressure(paused: boolean, queued: number): void {
    this.#m.pausedPartitions.set(paused ? 1 : 0);
    this.#m.inferenceQueue.set(queued);
  }

  lag(topic: string, partition: number, lag: number): void {
    this.#m.consumerLag.set({ topic, partition: String(partition) }, lag);
  }

  lagRemoved(topic: string, partition: number): void {
    this.#m.consumerLag.remove({ topic, partition: String(partition) });
  }

  brokersReached(ok: boolean): void {
    this.#m.kafkaUp.set(ok ? 1 : 0);
  }

  /** Input offsets never delivered: explained = a batch the client could not decode (dead-lettered). */
  offsetGap(topic: string, records: number, explained: boolean): void {
    this.#m.offsetGaps.inc({ topic, reason: explained ? 'undecodable' : 'unexplained' }, records);
  }

  live(e: LiveEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e);
      } catch {
        // a broken subscriber must not break the pipeline
      }
    }
  }

  subscribe(listener: (e: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get subscribers(): number {
    return this.#listeners.size;
  }
}
