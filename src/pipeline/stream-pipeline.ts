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
import { buildAlertRecord, encodeAlertRecord } from '../domain/anomaly/index.ts';
import type { WindowStore } from '../domain/window-store.ts';
import type { ForecastStep, RawRecord, Tick } from '../domain/types.ts';
import type { TickcastError } from '../errors/index.ts';
import type { ForecastBook } from './forecast-book.ts';
import type { InferenceResult, InferenceStage } from './inference.ts';
import type { AnomalyRecord, AnomalyScorer, OutMessage, OutputSink, PipelineObserver, PipelineTracer } from './ports.ts';
import { dlqHeaders } from './dead-letter.ts';

export interface StreamPipelineDeps {
  store: WindowStore;
  book: ForecastBook;
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
}

export class StreamPipeline {
  readonly #d: StreamPipelineDeps;
  readonly #now: () => number;
  readonly #targetIdx: number[];
  /** Scored features: [index into tick values, feature name, index into the targets or −1]. */
  readonly #scored: Array<[number, string, number]>;

  constructor(deps: StreamPipelineDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    const spec = deps.inference.spec;
    this.#targetIdx = spec.targets.map((t) => spec.features.indexOf(t));
    const names = deps.anomalyFeatures === 'all' ? spec.features : spec.targets;
    this.#scored = names.map((f) => [spec.features.indexOf(f), f, spec.targets.indexOf(f)]);
  }

  /** `sink` overrides the default sink for this call (a Kafka transaction in exactly-once mode). */
  handle(records: RawRecord[], sink: OutputSink = this.#d.sink): Promise<void> {
    const t = this.#d.tracer;
    return t ? t.chunk(records, () => this.#handle(records, sink, t)) : this.#handle(records, sink, undefined);
  }

  async #handle(records: RawRecord[], sink: OutputSink, tracer: PipelineTracer | undefined): Promise<void> {
    const d = this.#d;
    const spec = d.inference.spec;
    const per = spec.window * spec.features.length;
    const out: OutMessage[] = [];
    const accepted: Accepted[] = [];

    // Phase 1: decode and window, in order.
    const phase1 = () => {
      for (const rec of records) {
        const res = decodeTick(rec.key, rec.value, d.codec);
        if (rec.warmup) {
          // Rebuild windows only: this record's outputs were produced before the restart.
          if (res.ok) d.store.push(res.tick.series, res.tick.tsMs, res.tick.values, this.#now());
          continue;
        }
        if (!res.ok) {
          out.push(this.#deadLetter(rec, res.error));
          continue;
        }
        const tick = res.tick;
        const pushed = d.store.push(tick.series, tick.tsMs, tick.values, this.#now());
        if (pushed.evicted !== undefined) this.#forget(pushed.evicted);
        d.observer?.tick?.(pushed.outcome);
        if (pushed.outcome !== 'accepted') continue;
        let job: Promise<InferenceResult> | null = null;
        let stats = null;
        if (pushed.ready) {
          const x = new Float32Array(per);
          stats = d.store.snapshot(tick.series, x, 0);
          job = d.inference.submit({ x });
        }
        accepted.push({ tick, rec, job, stats, intervalMs: d.store.intervalMs(tick.series) });
      }
    };
    if (tracer) tracer.window(records.length, phase1);
    else phase1();

    // Phase 2: wait for the model. A failed batch fails the whole call (retriable: the source
    // does not commit and the records are processed again).
    const jobs = accepted.map((a) => a.job);
    const windows = jobs.reduce((n, j) => n + (j ? 1 : 0), 0);
    const results = tracer && windows > 0 ? await tracer.inference(windows, () => Promise.all(jobs)) : await Promise.all(jobs);

    // Phase 3: score and emit, in order.
    for (let i = 0; i < accepted.length; i++) {
      const a = accepted[i];
      const series = a.tick.series;
      const target = a.tick.values[this.#targetIdx[0]];
      const expected = d.book.nextExpectations(series);
      d.observer?.live?.({ type: 'tick', series, ts: a.tick.tsMs, value: target });
      if (d.scorer) this.#score(a, expected, out);
      const r = results[i];
      if (r && a.stats) {
        const steps = decodeForecast(r.y, 0, spec, this.#targetIdx, a.stats.mean, a.stats.std, a.tick.tsMs, a.intervalMs || 1);
        d.book.setForecast(series, { ts: a.tick.tsMs, model: r.model, horizon: steps[0], targets: steps.length > 1 ? steps : undefined });
        out.push(this.#forecastMessage(a, r.model, steps));
        d.observer?.forecast?.(series, Math.max(0, this.#now() - a.rec.receivedAtMs) / 1000);
        d.observer?.live?.({ type: 'forecast', series, ts: a.tick.tsMs, model: r.model, horizon: steps[0] });
      }
    }

    if (out.length === 0) return;
    if (tracer) {
      await tracer.produce(out.length, (inject) => {
        for (const m of out) inject(m.headers);
        return sink.send(out);
      });
    } else await sink.send(out);
  }

  /** Score every scored feature of the tick; the series-level score is the highest of them. */
  #score(a: Accepted, expected: Array<ForecastStep | null> | null, out: OutMessage[]): void {
    const d = this.#d;
    const spec = d.inference.spec;
    const series = a.tick.series;
    const entry = d.book.entry(series);
    let top = 0;
    for (const [fi, feature, ti] of this.#scored) {
      const step = ti >= 0 ? (expected?.[ti] ?? null) : null;
      const { score, event } = d.scorer!.observe(series, a.tick.tsMs, a.tick.values[fi], step ? band(step, spec) : null, feature);
      if (score > top) top = score;
      if (!event) continue;
      if (event.state === 'firing') entry.firingFeatures.add(feature);
      else entry.firingFeatures.delete(feature);
      entry.firing = entry.firingFeatures.size > 0;
      const rec: AnomalyRecord = buildAlertRecord(event, entry.forecast?.model ?? 'none', a.rec.source);
      d.book.addAnomaly(rec);
      d.observer?.anomaly?.(rec);
      d.observer?.live?.({ type: 'anomaly', record: rec });
      const encoded = encodeAlertRecord(rec);
      out.push({ stream: 'anomalies', key: encoded.key, value: encoded.value, headers: { ...this.#trace(a.rec) } });
    }
    entry.lastScore = top;
    d.observer?.score?.(series, top);
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
    return { stream: 'dlq', key: rec.key, value: rec.value ?? Buffer.alloc(0), headers: { ...rec.headers, ...dlqHeaders(err, rec.source) } };
  }

  #trace(rec: RawRecord): Record<string, string> {
    return this.#d.traceHeaders?.(rec) ?? {};
  }

  #forget(series: string): void {
    this.#d.book.forget(series);
    this.#d.scorer?.forget(series);
    this.#d.observer?.evicted?.(series);
  }
}
