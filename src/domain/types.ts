/**
 * Pure data types shared by the domain, the pipeline and the adapters. No I/O here.
 * Units are in the names where they are not obvious: timestamps are epoch milliseconds.
 */

/** Where a record came from; carried into forecasts, alerts and dead letters. */
export interface SourceRef {
  topic: string;
  partition: number;
  /** Kafka offsets are 64-bit: kept as decimal strings (as the Kafka client gives them). */
  offset: string;
}

/** One raw input record before decoding (transport-neutral). */
export interface RawRecord {
  key: Buffer | null;
  value: Buffer | null;
  /** Header values as text (the first value of a repeated name): what trace context and tickcast read. */
  headers: Record<string, string>;
  /**
   * The transport's headers byte for byte, every value of a repeated name in order (Kafka): what a
   * dead letter carries. Absent: `headers` is all there was.
   */
  originalHeaders?: Record<string, Buffer[]>;
  source: SourceRef;
  /** The record's timestamp in epoch ms when the transport has one (Kafka: producer CreateTime, or broker LogAppendTime); used for latency metrics. */
  receivedAtMs: number;
  /**
   * The Kafka record's own timestamp (epoch ms) as the broker gave it, uncapped: the producer's
   * CreateTime, or the broker's LogAppendTime where the topic sets message.timestamp.type. Absent
   * where there is none (a v0 record's -1, the embedded replay, the CLI's files, a dead-letter
   * stand-in). A tick's event time with input.missingTs 'kafka' when the value has no ts.
   */
  recordTsMs?: number;
  /**
   * Restore-only: the record was already processed before (offset below the committed one) and is
   * replayed to rebuild the series' window after a restart or rebalance. It updates state and
   * produces no output.
   */
  warmup?: boolean;
  /**
   * With `warmup`: replay the record through the whole state path (window, inference, forecast
   * book, anomaly detector) rather than the window alone — the tail after a series-state snapshot,
   * so that state comes out as it was before the restart. Still no output.
   */
  warmupFull?: boolean;
  /**
   * Stand-in for offsets `source.offset`…`lastOffset` that the transport fetched but could not
   * decode (their bytes are gone): the pipeline dead-letters it with the reason.
   */
  undecodable?: { lastOffset: string; reason: string };
}

/** A decoded, validated tick. `values` follows the configured feature order. */
export interface Tick {
  series: string;
  tsMs: number;
  values: Float64Array;
  /** Optional string labels sent with the tick (`"labels":{"host":"web-1"}`), e.g. for incident grouping. */
  labels?: Readonly<Record<string, string>>;
  /** SenML only: the unit of each feature's reading (u, else bu; RFC 8428), '' where none was given; absent when no reading had one. */
  units?: readonly string[];
}

/** A forecast for one future step. Keys p10/p50/p90 are derived from the quantile levels. */
export type ForecastStep = { step: number; ts: number } & Record<string, number>;

/** Model-facing description of inputs and outputs; fixed for the life of one model version. */
export interface ModelSpec {
  /** Look-back length in ticks. */
  window: number;
  /** Input feature names, in the order the model reads them. */
  features: readonly string[];
  /** Forecast features (a subset of `features`), in output order. */
  targets: readonly string[];
  /** Steps ahead forecast. */
  horizon: number;
  /** Ascending quantile levels in (0,1); contains 0.5. */
  quantiles: readonly number[];
  /**
   * Features modelled as ln(value) (positive series: prices, counts, load); absent or empty: none.
   * The window store, request windows and training tables apply it; forecasts are mapped back
   * with exp, so outputs are in the series' own units (src/domain/model-spec.ts).
   */
  logFeatures?: readonly string[];
}

/** Names already made (two per scored tick: band() in src/domain/forecast.ts). */
const QUANTILE_KEYS = new Map<number, string>();

/** Name of a quantile level as used in output records: 0.1 → "p10", 0.5 → "p50", 0.975 → "p97.5". */
export function quantileKey(q: number): string {
  let key = QUANTILE_KEYS.get(q);
  if (key === undefined) {
    key = `p${Number((q * 100).toFixed(4))}`;
    // A model has a handful of levels; the cache stays that small whatever else asks.
    if (QUANTILE_KEYS.size < 64) QUANTILE_KEYS.set(q, key);
  }
  return key;
}

/** Lifecycle states of long-lived parts, as one union (see docs/architecture.md). */
export type ServiceState = 'idle' | 'starting' | 'running' | 'draining' | 'stopped' | 'failed';
