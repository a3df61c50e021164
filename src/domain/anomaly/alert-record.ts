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
}

/** Round to 6 significant digits: readable JSON, no false precision. */
function r6(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
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
    expected: e === null ? event.value : r6(e.p50),
    lower: e === null ? event.value : r6(e.lower),
    upper: e === null ? event.value : r6(e.upper),
    score: r6(event.score),
    severity: event.severity,
    state: event.state,
    model: event.basis === 'model' ? modelVersion : FALLBACK_MODEL,
  };
  if (event.view !== undefined) rec.view = event.view;
  if (source !== undefined) rec.source = { topic: source.topic, partition: source.partition, offset: source.offset };
  return rec;
}

/** Kafka message key and JSON value for the record (keyed by series: one partition per series). */
export function encodeAlertRecord(rec: AnomalyAlertRecord): { key: string; value: string } {
  return { key: rec.series, value: JSON.stringify(rec) };
}
