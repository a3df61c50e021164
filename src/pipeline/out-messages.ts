/**
 * Output records the pipeline builds from its results (docs/schemas.md): forecasts, and follower
 * records (incidents) on the anomalies stream. Alert records are encoded by the domain
 * (encodeAlertRecord), dead letters in dead-letter.ts. Trace headers are the caller's: one call per message.
 */
import type { ForecastStep, ModelSpec, RawRecord, Tick } from '../domain/types.ts';
import type { FollowerRecord } from './followers.ts';
import type { OutMessage, PipelineObserver } from './ports.ts';
import type { Accepted } from './accepted.ts';
import type { WindowStore } from '../domain/window-store.ts';

/**
 * One forecast: the first target's steps as `horizon`, every target's under `targets`. `steps`: one step array per
 * target, in spec order. `closedSteps` (only when there are any): the steps, 1-based, whose time falls in hours the
 * series is closed (its open hours learned: WindowStore.closedSteps).
 */
export function forecastMessage(spec: ModelSpec, tick: Tick, model: string, steps: ForecastStep[][], latencyMs: number, headers: Record<string, string>, closed: readonly number[] = [], replaces?: string): OutMessage {
  const body: Record<string, unknown> = {
    series: tick.series,
    ts: tick.tsMs,
    model,
    horizon: steps[0],
    latencyMs,
  };
  // A baseline fusion served in the model's place names the model version it stood in for.
  if (replaces !== undefined) body.replaces = replaces;
  Object.assign(body, namedTargets(spec, steps));
  if (closed.length > 0) body.closedSteps = closed;
  return { stream: 'forecasts', key: tick.series, value: JSON.stringify(body), headers };
}

/**
 * `targets` as the forecasts topic gives them — every target's steps by name — for a multi-target
 * model; nothing for a univariate one (`horizon` is all). Also the live `forecast` event's (GET /v1/events).
 */
export function namedTargets(spec: Pick<ModelSpec, 'targets'>, steps: ForecastStep[][]): { targets?: Record<string, ForecastStep[]> } {
  return spec.targets.length > 1 ? { targets: Object.fromEntries(spec.targets.map((t, i) => [t, steps[i]])) } : {};
}

/**
 * The live `tick` event's `values` (GET /v1/events): every feature's reading by name, for a
 * multivariate series only (the dashboard draws the feature picked; `value` is the first target's).
 * `values`: one per feature, in spec order (Tick.values).
 */
export function namedValues(spec: Pick<ModelSpec, 'features'>, values: ArrayLike<number>): { values?: Record<string, number> } {
  return spec.features.length > 1 ? { values: Object.fromEntries(spec.features.map((f, i) => [f, values[i]])) } : {};
}

/** Append what a follower returned to `out`, each with the trace headers of the record that caused it. */
export function pushFollowerRecords(records: FollowerRecord[] | void, cause: RawRecord, trace: (rec: RawRecord) => Record<string, string>, out: OutMessage[]): void {
  for (const r of records ?? []) out.push({ stream: 'anomalies', key: r.key, value: r.value, headers: { ...trace(cause) } });
}

/** Whether live events are wanted: the observer takes them and has a subscriber (or does not count them). The per-tick and per-forecast events are built only then. */
export function listening(observer: PipelineObserver | undefined): boolean {
  return observer?.live !== undefined && observer.subscribers !== 0;
}

/** The live `tick` event of an accepted tick (`value`: the first target's reading). Built only for a listener: an object and a spread per tick. */
export function liveTick(observer: PipelineObserver | undefined, spec: Pick<ModelSpec, 'features'>, a: Accepted, value: number): void {
  if (!a.quiet && listening(observer)) observer!.live!({ type: 'tick', series: a.tick.series, ts: a.tick.tsMs, value, ...namedValues(spec, a.tick.values) });
}

/**
 * A reading sent late in its own record was merged into its series' last tick (tick-again.ts), one
 * accepted in an earlier chunk (one of this chunk has the reading in its values: accepted.ts
 * mergeReading, and its own event carries it): that tick's live `tick` event again, `merged`, with
 * the values the window holds now (NaN — null in JSON — where the tick still lacks a feature), so
 * the dashboard draws the reading where it drew a carried value. Built only for a listener.
 * `targetIdx`: the first target's feature index.
 */
export function liveMerged(observer: PipelineObserver | undefined, store: WindowStore, spec: Pick<ModelSpec, 'features'>, series: string, ts: number, targetIdx: number): void {
  const last = listening(observer) ? store.lastValues(series) : null;
  if (!last) return;
  observer!.live!({ type: 'tick', series, ts, value: last[targetIdx], ...namedValues(spec, last), merged: true });
}
