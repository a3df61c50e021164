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
import { ErrorCodes, recordError, TickcastError } from '../errors/index.ts';
import type { ForecastBook } from './forecast-book.ts';
import type { InferenceResult, InferenceStage } from './inference.ts';
import type { AnomalyRecord, AnomalyScorer, OutMessage, OutputSink, PipelineObserver, PipelineTracer } from './ports.ts';
import { DLQ_HEADERS, dlqHeaders } from './dead-letter.ts';

/** A record whose processing threw: dead-lettered with the reason, the rest of the chunk goes on. */
function processingFailed(err: unknown): TickcastError {
  const why = err instanceof Error ? err.message : String(err);
  return recordError(ErrorCodes.RECORD_PROCESSING_FAILED, `processing this record failed: ${why}`);
}

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

  constructor(deps: StreamPipelineDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    const spec = deps.inference.spec;
    this.#targetIdx = spec.targets.map((t) => spec.features.indexOf(t));
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
        try {
          this.#intake(rec, per, out, accepted);
        } catch (err) {
          out.push(this.#deadLetter(rec, processingFailed(err)));
        }
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
      const before = out.length;
      try {
        this.#emit(accepted[i], results[i], out);
      } catch (err) {
        out.length = before;
        out.push(this.#deadLetter(accepted[i].rec, processingFailed(err)));
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

  /** Phase 1 for one record: decode, window, submit the window when due. */
  #intake(rec: RawRecord, per: number, out: OutMessage[], accepted: Accepted[]): void {
    const d = this.#d;
    if (rec.undecodable) {
      out.push(this.#deadLetter(rec, recordError(ErrorCodes.RECORD_UNDECODABLE, `offsets ${rec.source.offset}-${rec.undecodable.lastOffset}: ${rec.undecodable.reason}`)));
      return;
    }
    const res = decodeTick(rec.key, rec.value, d.codec);
    if (rec.warmup) {
      // Rebuild windows only: this record's outputs were produced before the restart.
      if (res.ok) d.store.push(res.tick.series, res.tick.tsMs, res.tick.values, this.#now());
      return;
    }
    if (!res.ok) {
      out.push(this.#deadLetter(rec, res.error));
      return;
    }
    const tick = res.tick;
    const pushed = d.store.push(tick.series, tick.tsMs, tick.values, this.#now());
    if (pushed.evicted !== undefined) this.#forget(pushed.evicted);
    d.observer?.tick?.(pushed.outcome);
    if (pushed.outcome !== 'accepted') return;
    let job: Promise<InferenceResult> | null = null;
    let stats = null;
    if (pushed.ready) {
      const x = new Float32Array(per);
      stats = d.store.snapshot(tick.series, x, 0);
      job = d.inference.submit({ x });
    }
    accepted.push({ tick, rec, job, stats, intervalMs: d.store.intervalMs(tick.series) });
  }

  /** Phase 3 for one accepted tick: score it, then install and emit its forecast. */
  #emit(a: Accepted, r: InferenceResult | null, out: OutMessage[]): void {
    const d = this.#d;
    const spec = d.inference.spec;
    const series = a.tick.series;
    const target = a.tick.values[this.#targetIdx[0]];
    const expected = d.book.nextExpectation(series);
    d.observer?.live?.({ type: 'tick', series, ts: a.tick.tsMs, value: target });
    if (d.scorer) this.#score(a, target, expected, out);
    if (r && a.stats) {
      const steps = decodeForecast(r.y, 0, spec, this.#targetIdx, a.stats.mean, a.stats.std, a.tick.tsMs, a.intervalMs || 1);
      d.book.setForecast(series, { ts: a.tick.tsMs, model: r.model, horizon: steps[0] });
      out.push(this.#forecastMessage(a, r.model, steps));
      d.observer?.forecast?.(series, Math.max(0, this.#now() - a.rec.receivedAtMs) / 1000);
      d.observer?.live?.({ type: 'forecast', series, ts: a.tick.tsMs, model: r.model, horizon: steps[0] });
    }
  }

  #score(a: Accepted, value: number, expected: ForecastStep | null, out: OutMessage[]): void {
    const d = this.#d;
    const spec = d.inference.spec;
    const series = a.tick.series;
    const exp = expected ? band(expected, spec) : null;
    const { score, event } = d.scorer!.observe(series, a.tick.tsMs, value, exp);
    const entry = d.book.entry(series);
    entry.lastScore = score;
    d.observer?.score?.(series, score);
    if (!event) return;
    entry.firing = event.state === 'firing';
    const rec: AnomalyRecord = buildAlertRecord(event, entry.forecast?.model ?? 'none', a.rec.source);
    d.book.addAnomaly(rec);
    d.observer?.anomaly?.(rec);
    d.observer?.live?.({ type: 'anomaly', record: rec });
    const encoded = encodeAlertRecord(rec);
    out.push({ stream: 'anomalies', key: encoded.key, value: encoded.value, headers: { ...this.#trace(a.rec) } });
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

  #trace(rec: RawRecord): Record<string, string> {
    return this.#d.traceHeaders?.(rec) ?? {};
  }

  #forget(series: string): void {
    this.#d.book.forget(series);
    this.#d.scorer?.forget(series);
    this.#d.observer?.evicted?.(series);
  }
}
