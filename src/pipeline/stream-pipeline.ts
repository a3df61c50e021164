/**
 * The streaming use case: records in → decoded ticks → per-series windows → micro-batched
 * inference → forecasts, anomaly alerts and dead letters out. Transport-neutral: the Kafka source
 * and the embedded replay source both call `handle()` with consecutive records of one partition.
 *
 * Delivery contract: `handle()` resolves only after every output derived from the records it was
 * given has been acknowledged by the sink, so the source may then commit their offsets
 * (at-least-once). It never rejects because of bad input: bad records become dead letters.
 *
 * Causality: each tick is scored against the forecast made BEFORE it arrived. Within one call the
 * work runs in three phases — (1) decode and window all records in order, snapshotting the windows
 * that are due; (2) run those windows through the model together; (3) walk the ticks again in
 * order, scoring each against the forecast then current and installing new forecasts as it passes
 * the ticks that made them.
 */
import { decodeTick, type CodecOptions } from '../domain/tick-codec.ts';
import { band, decodeForecast } from '../domain/forecast.ts';
import { seasonalNaive, type ColdStartOptions } from '../domain/cold-start.ts';
import { buildAlertRecord, encodeAlertRecord, type AnomalyEvent } from '../domain/anomaly/index.ts';
import { alertId } from '../domain/alerts/alert-id.ts';
import type { WindowStore } from '../domain/window-store.ts';
import type { ForecastStep, RawRecord, Tick } from '../domain/types.ts';
import { ErrorCodes, recordError, type TickcastError } from '../errors/index.ts';
import type { OutlookEntry, SeriesOutlook } from './series-outlook.ts';
import type { RecentAnomalies } from './recent-anomalies.ts';
import type { InferenceResult, InferenceStage } from './inference.ts';
import type { AnomalyRecord, AnomalyScorer, LearningFilter, OutMessage, OutputSink, PipelineObserver, PipelineTracer, TickLearner } from './ports.ts';
import { DLQ_HEADERS, dlqHeaders } from './dead-letter.ts';
import type { FollowerRecord, PipelineFollower } from './followers.ts';

/** A record whose processing threw: dead-lettered with the reason, the rest of the chunk goes on. */
function processingFailed(err: unknown): TickcastError {
  const why = err instanceof Error ? err.message : String(err);
  return recordError(ErrorCodes.RECORD_PROCESSING_FAILED, `processing this record failed: ${why}`);
}

export interface StreamPipelineDeps {
  store: WindowStore;
  outlook: SeriesOutlook;
  recentAnomalies: RecentAnomalies;
  inference: InferenceStage;
  sink: OutputSink;
  codec: CodecOptions;
  scorer: AnomalyScorer | null;
  observer?: PipelineObserver;
  /** Wall clock in ms (injected for tests). */
  now?: () => number;
  /** Trace-context hook: called per forecast/alert to get headers to attach (W3C traceparent). */
  traceHeaders?: (source: RawRecord) => Record<string, string>;
  /** Spans around the stages (OpenTelemetry); absent → no tracing. */
  tracer?: PipelineTracer;
  /** Fed every accepted tick with its statistics (online fine-tuning); absent → none. */
  learner?: TickLearner;
  /**
   * Ticks kept out of learning besides those inside a firing alert (confirmed anomalies). A
   * suppressed tick enters its window but not the normalisation statistics (bounded by the
   * window store's holdStatsMaxTicks) and is marked suppressed for the learner.
   */
  learningFilter?: LearningFilter;
  /** Baseline forecasts for series whose window is not full yet (null/absent: none). */
  coldStart?: ColdStartOptions | null;
  /** Told the partition of every pushed tick's series (the series-state snapshot groups by it). */
  seriesHome?: (series: string, partition: number) => void;
  /** Alert index, incidents, band quality (src/pipeline/followers.ts). */
  followers?: PipelineFollower[];
  /** Features scored for anomalies: the model's targets (default) or every input feature. */
  anomalyFeatures?: 'targets' | 'all';
}

interface Accepted {
  tick: Tick;
  rec: RawRecord;
  job: Promise<InferenceResult> | null;
  /** Statistics used to normalise the window (for de-normalising its forecast). */
  stats: { mean: Float64Array; std: Float64Array } | null;
  intervalMs: number;
  /** Kept out of the statistics when pushed (alert firing before this chunk, or filtered). */
  suppressed: boolean;
  /** Values and statistics after this tick, for the learner (only when there is one). */
  view: { values: Float64Array; mean: Float64Array; std: Float64Array } | null;
  /** A full warm-up record: update state, emit and report nothing. */
  quiet: boolean;
  /** A cold series' baseline forecast made at this tick (one step array per target). */
  cold?: { model: string; steps: ForecastStep[][] } | null;
}

