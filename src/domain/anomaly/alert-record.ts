/**
 * The record published on the `anomalies` topic for every alert transition:
 * {"series","feature","ts","value","expected","lower","upper","score","severity","state","model","view","source"}
 * `feature` names the feature (column) whose alert this is; records from before per-feature
 * alerts lack it (they were always about the first target).
 * `expected`/`lower`/`upper` are the p50/p10/p90 the value was judged against. When the model gave
 * no forecast for the tick, they come from the detector's fallback forecaster and `model` is
 * `FALLBACK_MODEL` so a reader can tell the two apart. `view` (firing records) names the view of
 * surprise that set the score: with `volatility` or `seasonal` the value may sit inside the band.
 */
import type { SourceRef } from '../types.ts';
import type { AnomalyEvent } from './detector.ts';
import type { SurpriseView } from './views.ts';

export const FALLBACK_MODEL = 'fallback-analogue';

/** Every `reason` a resolved record can carry (a bounded set: the `reason` label of tickcast_anomalies_resolved_total). */
export const RESOLVE_REASONS = ['evicted', 'reset', 'moved', 'stale'] as const;
export type ResolveReason = (typeof RESOLVE_REASONS)[number];

/** Same shape as `AnomalyRecord` in src/pipeline/ports.ts (domain may not import pipeline). */
export interface AnomalyAlertRecord {
  series: string;
  /** The feature that fired (omitted when the detector was not told one). */
  feature?: string;
  /** Tick timestamp, epoch ms. */
  ts: number;
  value: number;
  expected: number;
  lower: number;
  upper: number;
  score: number;
  severity: 'warning' | 'critical';
  state: 'firing' | 'resolved';
  model: string;
  /** Firing records: the view of surprise (or never-seen rule) that set the score. */
  view?: SurpriseView;
  source?: SourceRef;
  /**
   * Resolved records only, when the alert did not recover but the state that would resolve it is
   * gone: `evicted` (its series left this instance's memory while it fired) or `reset` (a restart
   * from a snapshot started its detector afresh) or `moved` (its input partition moved here from
   * another instance, whose alert this instance's detector does not have firing) or `stale` (its
   * feature had no value for longer than anomaly.staleFeatureMs: `value` is its last)
   * (docs/schemas.md). Absent on ordinary resolved records.
   */
  reason?: ResolveReason;
  /**
   * Firing records only: the alert was held back by a maintenance span (`expected` feedback) and,
   * still firing when the span ended, is sent late — at the tick with this timestamp (epoch ms).
   * `ts` and the rest are those of the tick it fired on (its real start). Absent otherwise.
   */
  heldUntilTs?: number;
  /**
   * Resolved records only, when the tick that resolved the alert is stamped before the alert's
   * firing record (its series stepped back onto its true clock after firing on a tick stamped
   * ahead): that tick's own ts (epoch ms); `ts` is then the firing record's, so a resolve is never
   * earlier than its firing. Absent otherwise (`ts` is the tick's).
   */
  tickTs?: number;
  /** With `reason: "evicted"`: why the series went — `idle` (windows.idleEvictMs) or `cap` (windows.maxSeries). */
  eviction?: 'idle' | 'cap';
  /**
   * Resolved records only (since 6 Dec 2026): the `id` of the alert's latest `firing` record, the
   * one it closes (after an escalation, the critical one) — the id feedback names the alert by.
   * Set on every resolve (recovered or with a `reason`); absent on older records.
   */
  firingId?: string;
}

/** Round to 6 significant digits: readable JSON, no false precision. */
function r6(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}

/**
 * Round a band value to 6 significant digits or to 1e-5 of the band's width, whichever keeps
 * more: 6 significant digits alone erased the band of a series at a high level (1e12 ± 1: expected,
 * lower and upper all came out 1000000000000).
 */
function rBand(x: number, width: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const digits = (v: number) => Math.floor(Math.log10(Math.abs(v)));
  const exp = width > 0 && Number.isFinite(width) ? Math.min(digits(x), digits(width)) - 5 : digits(x) - 5;
  return exp < 0 ? Number(x.toFixed(Math.min(100, -exp))) : Math.round(x / 10 ** exp) * 10 ** exp;
}

/**
 * Build the alert record. `modelVersion` is the version of the model that produced the
 * expectation (ignored when the event was judged by the fallback). `source` is where the tick
 * came from (omitted for ticks that did not come from Kafka, e.g. the CLI).
 */
export function buildAlertRecord(event: AnomalyEvent, modelVersion: string, source?: SourceRef): AnomalyAlertRecord {
  const e = event.expected;
  const rec: AnomalyAlertRecord = {
    series: event.series,
    ...(event.feature ? { feature: event.feature } : {}),
    ts: event.tsMs,
    value: event.value,
    expected: e === null ? event.value : rBand(e.p50, e.upper - e.lower),
    lower: e === null ? event.value : rBand(e.lower, e.upper - e.lower),
    upper: e === null ? event.value : rBand(e.upper, e.upper - e.lower),
    score: r6(event.score),
    severity: event.severity,
    state: event.state,
    model: event.basis === 'model' ? modelVersion : FALLBACK_MODEL,
  };
  if (event.view !== undefined) rec.view = event.view;
  if (event.heldUntilTs !== undefined) rec.heldUntilTs = event.heldUntilTs;
  if (event.reason !== undefined) rec.reason = event.reason;
  if (source !== undefined) rec.source = { topic: source.topic, partition: source.partition, offset: source.offset };
  return rec;
}

/** Kafka message key and JSON value for the record (keyed by series: one partition per series). */
export function encodeAlertRecord(rec: AnomalyAlertRecord): { key: string; value: string } {
  return { key: rec.series, value: JSON.stringify(rec) };
}

/**
 * A resolved record is never stamped before the firing record it closes (`firingTs`): a series
 * that fired on a tick stamped ahead and stepped back onto its true clock resolves on ticks older
 * than that firing, and a duration computed from the two came out negative. Its `ts` becomes the
 * firing's and the tick's own ts goes to `tickTs`. Unchanged otherwise.
 */
export function notBeforeFiring<R extends AnomalyAlertRecord>(rec: R, firingTs: number | undefined): R {
  if (rec.state !== 'resolved' || firingTs === undefined || !(firingTs > rec.ts)) return rec;
  rec.tickTs = rec.ts;
  rec.ts = firingTs;
  return rec;
}
