/**
 * Followers: parts that watch the stream's results without changing them — the alert index, the
 * incident grouper, band quality. The pipeline calls them in stream order; what `alert` and
 * `advance` return is published on the anomalies stream (incident records), after the alert.
 */
import type { ForecastStep, Tick } from '../domain/types.ts';
import type { AnomalyRecord } from './ports.ts';

/** A record for the anomalies stream other than an alert (e.g. an incident). */
export interface FollowerRecord {
  key: string;
  value: string;
}

export interface PipelineFollower {
  /** An alert record is being published. */
  alert?(rec: AnomalyRecord, labels: Readonly<Record<string, string>> | undefined): FollowerRecord[] | void;
  /**
   * An alert of the tail replayed after a series-state snapshot (full warm-up): it was published
   * before the restart, and is not again; state only (the incidents it joined then).
   */
  replayed?(rec: AnomalyRecord, labels: Readonly<Record<string, string>> | undefined): void;
  /** A tick arrived that the forecast step `expected` had predicted (made before the tick). */
  realised?(series: string, tsMs: number, value: number, expected: ForecastStep): void;
  /**
   * A tick was accepted (warm-up ones too); `eventMs` is how far it moves event time: its ts, or for one
   * stamped ahead of when it was sent, that + input.clockSkewMs (accepted.ts). `stepBack`: the series
   * stepped back onto its true clock at this tick (older than the fast tick before it).
   */
  ticked?(tick: Tick, eventMs: number, stepBack: boolean): void;
  /** A chunk of records with accepted ticks is done; `wallMs` is the host clock now. */
  advance?(wallMs: number): FollowerRecord[] | void;
  /** The series was evicted: drop its state. */
  forget?(series: string): void;
}
