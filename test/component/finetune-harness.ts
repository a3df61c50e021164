/**
 * Drives one or more model services with the same live stream, the way the pipeline does: a
 * window store normalises each series, every accepted tick goes to the service's learner with the
 * store's statistics and the median forecast made for it (TickObservation), and forecasts come from the service's current serving predictor through a
 * real InferenceStage (so promotions and rollbacks swap what is measured). Live MAE is
 * prequential: each forecast is scored when the truth for its whole horizon has arrived, in units
 * of the series' standard deviation at the forecast origin.
 */
import { WindowStore } from '../../src/domain/window-store.ts';
import { InferenceStage, type InferenceOptions } from '../../src/pipeline/inference.ts';
import type { ModelService } from '../../src/model/model-service.ts';
import type { Predictor } from '../../src/pipeline/ports.ts';

/**
 * The service's PredictorSlot, as app.ts builds it: an inference stage made from the first
 * predictor. Pass `slot` to createModelService, then read `stage`.
 */
export function stageSlot(o: InferenceOptions = { maxBatchSize: 64, maxWaitMs: 2, maxInFlightBatches: 2 }): { slot: (first: Predictor) => InferenceStage; readonly stage: InferenceStage } {
  let stage: InferenceStage | undefined;
  return {
    slot: (first) => (stage = new InferenceStage(first, o)),
    get stage() {
      if (!stage) throw new Error('the model service has not been created with this slot');
      return stage;
    },
  };
}

export interface Served {
  name: string;
  svc: ModelService;
  inference: InferenceStage;
  /** Every forecast made: series, origin tick index, median path (normalised), origin statistics. */
  forecasts: { series: string; origin: number; p50: Float32Array; mean: number; std: number }[];
  /** The newest forecast per series (the expectation for the ticks after its origin). */
  last: Map<string, { origin: number; p50: Float32Array; mean: number; std: number }>;
}

export class Harness {
  readonly served: Served[];
  readonly store: WindowStore;
  readonly #W: number;
  readonly #H: number;
  tick = 0;
  /** Raw values per series by tick index (the truth). */
  readonly #values = new Map<string, number[]>();

  constructor(services: { name: string; svc: ModelService; inference: InferenceStage }[], o: { window: number; horizon: number; normHalfLifeTicks: number }) {
    this.#W = o.window;
    this.#H = o.horizon;
    this.store = new WindowStore({ window: o.window, features: 1, stride: 1, maxSeries: 100, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: o.normHalfLifeTicks });
    this.served = services.map(({ name, svc, inference }) => ({ name, svc, inference, forecasts: [], last: new Map() }));
  }

  /** Feed `n` ticks to every series (`value(series, i)`), `chunk` ticks per series between yields. */
  async feed(series: string[], n: number, value: (s: string, i: number) => number, o: { chunk?: number; pauseMs?: number; until?: () => boolean } = {}): Promise<number> {
    const chunk = o.chunk ?? 8;
    let fed = 0;
    for (let i = 0; i < n; i += chunk) {
      const jobs: Promise<void>[] = [];
      for (let k = i; k < Math.min(n, i + chunk); k++) {
        const t = this.tick++;
        for (const s of series) jobs.push(...this.#push(s, t, value(s, t)));
      }
      await Promise.all(jobs);
      fed = Math.min(n, i + chunk);
      if (o.until?.()) break;
      await new Promise((r) => setTimeout(r, o.pauseMs ?? 5));
    }
    return fed;
  }

  #push(series: string, t: number, v: number): Promise<void>[] {
    const ts = t * 60_000;
    this.store.push(series, ts, [v], ts);
    const hist = this.#values.get(series) ?? [];
    hist[t] = v;
    this.#values.set(series, hist);
    // What the pipeline gives the learner: the tick with the window store's statistics after it,
    // and the median that the service's last forecast made for it.
    const cur = this.store.current(series)!;
    for (const s of this.served) {
      const f = s.last.get(series);
      const k = f ? t - f.origin - 1 : -1;
      const expected = f && k >= 0 && k < this.#H ? f.p50[k] * f.std + f.mean : null;
      s.svc.learner?.observe({ series, ts, values: Float64Array.from(cur.values), mean: Float64Array.from(cur.mean), std: Float64Array.from(cur.std), expected, suppressed: false });
    }
    const x = new Float32Array(this.#W);
    const st = this.store.snapshot(series, x, 0);
    if (!st) return [];
    return this.served.map(async (s) => {
      const r = await s.inference.submit({ x });
      const spec = s.inference.spec;
      const Q = spec.quantiles.length;
      const qi = spec.quantiles.indexOf(0.5);
      const p50 = new Float32Array(this.#H);
      for (let h = 0; h < this.#H; h++) p50[h] = r.y[h * Q + qi];
      const mean = st.mean[0];
      const std = st.std[0];
      s.forecasts.push({ series, origin: t, p50, mean, std });
      s.last.set(series, { origin: t, p50, mean, std });
    });
  }

  /** Mean of the errors of forecasts whose origin tick is in [from, to). */
  mae(name: string, from: number, to = Infinity): { mae: number; n: number } {
    const s = this.served.find((x) => x.name === name)!;
    let sum = 0;
    let n = 0;
    for (const f of s.forecasts) {
      if (f.origin < from || f.origin >= to) continue;
      const truth = this.#values.get(f.series)!;
      if (truth[f.origin + this.#H] === undefined) continue; // not matured
      let e = 0;
      for (let h = 0; h < this.#H; h++) e += Math.abs((truth[f.origin + 1 + h] - f.mean) / f.std - f.p50[h]);
      sum += e / this.#H;
      n++;
    }
    return { mae: sum / Math.max(1, n), n };
  }

  async close(): Promise<void> {
    for (const s of this.served) {
      await s.inference.close();
      await s.svc.stop();
    }
  }
}
