/**
 * Phase 3 of the stream pipeline (stream-pipeline.ts) for one accepted tick, in tick order: score it
 * against the forecast current before it, tell the followers, fusion and the learner, then install and
 * emit what was forecast at it — a cold series' baseline, or the model's forecast (the outlook keeps
 * it) served as it is or as the baseline fusion prefers.
 */
import { decodeForecast } from '../domain/forecast.ts';
import type { ForecastFusion } from '../domain/fusion/forecast-fusion.ts';
import type { ForecastFloor } from '../domain/forecast-floor.ts';
import type { ForecastStep, ModelSpec, RawRecord } from '../domain/types.ts';
import { SeriesOutlook } from './series-outlook.ts';
import type { InferenceResult } from './inference.ts';
import type { OutMessage, PipelineObserver } from './ports.ts';
import type { PipelineFollower } from './followers.ts';
import { forecastMessage, listening, liveTick, namedTargets } from './out-messages.ts';
import type { LearningTap } from './learning-tap.ts';
import type { TickAlerts } from './tick-alerts.ts';
import type { Accepted } from './accepted.ts';

/** What phase 3 reads of the pipeline's deps (StreamPipelineDeps; the object itself, read at each tick). */
export interface TickEmitDeps {
  outlook: SeriesOutlook;
  /** The serving model's spec (a swap may change the version, never the shape). */
  inference: { readonly spec: ModelSpec };
  observer?: PipelineObserver;
  fusion?: ForecastFusion | null;
  floor?: ForecastFloor | null;
}

/** The parts the pipeline built from its deps that phase 3 uses. */
export interface TickEmitParts {
  now: () => number;
  /** Indices of the spec's targets among its features. */
  targetIdx: readonly number[];
  followers: readonly PipelineFollower[];
  learning: LearningTap;
  alerts: TickAlerts | null;
  trace: (rec: RawRecord) => Record<string, string>;
}

/** A live forecast event's `closedSteps`, only when there are any. */
const closedOf = (closed: readonly number[]): { closedSteps?: readonly number[] } => (closed.length > 0 ? { closedSteps: closed } : {});

export class TickEmitter {
  readonly #d: TickEmitDeps;
  readonly #p: TickEmitParts;

  /** `deps`: the pipeline's own object, read as it is at each tick. */
  constructor(deps: TickEmitDeps, parts: TickEmitParts) {
    this.#d = deps;
    this.#p = parts;
  }

  /** Phase 3 for one accepted tick: score it, learn, then install and emit its forecast. */
  emit(a: Accepted, r: InferenceResult | null, out: OutMessage[]): void {
    const d = this.#d;
    const p = this.#p;
    const series = a.tick.series;
    if (a.merged) return p.alerts?.score(a.tick, a.rec, a.quiet, d.outlook.expectationsAt(series, a.tick.tsMs), out, false, true); // a reading merged into a tick scored before (accepted.ts)
    const [target, expectations] = [a.tick.values[p.targetIdx[0]], d.outlook.nextExpectations(series)];
    const expected = expectations?.[0] ?? null;
    liveTick(d.observer, d.inference.spec, a, target);
    if (!a.quiet && expected) for (const f of p.followers) f.realised?.(series, a.tick.tsMs, target, expected);
    for (const f of p.followers) f.ticked?.(a.tick, a.eventMs, a.stepBack === true); // a tick stamped ahead moves event time no further than sent + clockSkewMs
    d.fusion?.realised(series, a.tick.values, p.targetIdx, 1 + a.filled);
    p.alerts?.score(a.tick, a.rec, a.quiet, expectations, out, a.stepBack);
    p.learning.afterScoring(a.tick, a.suppressed, a.view, expected);
    if (a.cold) d.outlook.entry(series).baseline = { ts: a.tick.tsMs, model: a.cold.model, horizon: a.cold.steps[0], ...SeriesOutlook.targetsOf(a.cold.steps), ...closedOf(a.cold.closed) };
    if (a.cold && !a.quiet) {
      out.push(this.#forecastMessage(a, a.cold.model, a.cold.steps, a.cold.closed));
      if (listening(d.observer)) d.observer!.live!({ type: 'forecast', series, ts: a.tick.tsMs, model: a.cold.model, horizon: a.cold.steps[0], ...namedTargets(d.inference.spec, a.cold.steps), ...closedOf(a.cold.closed) });
    }
    if (r && a.stats) this.#install(a, r, out);
  }

  /**
   * A model forecast made at this tick: the outlook keeps it (the detector's expectation); what is
   * served — it, or a baseline that has done better on the series (fusion) — is emitted.
   */
  #install(a: Accepted, r: InferenceResult, out: OutMessage[]): void {
    const d = this.#d;
    const p = this.#p;
    const series = a.tick.series;
    const steps = decodeForecast(r.y, 0, d.inference.spec, p.targetIdx, a.stats!.mean, a.stats!.std, a.times);
    d.floor?.apply(steps);
    const served = d.fusion && a.baselines ? d.fusion.serve(series, r.model, steps, a.baselines) : { model: r.model, steps }; // fusion floors its baselines
    const shown = served.model === r.model ? null : { ts: a.tick.tsMs, model: served.model, replaces: r.model, horizon: served.steps[0], ...closedOf(a.closed) };
    d.outlook.setForecast(series, { ts: a.tick.tsMs, model: r.model, horizon: steps[0], ...SeriesOutlook.targetsOf(steps), ...closedOf(a.closed) }, shown && { ...shown, ...SeriesOutlook.targetsOf(served.steps) });
    if (a.quiet) return;
    out.push(this.#forecastMessage(a, served.model, served.steps, a.closed, shown?.replaces));
    d.observer?.forecast?.(series, Math.max(0, p.now() - a.rec.receivedAtMs) / 1000);
    if (listening(d.observer)) d.observer!.live!({ type: 'forecast', series, ...(shown ?? { ts: a.tick.tsMs, model: r.model, horizon: steps[0], ...closedOf(a.closed) }), ...namedTargets(d.inference.spec, served.steps) });
  }

  #forecastMessage(a: Accepted, model: string, steps: ForecastStep[][], closed: readonly number[], replaces?: string): OutMessage {
    return forecastMessage(this.#d.inference.spec, a.tick, model, steps, Math.max(0, this.#p.now() - a.rec.receivedAtMs), { ...this.#p.trace(a.rec) }, closed, replaces);
  }
}
