/**
 * The streaming use case: records in → decoded ticks → per-series windows → micro-batched inference → forecasts, anomaly
 * alerts and dead letters out. Transport-neutral: the Kafka source and the embedded replay source both call `handle()`
 * with consecutive records of one partition.
 *
 * Delivery contract: `handle()` resolves only after every output derived from the records it was given has been
 * acknowledged by the sink, so the source may then commit their offsets (at-least-once). Bad input never rejects: dead letters.
 *
 * Causality: each tick is scored against the forecast made BEFORE it arrived. Within one call the work runs in three
 * phases — (1) decode and window all records in order, snapshotting the windows that are due (each once no later record of the chunk can merge a reading into its tick: accepted.ts); (2) run those windows
 * through the model together; (3) walk the ticks again in order, scoring each against the forecast then current and
 * installing new forecasts as it passes the ticks that made them.
 *
 * This file runs the phases and isolates each record (one that throws becomes a dead letter, the rest of the chunk goes on). Parts:
 * tick-reads.ts (phase 1's window reads), tick-emit.ts (phase 3 for one tick), tick-alerts.ts (scores, alert records), learning-tap.ts,
 * out-messages.ts, dead-letter.ts.
 */
import { sentAtMs } from '../domain/tick-timestamp.ts';
import { decodeRecord, type RecordCodecOptions } from '../domain/record-codec.ts';
import { logMask } from '../domain/model-spec.ts';
import type { ColdStartOptions } from '../domain/cold-start.ts';
import type { ForecastFusion } from '../domain/fusion/forecast-fusion.ts';
import type { ForecastFloor } from '../domain/forecast-floor.ts';
import type { WindowStore } from '../domain/window-store.ts';
import type { RawRecord, Tick } from '../domain/types.ts';
import { ErrorCodes, recordError, type TickcastError } from '../errors/index.ts';
import type { SeriesOutlook } from './series-outlook.ts';
import type { RecentAnomalies } from './recent-anomalies.ts';
import type { InferenceResult, InferenceStage } from './inference.ts';
import type { AnomalyScorer, LearningFilter, OutMessage, OutputSink, PipelineObserver, PipelineTracer, TickLearner } from './ports.ts';
import { deadLetterOnce, processingFailed, type DeadLetters } from './dead-letter.ts';
import { FAILED_AFTER_WINDOWING, takeTicks, type TakeTold } from './record-ticks.ts';
import { withUnits, type SeriesUnits } from './series-units.ts';
import type { PipelineFollower } from './followers.ts';
import { liveMerged, pushFollowerRecords } from './out-messages.ts';
import { LearningTap } from './learning-tap.ts';
import { TickAlerts, type TickAlertsDeps } from './tick-alerts.ts';
import { UnsentOutputs } from './unsent-outputs.ts';
import { SeriesDepartures } from './series-departures.ts';
import { mergeReading, type Accepted } from './accepted.ts';
import { hold, readAll, readAtTick, readBefore, type PendingRead, type Reads } from './tick-reads.ts';
import { TickEmitter } from './tick-emit.ts';

export interface StreamPipelineDeps extends Pick<TickAlertsDeps, 'alertState'> {
  store: WindowStore;
  outlook: SeriesOutlook;
  recentAnomalies: RecentAnomalies;
  inference: InferenceStage;
  sink: OutputSink;
  codec: RecordCodecOptions;
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
  /** Ticks kept out of learning besides those inside a firing alert (confirmed anomalies): such a tick enters its window but not the normalisation statistics (bounded by holdStatsMaxTicks), and is marked suppressed for the learner. */
  learningFilter?: LearningFilter;
  /** Baseline forecasts for series whose window is not full yet (null/absent: none). */
  coldStart?: ColdStartOptions | null;
  /** Told the partition of every pushed tick's series the store holds (the series-state snapshot groups by it). */
  seriesHome?: (series: string, partition: number) => void;
  /** Alert index, incidents, band quality (src/pipeline/followers.ts). */
  followers?: PipelineFollower[];
  /** Features scored for anomalies: the model's targets (default) or every input feature. */
  anomalyFeatures?: 'targets' | 'all';
  /** Largest dead letter (input.deadLetterMaxBytes; dead-letter.ts). */
  deadLetterMaxBytes?: number;
  /** Each series' first unit per feature (SenML; series-units.ts): a record in another is refused whole (absent: none checked). */
  units?: Pick<SeriesUnits, 'check'> | null;
  /** Each model forecast competes with fast baselines; the best on the series' recent ticks is served (absent: the model's always). */
  fusion?: ForecastFusion | null;
  /** Forecasts of non-negative targets raised to 0 (input.nonNegative; absent: none). */
  floor?: ForecastFloor | null;
  /** Outputs no committed input carries (absent: `sink`): a warm-up-only chunk's — exactly-once runs it in no transaction — and `flushDeparted`'s. */
  looseSink?: OutputSink;
}
const NO_TIMES: readonly number[] = [];