export class StreamPipeline {
  readonly #d: StreamPipelineDeps;
  readonly #now: () => number;
  readonly #targetIdx: number[];
  readonly #followers: PipelineFollower[];
  #eventTs = -Infinity;
  /** Scored features: [index into tick values, feature name, index into the targets or −1]. */
  readonly #scored: Array<[number, string, number]>;

  constructor(deps: StreamPipelineDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    const spec = deps.inference.spec;
    this.#targetIdx = spec.targets.map((t) => spec.features.indexOf(t));
    const names = deps.anomalyFeatures === 'all' ? spec.features : spec.targets;
    this.#scored = names.map((f) => [spec.features.indexOf(f), f, spec.targets.indexOf(f)]);
    this.#followers = deps.followers ?? [];
    // The series registry owns per-series lifetime: the outlook, the scorer and telemetry follow it
    // for every eviction (capacity, idle, removal) instead of each keeping its own rule.
    deps.store.registry.follow((series) => {
      deps.outlook.forget(series);
      deps.scorer?.forget(series);
      deps.learner?.forget(series);
      for (const f of this.#followers) f.forget?.(series);
      deps.observer?.evicted?.(series);
    });
  }

  /** `sink` overrides the default sink for this call (a Kafka transaction in exactly-once mode). */
  handle(records: RawRecord[], sink: OutputSink = this.#d.sink): Promise<void> {
    const t = this.#d.tracer;
    return t ? t.chunk(records, () => this.#handle(records, sink, t)) : this.#handle(records, sink, undefined);
  }

  async #handle(records: RawRecord[], sink: OutputSink, tracer: PipelineTracer | undefined): Promise<void> {
    const out: OutMessage[] = [];
    const accepted: Accepted[] = [];

    // Phase 1: decode and window, in order.
    if (tracer) tracer.window(records.length, () => this.#window(records, out, accepted));
    else this.#window(records, out, accepted);

    // Phase 2: wait for the model. A failed batch fails the whole call (retriable: the source
    // does not commit and the records are processed again).
    const jobs = accepted.map((a) => a.job);
    const windows = jobs.reduce((n, j) => n + (j ? 1 : 0), 0);
    const results = tracer && windows > 0 ? await tracer.inference(windows, () => Promise.all(jobs)) : await Promise.all(jobs);

    // Phase 3: score and emit, in order.
    this.#emit(accepted, results, out);

    if (accepted.length > 0) for (const f of this.#followers) this.#publish(f.advance?.(this.#eventTs), accepted[accepted.length - 1].rec, out);
    if (out.length === 0) return;
    if (tracer) {
      await tracer.produce(out.length, (inject) => {
        for (const m of out) inject(m.headers);
        return sink.send(out);
      });
    } else await sink.send(out);
  }

  /**
   * Phase 1. Warm-up records (already processed before a restart) update state only: a plain
   * warm-up rebuilds the window; a full one (`warmupFull`, the tail after a series-state
   * snapshot) goes through inference and scoring too, so forecasts and detector state come out
   * as they were, but produces no output and reports nothing.
   */
  #window(records: RawRecord[], out: OutMessage[], accepted: Accepted[]): void {
    const per = this.#d.inference.spec.window * this.#d.inference.spec.features.length;
    for (const rec of records) {
      try {
        this.#intake(rec, per, out, accepted);
      } catch (err) {
        if (!rec.warmup) out.push(this.#deadLetter(rec, processingFailed(err)));
      }
    }
  }

  /** Phase 1 for one record: decode, window, submit the window when due. */
  #intake(rec: RawRecord, per: number, out: OutMessage[], accepted: Accepted[]): void {
    const d = this.#d;
    if (rec.undecodable) {
      out.push(this.#deadLetter(rec, recordError(ErrorCodes.RECORD_UNDECODABLE, `offsets ${rec.source.offset}-${rec.undecodable.lastOffset}: ${rec.undecodable.reason}`)));
      return;
    }
    const res = decodeTick(rec.key, rec.value, d.codec);
    const quiet = rec.warmup === true;
    if (quiet && !rec.warmupFull) {
      if (res.ok) this.#push(res.tick, rec, false);
      return;
    }
    if (!res.ok) {
      if (!quiet) out.push(this.#deadLetter(rec, res.error));
      return;
    }
    const tick = res.tick;
    const suppressed = this.#suppressed(tick.series, tick.tsMs);
    const pushed = this.#push(tick, rec, suppressed);
    if (!quiet) d.observer?.tick?.(pushed.outcome);
    if (pushed.outcome !== 'accepted') return;
    let job: Promise<InferenceResult> | null = null;
    let stats = null;
    if (pushed.ready) {
      const x = new Float32Array(per);
      stats = d.store.snapshot(tick.series, x, 0);
      job = d.inference.submit({ x });
    }
    const cold = pushed.ready ? null : this.#coldForecast(tick);
    const view = d.learner && !quiet ? d.store.current(tick.series) : null;
    accepted.push({ tick, rec, job, stats, intervalMs: d.store.intervalMs(tick.series), suppressed, view, quiet, cold });
  }

  /** A baseline forecast while the series' window is not full (every `stride` ticks), else null. */
  #coldForecast(tick: Tick): Accepted['cold'] {
    const d = this.#d;
    const c = d.coldStart;
    const spec = d.inference.spec;
    const n = d.store.ticks(tick.series);
    if (!c || n >= spec.window || n < c.minTicks || (n - c.minTicks) % d.store.stride !== 0) return null;
    const recent = d.store.recent(tick.series)!;
    const interval = d.store.intervalMs(tick.series) || 1;
    let model = '';
    const steps: ForecastStep[][] = [];
    for (const f of this.#targetIdx) {
      const r = seasonalNaive(recent.values.map((v) => v[f]), c, spec.horizon, spec.quantiles, tick.tsMs, interval);
      if (!r) return null;
      model = r.model;
      steps.push(r.steps);
    }
    return { model, steps };
  }

  #push(tick: Tick, rec: RawRecord, suppressed: boolean): ReturnType<WindowStore['push']> {
    const pushed = this.#d.store.push(tick.series, tick.tsMs, tick.values, this.#now(), suppressed ? { learn: false } : undefined);
    this.#d.seriesHome?.(tick.series, rec.source.partition);
    return pushed;
  }

  /** Phase 3: score each tick against the forecast current before it, install new forecasts. */
  #emit(accepted: Accepted[], results: Array<InferenceResult | null>, out: OutMessage[]): void {
    for (let i = 0; i < accepted.length; i++) {
      const before = out.length;
      try {
        this.#emitOne(accepted[i], results[i], out);
      } catch (err) {
        out.length = before;
        if (!accepted[i].quiet) out.push(this.#deadLetter(accepted[i].rec, processingFailed(err)));
      }
    }
  }

  /** Phase 3 for one accepted tick: score it, learn, then install and emit its forecast. */
  #emitOne(a: Accepted, r: InferenceResult | null, out: OutMessage[]): void {
    const d = this.#d;
    const spec = d.inference.spec;
    const series = a.tick.series;
    const target = a.tick.values[this.#targetIdx[0]];
    const expectations = d.outlook.nextExpectations(series);
    const expected = expectations?.[0] ?? null;
    if (!a.quiet) d.observer?.live?.({ type: 'tick', series, ts: a.tick.tsMs, value: target });
    if (!a.quiet && expected) for (const f of this.#followers) f.realised?.(series, a.tick.tsMs, target, expected);
    if (a.tick.tsMs > this.#eventTs) this.#eventTs = a.tick.tsMs;
    if (d.scorer) this.#score(a, expectations, out);
    this.#learn(a, expected);
    if (a.cold) {
      d.outlook.entry(series).baseline = { ts: a.tick.tsMs, model: a.cold.model, horizon: a.cold.steps[0] };
    }
    if (a.cold && !a.quiet) {
      out.push(this.#forecastMessage(a, a.cold.model, a.cold.steps));
      d.observer?.live?.({ type: 'forecast', series, ts: a.tick.tsMs, model: a.cold.model, horizon: a.cold.steps[0] });
    }
    if (r && a.stats) {
      const steps = decodeForecast(r.y, 0, spec, this.#targetIdx, a.stats.mean, a.stats.std, a.tick.tsMs, a.intervalMs || 1);
      d.outlook.setForecast(series, { ts: a.tick.tsMs, model: r.model, horizon: steps[0], targets: steps.length > 1 ? steps : undefined });
      if (a.quiet) return;
      out.push(this.#forecastMessage(a, r.model, steps));
      d.observer?.forecast?.(series, Math.max(0, this.#now() - a.rec.receivedAtMs) / 1000);
      d.observer?.live?.({ type: 'forecast', series, ts: a.tick.tsMs, model: r.model, horizon: steps[0] });
    }
  }

  /** Score every scored feature of the tick; the series-level score is the highest of them. */
  #score(a: Accepted, expected: Array<ForecastStep | null> | null, out: OutMessage[]): void {
    const d = this.#d;
    const spec = d.inference.spec;
    const series = a.tick.series;
    const entry = d.outlook.entry(series);
    let top = 0;
    for (const [fi, feature, ti] of this.#scored) {
      const step = ti >= 0 ? (expected?.[ti] ?? null) : null;
      const { score, event } = d.scorer!.observe(series, a.tick.tsMs, a.tick.values[fi], step ? band(step, spec) : null, feature);
      if (score > top) top = score;
      if (!event) continue;
      if (event.state === 'firing') entry.firingFeatures.add(feature);
      else entry.firingFeatures.delete(feature);
      entry.firing = entry.firingFeatures.size > 0;
      if (!a.quiet) this.#alert(a, event, entry, out);
    }
    entry.lastScore = top;
    if (!a.quiet) d.observer?.score?.(series, top);
  }

  #alert(a: Accepted, event: AnomalyEvent, entry: OutlookEntry, out: OutMessage[]): void {
    const d = this.#d;
    const built = buildAlertRecord(event, entry.forecast?.model ?? 'none', a.rec.source);
    const rec: AnomalyRecord = Object.assign(built, { kind: 'alert' as const, id: alertId(built.series, built.ts, built.state, built.severity, built.feature) });
    d.recentAnomalies.add(rec);
    d.observer?.anomaly?.(rec);
    d.observer?.live?.({ type: 'anomaly', record: rec });
    const encoded = encodeAlertRecord(rec);
    out.push({ stream: 'anomalies', key: encoded.key, value: encoded.value, headers: { ...this.#trace(a.rec) } });
    for (const f of this.#followers) this.#publish(f.alert?.(rec, a.tick.labels), a.rec, out);
  }

  #publish(records: FollowerRecord[] | void, cause: RawRecord, out: OutMessage[]): void {
    for (const r of records ?? []) out.push({ stream: 'anomalies', key: r.key, value: r.value, headers: { ...this.#trace(cause) } });
  }

  #forecastMessage(a: Accepted, model: string, steps: ForecastStep[][]): OutMessage {
    const spec = this.#d.inference.spec;
    const body: Record<string, unknown> = {
      series: a.tick.series,
      ts: a.tick.tsMs,
      model,
      horizon: steps[0],
      latencyMs: Math.max(0, this.#now() - a.rec.receivedAtMs),
    };
    if (spec.targets.length > 1) body.targets = Object.fromEntries(spec.targets.map((t, i) => [t, steps[i]]));
    return { stream: 'forecasts', key: a.tick.series, value: JSON.stringify(body), headers: { ...this.#trace(a.rec) } };
  }

  #deadLetter(rec: RawRecord, err: TickcastError): OutMessage {
    this.#d.observer?.tick?.('dead_letter');
    this.#d.observer?.deadLetter?.(err.code, rec.source);
    // The original bytes go out unchanged; the reason travels in headers.
    const headers: Record<string, string> = { ...rec.headers, ...dlqHeaders(err, rec.source) };
    if (rec.undecodable) headers[DLQ_HEADERS.offsetEnd] = rec.undecodable.lastOffset;
    return { stream: 'dlq', key: rec.key, value: rec.value ?? Buffer.alloc(0), headers };
  }

  /**
   * Whether a tick is kept out of the statistics as it is windowed: its series' alert was firing
   * after the previous chunk, or the learning filter says so. (An alert that starts within a
   * chunk is known only when the chunk is scored: its first ticks in that chunk are learned.)
   */
  #suppressed(series: string, tsMs: number): boolean {
    const d = this.#d;
    return d.outlook.peek(series)?.firing === true || (d.learningFilter?.isSuppressed(series, tsMs) ?? false);
  }

  /** After scoring: an alert that fired on this tick takes it back out of the statistics; feed the learner. */
  #learn(a: Accepted, expected: ForecastStep | null): void {
    const d = this.#d;
    const series = a.tick.series;
    const firing = d.outlook.peek(series)?.firing === true;
    // (Only when it is still the series' last learned tick, i.e. records arrive one by one or the
    // series had no later tick in this chunk.)
    if (firing && !a.suppressed) d.store.unlearn(series, a.tick.tsMs);
    if (d.learner && a.view) {
      d.learner.observe({ series, ts: a.tick.tsMs, ...a.view, expected: expected ? expected['p50'] : null, suppressed: a.suppressed || firing });
    }
  }

  #trace(rec: RawRecord): Record<string, string> {
    return this.#d.traceHeaders?.(rec) ?? {};
  }
}
