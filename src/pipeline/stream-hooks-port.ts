/**
 * What the streaming core calls per tick: the anomaly scorer, the learner (online fine-tuning), the
 * learning filter, and the observer it reports to (telemetry turns that into metrics, logs and
 * spans). Re-exported by ports.ts, which is what other layers import.
 */
import type { AnomalyEvent, Expectation } from '../domain/anomaly/index.ts';
import type { RawRecord } from '../domain/types.ts';
import type { AnomalyRecord, LiveEvent } from './serving-port.ts';

/** One-step-ahead expectation for a tick, in the series' own units (the detector's own type). */
export type { Expectation };

/** Scores each tick against what was expected of it before it arrived (causal). */
export interface AnomalyScorer {
  /**
   * One call per scored feature per tick; `feature` names it (alerts and state are per feature).
   * `quiet`: a warm-up tick whose alert records are not published (the tail replayed after a
   * snapshot); the detector ignores it, the feedback gate does not release a hold on it.
   */
  observe(series: string, tsMs: number, value: number, expected: Expectation | null, feature?: string, quiet?: boolean): { score: number; event?: AnomalyEvent; gap?: number; missed?: number };
  forget(series: string): void;
  /** The series stepped back onto its true clock at `tsMs` after a tick stamped ahead (input.clockSkewMs): cooldowns run from here. */
  stepBack?(series: string, tsMs: number): void;
}

/**
 * One accepted tick as the pipeline processed it, for what learns from the stream (online
 * fine-tuning). The receiver owns the arrays.
 */
export interface TickObservation {
  series: string;
  ts: number;
  /** Values per feature in spec order, after carry-forward, in model space (series units; ln(value) for a feature in spec.logFeatures). */
  values: Float64Array;
  /**
   * Normalisation statistics per feature after this tick: a window ending at this tick is
   * z-normalised with them (the window store's, not a copy of its arithmetic).
   */
  mean: Float64Array;
  std: Float64Array;
  /** The median forecast for this tick (first target, model space like `values`) made before it arrived. */
  expected: number | null;
  /** Inside a firing alert or a confirmed anomaly: must not be learned from. */
  suppressed: boolean;
  /**
   * Readings the window store filled into the window just before this tick (`windows.fillMissed`:
   * the feed missed them; linear interpolation at the clock's times). Window rows for training
   * too, never a target or a forecast origin (default 0).
   */
  filled?: number;
}

/** Learns from the stream (the online fine-tuner); fed by the pipeline, tick by tick, in order. */
export interface TickLearner {
  observe(o: TickObservation): void;
  forget(series: string): void;
}

/** Ticks kept out of everything the service learns from (fine-tuning pairs, normalisation statistics), besides those inside a firing alert: e.g. confirmed anomalies. */
export interface LearningFilter {
  isSuppressed(series: string, tsMs: number): boolean;
}

export type TickOutcome = 'accepted' | 'late' | 'duplicate' | 'replaced' | 'merged' | 'incomplete' | 'dead_letter';

/** What the core reports; telemetry turns it into metrics, logs and spans. All optional. */
export interface PipelineObserver {
  /** `carried` (accepted): input.features indices of the features the series' previous tick lacked for good (carried forward; none came merged into it before this tick: WindowStore.push). `ahead`: accepted, stamped more than input.clockSkewMs ahead of when it was sent (WindowStore.push). `late` (outcome 'late'): the tick's series, ts and its series' last ts, for a rate-limited warning naming it (telemetry/late-tick-warning.ts). */
  tick?(outcome: TickOutcome, ahead?: boolean, late?: { series: string; tsMs: number; lastTs: number }, carried?: readonly number[]): void;
  deadLetter?(code: string, source: RawRecord['source']): void;
  /** Readings of a SenML pack taken as no tick (senml-codec.ts), by reason; the pack's other readings went on. */
  skipped?(counts: Readonly<Record<'not_numeric' | 'other_name' | 'name_case' | 'repeated', number>>): void;
  batch?(size: number, seconds: number, queueWaitSeconds: number): void;
  forecast?(series: string, tickToForecastSeconds: number): void;
  score?(series: string, score: number): void;
  anomaly?(record: AnomalyRecord): void;
  /** A scored feature's tick ended a gap in the series' event time (`intervals` typical intervals since the previous tick). */
  gap?(series: string, feature: string, intervals: number): void;
  /** `count` readings of a scored feature were missed just before this tick (a series read on a clock; docs/anomaly.md, step 0). */
  missedReadings?(series: string, feature: string, count: number): void;
  /** `evicted`: a series left (counted; `carried`: input.features indices its last tick lacked for good, WindowStore.carriedAtEviction); `forget`: drop telemetry's state for a series no longer held (also after a chunk in flight brought it back; counts nothing). */
  evicted?(series: string, reason: import('../domain/series-registry.ts').EvictionReason, carried?: readonly number[]): void;
  forget?(series: string): void;
  live?(event: LiveEvent): void;
  /** Live events have a subscriber now (absent: assume so). The per-tick ones are not built without one. */
  readonly subscribers?: number;
  backpressure?(paused: boolean, queued: number): void;
}