export class StreamPipeline {
  readonly #d: StreamPipelineDeps;
  readonly #now: () => number;
  readonly #targetIdx: number[];
  readonly #followers: PipelineFollower[];
  readonly #learning: LearningTap;
  readonly #alerts: TickAlerts | null;
  readonly #unsent = new UnsentOutputs();
  readonly #departures: SeriesDepartures;
  readonly #recent: Float64Array;
  readonly #emitter: TickEmitter;
  readonly #trace = (rec: RawRecord): Record<string, string> => this.#d.traceHeaders?.(rec) ?? {};

  constructor(deps: StreamPipelineDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    const spec = deps.inference.spec;
    this.#targetIdx = spec.targets.map((t) => spec.features.indexOf(t));
    this.#followers = deps.followers ?? [];
    this.#recent = new Float64Array(spec.window);
    this.#learning = new LearningTap({ ...deps, logTarget: logMask(spec, spec.targets)[0] });
    this.#alerts = new TickAlerts({ ...deps, spec: () => deps.inference.spec, followers: this.#followers, trace: this.#trace }); // no scorer (anomaly off): open alerts of a snapshot still resolve
    // The series registry owns per-series lifetime: every holder follows its evictions (capacity, idle, removal).
    const forget = (series: string): void => {
      deps.outlook.forget(series);
      deps.scorer?.forget(series);
      deps.learner?.forget(series);
      deps.fusion?.forget(series);
      for (const f of this.#followers) f.forget?.(series);
      deps.observer?.forget?.(series);
    };
    this.#emitter = new TickEmitter(deps, { now: this.#now, targetIdx: this.#targetIdx, followers: this.#followers, learning: this.#learning, alerts: this.#alerts, trace: this.#trace });
    this.#departures = new SeriesDepartures(deps.store, forget, (series, reason) => deps.observer?.evicted?.(series, reason, deps.store.carriedAtEviction(series)), (series, reason) => this.#alerts?.departed(series, reason));
  }

  /** Send the resolved records of series evicted while firing since the last chunk now, not with the next; `inheritedBefore`: with those of inherited alerts read before it whose series never ticked here since (tick-alerts.ts `flush`). */
  flushDeparted(sink: OutputSink = this.#d.looseSink ?? this.#d.sink, inheritedBefore?: number): Promise<number> {
    return this.#alerts?.flush(sink, inheritedBefore) ?? Promise.resolve(0);
  }

  /** `sink` overrides the default sink for this call; by default a chunk of warm-up records only writes to `looseSink`. */
  handle(records: RawRecord[], given?: OutputSink): Promise<void> {
    const sink = given ?? (records.length > 0 && records.every((r) => r.warmup === true) ? (this.#d.looseSink ?? this.#d.sink) : this.#d.sink);
    const t = this.#d.tracer;
    return t ? t.chunk(records, () => this.#handle(records, sink, t)) : this.#handle(records, sink, undefined);
  }

  async #handle(given: RawRecord[], sink: OutputSink, tracer: PipelineTracer | undefined): Promise<void> {
    // Outputs of these records that a failed send left behind go first, as they were (unsent-outputs.ts).
    const kept = this.#unsent.take(given);
    if (kept) await this.#send(given, kept.out, kept.out, sink, tracer);
    const records = kept ? [...given.slice(0, kept.at), ...given.slice(kept.at + kept.covered)] : given;
    const out: OutMessage[] = [];
    const accepted: Accepted[] = [];
    const departures = this.#departures.count;

    // Phase 1: decode and window, in order.
    const dead: DeadLetters = new Map(); // records dead-lettered in this call: a SenML pack once, however many of its ticks fail (each reason in it)
    if (tracer) tracer.window(records.length, () => this.#window(records, out, accepted, dead));
    else this.#window(records, out, accepted, dead);

    // Phase 2: wait for the model. A failed batch fails the whole call (retriable: the source does not commit; they come again).
    const jobs = accepted.map((a) => a.job);
    const windows = jobs.reduce((n, j) => n + (j ? 1 : 0), 0);
    const results = tracer && windows > 0 ? await tracer.inference(windows, () => Promise.all(jobs)) : await Promise.all(jobs);

    // Phase 3: score and emit, in order. A series evicted since phase 1 got state back from its ticks
    // in phase 3: drop it again. Then the resolved records of series evicted while firing (tick-alerts.ts).
    this.#emit(accepted, results, out, dead);
    this.#departures.sweep(departures, accepted.map((a) => a.tick.series));
    this.#alerts?.drain(out);

    if (accepted.length > 0) for (const f of this.#followers) pushFollowerRecords(f.advance?.(this.#now()), accepted[accepted.length - 1].rec, this.#trace, out);
    await this.#send(given, kept ? [...kept.out, ...out] : out, out, sink, tracer);
  }

  /**
   * Send `out`. `all` — every output of `records`, which are applied already — is kept until the transport moves past
   * them: a failed send, or a transaction aborted after it (exactly-once), brings them back, and they go again (unsent-outputs.ts).
   */
  async #send(records: RawRecord[], all: OutMessage[], out: OutMessage[], sink: OutputSink, tracer: PipelineTracer | undefined): Promise<void> {
    if (all.length > 0) this.#unsent.remember(records, all);
    if (out.length === 0) return;
    if (tracer) {
      await tracer.produce(out.length, (inject) => {
        for (const m of out) inject(m.headers, m.stream === 'dlq');
        return sink.send(out);
      });
    } else await sink.send(out);
  }

  /**
   * Phase 1. Warm-up records (already processed before a restart or by the partition's previous
   * owner) update state only, produce no output and report nothing: a plain warm-up rebuilds the
   * window and is scored by the detector without the model (its state and open alerts come back,
   * so an alert fired before a rebalance resolves); a full one (`warmupFull`, the tail after a
   * series-state snapshot) goes through inference too, so forecasts come out as they were.
   */
  #window(records: RawRecord[], out: OutMessage[], accepted: Accepted[], dead: DeadLetters): void {
    const per = this.#d.inference.spec.window * this.#d.inference.spec.features.length;
    const now = this.#now();
    const reads: Reads = { defer: this.#d.codec.missingFeature === 'carry', pending: new Map(), read: (p: PendingRead) => this.#readSafely(p.accepted, p.ready, per, out, accepted, dead) }; // only a carried feature can be merged into a tick later
    for (const rec of records) {
      this.#alerts?.drain(out); // evicted before this record (idle, or at the cap by the last one)
      try {
        this.#intake(rec, per, now, out, accepted, reads, dead);
      } catch (err) {
        if (!rec.warmup) out.push(...this.#deadLetter(rec, processingFailed(err), true, dead));
      }
    }
    readAll(reads);
  }

  /** Phase 1 for one record: decode, window, submit the window when due. */
  #intake(rec: RawRecord, per: number, now: number, out: OutMessage[], accepted: Accepted[], reads: Reads, dead: DeadLetters): void {
    const d = this.#d;
    if (rec.undecodable) return void out.push(...this.#deadLetter(rec, recordError(ErrorCodes.RECORD_UNDECODABLE, `offsets ${rec.source.offset}-${rec.undecodable.lastOffset}: ${rec.undecodable.reason}`)));
    const sent = sentAtMs(rec.receivedAtMs, now); // the reference of maxFutureMs and clockSkewMs
    const res = withUnits(decodeRecord(rec.key, rec.value, d.codec, sent, rec.recordTsMs), d.units); // a warm-up replay learns units too
    const quiet = rec.warmup === true;
    if (!res.ok) return void (quiet || out.push(...this.#deadLetter(rec, res.error)));
    if (res.skipped && !quiet) d.observer?.skipped?.(res.skipped);
    const refused = takeTicks(res.ticks, (tick, state) => this.#take(tick, rec, sent, quiet, accepted, reads, state), d.codec.features); // a SenML pack carries several
    if (refused && !quiet) for (const err of refused.errors) out.push(...this.#deadLetter(rec, err, refused.counted, dead));
  }

  /** Phase 1 for one decoded tick: window it, hold its read until due. True: 'incomplete' (nothing to carry), for the caller to dead-letter its record. */
  #take(tick: Tick, rec: RawRecord, sent: number, quiet: boolean, accepted: Accepted[], reads: Reads, state: TakeTold): boolean | void {
    const d = this.#d;
    const suppressed = this.#learning.suppressed(tick.series, tick.tsMs);
    readBefore(reads, tick.series, tick.tsMs, d.store.registry); // a pending read this push would change goes first
    const pushed = d.store.push(tick.series, tick.tsMs, tick.values, this.#now(), { learn: !suppressed, sentMs: d.codec.maxFutureMs ? sent : undefined, countLate: !quiet || rec.warmupFull === true }); // sentMs: clockSkewMs is off without the bound
    // Windowed: the tick is taken on to its read and forecast before anything that can throw (hooks), as a re-driven pack's repeat of it is a duplicate (dropped).
    if (pushed.outcome === 'accepted') {
      const a: Accepted = { tick, rec, job: null, stats: null, times: NO_TIMES, closed: NO_TIMES, suppressed, view: null, quiet, cold: null, baselines: null, filled: pushed.filled ?? 0, eventMs: pushed.ahead ?? tick.tsMs, stepBack: pushed.stepBack === true };
      accepted.push(a);
      hold(reads, tick.series, { tsMs: tick.tsMs, accepted: a, ready: pushed.ready }); // read once no record of this chunk can merge into the tick (tick-reads.ts)
    }
    // Its outcome is told right after the push: a hook below that throws leaves it counted once, its record's dead letter not counted again (record-ticks.ts).
    if (!quiet) d.observer?.tick?.(pushed.outcome, pushed.ahead !== undefined, pushed.outcome === 'late' ? { series: tick.series, tsMs: tick.tsMs, lastTs: pushed.lastTs! } : undefined, pushed.carried);
    state.told = true;
    const merged = pushed.outcome === 'merged' && mergeReading(accepted, tick, rec, quiet, pushed.merged ?? []); // merged: scored (accepted.ts)
    if (pushed.outcome !== 'incomplete') d.seriesHome?.(tick.series, rec.source.partition); // 'incomplete': not admitted, so never evicted (test/component/state-sizes.test.ts)
    if (merged && !quiet) liveMerged(d.observer, d.store, d.inference.spec, tick.series, tick.tsMs, this.#targetIdx[0]); // told to the dashboard unless its tick's event is still to come
    return pushed.outcome === 'incomplete';
  }
  /** readAtTick, isolated as #intake is: one that throws drops its tick's forecast (the tick stays windowed, FAILED_AFTER_WINDOWING) and dead-letters its record. */
  #readSafely(a: Accepted, ready: boolean, per: number, out: OutMessage[], accepted: Accepted[], dead: DeadLetters): void {
    try {
      readAtTick(this.#d, a, ready, per, this.#targetIdx, this.#learning, this.#recent);
    } catch (err) {
      accepted.splice(accepted.indexOf(a), 1);
      if (!a.rec.warmup) out.push(...this.#deadLetter(a.rec, processingFailed(err), FAILED_AFTER_WINDOWING, dead));
    }
  }

  /** Phase 3: score each tick against the forecast current before it, install new forecasts. */
  #emit(accepted: Accepted[], results: Array<InferenceResult | null>, out: OutMessage[], dead: DeadLetters): void {
    for (let i = 0; i < accepted.length; i++) {
      const before = out.length;
      try {
        this.#emitter.emit(accepted[i], results[i], out);
      } catch (err) {
        out.length = before;
        if (!accepted[i].quiet) out.push(...this.#deadLetter(accepted[i].rec, processingFailed(err), FAILED_AFTER_WINDOWING, dead)); // windowed, its outcome told: not counted again
      }
    }
  }

  /** `counted` false: the record's outcome was reported already (`incomplete`); true: a `dead_letter` outcome, once a record and poll. `dead`: the records dead-lettered in this call; a later reason is added to its dead letter. */
  #deadLetter(rec: RawRecord, err: TickcastError, counted = true, dead?: DeadLetters): OutMessage[] {
    const outcome = counted ? () => this.#d.observer?.tick?.('dead_letter') : undefined;
    return deadLetterOnce(rec, err, dead, this.#d.deadLetterMaxBytes, this.#now(), () => this.#d.observer?.deadLetter?.(err.code, rec.source), outcome);
  }
}
