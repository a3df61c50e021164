/**
 * Phase 1's reads of the window store at the ticks accepted in a chunk (stream-pipeline.ts): the
 * window the model is given and its statistics, the fusion baselines, a cold start's forecast, the
 * learner's view — taken once no later record of the chunk can merge a reading into the tick
 * (tick-again.ts; since 7 Dec 2026). Before, they were taken as the tick was pushed, so a bridge
 * publishing one record per reading (temperature, then humidity, at one ts) had every forecast made
 * on a window whose last row carried the previous tick's humidity, although the humidity record came
 * in the same poll. A reading merged in a later poll still misses its tick's forecast (docs/schemas.md
 * § Event time). Only with input.missingFeature carry: without, no reading can be merged into a tick
 * and each is read as it is pushed (no cost on that path).
 */
import type { WindowStore } from '../domain/window-store.ts';
import type { ColdStartOptions } from '../domain/cold-start.ts';
import type { ForecastFusion } from '../domain/fusion/forecast-fusion.ts';
import type { ForecastFloor } from '../domain/forecast-floor.ts';
import type { Accepted } from './accepted.ts';
import { coldForecast } from './cold-forecast.ts';
import type { InferenceStage } from './inference.ts';
import type { LearningTap } from './learning-tap.ts';

/** An accepted tick whose reads wait (`ready`: a forecast is due at it, WindowStore.push). */
export interface PendingRead {
  tsMs: number;
  accepted: Accepted;
  ready: boolean;
}

/** A chunk's pending reads, keyed by series (its last tick accepted in the chunk), and what takes one. `defer` false: none wait (input.missingFeature reject: nothing can be merged into a tick). */
export interface Reads {
  defer: boolean;
  pending: Map<string, PendingRead>;
  read(p: PendingRead): void;
}

/** An accepted tick of `series`, the series' last: its reads wait (`defer`) or are taken now. */
export function hold(reads: Reads, series: string, p: PendingRead): void {
  if (reads.defer) reads.pending.set(series, p);
  else reads.read(p);
}

/** What readBefore needs of the series registry: whether admitting `series` could evict one. */
interface Admission {
  has(series: string): boolean;
  readonly size: number;
  readonly maxSeries: number;
}

/**
 * Before a record of `series` at `tsMs` is pushed, take the pending reads that push could change:
 * the series' own unless the record is at its tick's ts (it can only be merged into that tick, or
 * dropped), and every series' when admitting a new one may evict the least recently seen at the cap.
 */
export function readBefore(reads: Reads, series: string, tsMs: number, registry: Admission): void {
  if (reads.pending.size === 0) return;
  if (!registry.has(series) && registry.size >= registry.maxSeries) return readAll(reads);
  const p = reads.pending.get(series);
  if (p === undefined || p.tsMs === tsMs) return;
  reads.pending.delete(series);
  reads.read(p);
}

/** Take every pending read (the chunk's last record is windowed). */
export function readAll(reads: Reads): void {
  for (const p of reads.pending.values()) reads.read(p);
  reads.pending.clear();
}

/** What readAtTick reads and submits to (the pipeline's dependencies). */
export interface TickReadDeps {
  store: WindowStore;
  inference: InferenceStage;
  coldStart?: ColdStartOptions | null;
  floor?: ForecastFloor | null;
  fusion?: ForecastFusion | null;
}

/** The reads at an accepted tick, its series' last: the window submitted to the model when due (`ready`), and the rest. `recent`: a scratch buffer of a window's length. */
export function readAtTick(d: TickReadDeps, a: Accepted, ready: boolean, per: number, targetIdx: readonly number[], learning: LearningTap, recent: Float64Array): void {
  const { tick, quiet } = a;
  const spec = d.inference.spec;
  // A plain warm-up record is scored without the model (phase 3, quietly): the detector's and the
  // alerts' state come back with the window. Only a full one (a snapshot's tail) runs the model.
  if (ready && (!quiet || a.rec.warmupFull === true)) {
    const x = new Float32Array(per);
    a.stats = d.store.snapshot(tick.series, x, 0);
    a.job = d.inference.submit({ x });
  }
  a.cold = ready || !d.coldStart ? null : coldForecast(d.store, d.coldStart, spec, targetIdx, tick, d.floor);
  a.view = learning.view(tick.series, quiet, a.filled);
  if (!a.job) return;
  a.times = d.store.stepTimes(tick.series, tick.tsMs, spec.horizon);
  a.closed = d.store.closedSteps(tick.series, a.times);
  a.baselines = d.fusion ? d.fusion.baselines((t, buf) => d.store.tail(tick.series, targetIdx[t], buf), d.store.intervalMs(tick.series), recent) : null;
}
