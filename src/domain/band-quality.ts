/**
 * Band quality per series: how well the forecast band held up against what then happened, over
 * the last `windowTicks` realised ticks of each series (a rolling window, so a band that drifts
 * shows within a few hundred ticks).
 *
 * - coverage: share of ticks inside [lower, upper] (p10–p90 by default; nominal 0.8). Far below
 *   nominal = over-confident band (alerts too often); far above = a band so wide it hides anomalies.
 * - below / above: shares outside on each side (a skewed miss says the median is biased).
 * - pinball: mean quantile (pinball) loss over every quantile of the step, in the series' units;
 *   scaledPinball divides it by the mean |yₜ − yₜ₋₁| of the same window (a naive forecast's error
 *   scale) so series of any size compare: ≈0.1–0.3 is a sharp band, ≥1 is no better than "same as last".
 * Series are bounded by `maxSeries` (least recently updated dropped) and forgotten on eviction.
 */
import { quantileKey, type ForecastStep } from './types.ts';

export interface BandQualitySettings {
  /** Ascending quantile levels of the forecasts (contains 0.5). */
  quantiles: readonly number[];
  windowTicks: number;
  maxSeries: number;
}

export interface BandQualitySummary {
  /** Realised ticks in the window. */
  ticks: number;
  coverage: number;
  /** Coverage a calibrated band would have: upper level − lower level. */
  nominal: number;
  below: number;
  above: number;
  pinball: number;
  /** null while the naive error scale is 0 (a flat series). */
  scaledPinball: number | null;
}

export interface BandQualityOverview {
  nominal: number;
  windowTicks: number;
  /** Series with enough realised ticks to be judged. */
  series: number;
  meanCoverage: number | null;
  worst: Array<BandQualitySummary & { series: string }>;
}

class SeriesBand {
  n = 0;
  readonly hit: Int8Array; // -1 below, 0 inside, 1 above
  readonly loss: Float64Array;
  readonly naive: Float64Array;
  sumLoss = 0;
  sumNaive = 0;
  below = 0;
  above = 0;
  last = Number.NaN;

  constructor(w: number) {
    this.hit = new Int8Array(w);
    this.loss = new Float64Array(w);
    this.naive = new Float64Array(w);
  }
}

export class BandQualityTracker {
  readonly settings: Readonly<BandQualitySettings>;
  readonly nominal: number;
  readonly #keys: string[];
  readonly #series = new Map<string, SeriesBand>();

  constructor(settings: BandQualitySettings) {
    if (!Number.isInteger(settings.windowTicks) || settings.windowTicks < 1) throw new RangeError(`windowTicks must be a positive integer; got ${settings.windowTicks}`);
    this.settings = Object.freeze({ ...settings, quantiles: [...settings.quantiles] });
    const q = settings.quantiles;
    this.nominal = q[q.length - 1] - q[0];
    this.#keys = q.map(quantileKey);
  }

  get size(): number {
    return this.#series.size;
  }

  /** Record that `value` arrived where `step` had forecast it. Non-finite values are ignored. */
  observe(series: string, value: number, step: ForecastStep): void {
    if (!Number.isFinite(value)) return;
    const q = this.settings.quantiles;
    const lower = step[this.#keys[0]];
    const upper = step[this.#keys[q.length - 1]];
    if (!Number.isFinite(lower) || !Number.isFinite(upper)) return;
    const s = this.#touch(series);
    let loss = 0;
    for (let i = 0; i < q.length; i++) {
      const d = value - step[this.#keys[i]];
      loss += d >= 0 ? q[i] * d : (q[i] - 1) * d;
    }
    loss /= q.length;
    const hit = value < lower ? -1 : value > upper ? 1 : 0;
    const naive = Number.isFinite(s.last) ? Math.abs(value - s.last) : 0;
    s.last = value;
    const w = this.settings.windowTicks;
    const i = s.n % w;
    if (s.n >= w) {
      s.sumLoss -= s.loss[i];
      s.sumNaive -= s.naive[i];
      if (s.hit[i] < 0) s.below--;
      else if (s.hit[i] > 0) s.above--;
    }
    s.hit[i] = hit;
    s.loss[i] = loss;
    s.naive[i] = naive;
    s.sumLoss += loss;
    s.sumNaive += naive;
    if (hit < 0) s.below++;
    else if (hit > 0) s.above++;
    s.n++;
  }

  get(series: string): BandQualitySummary | undefined {
    const s = this.#series.get(series);
    return s === undefined ? undefined : this.#summary(s);
  }

  forget(series: string): void {
    this.#series.delete(series);
  }

  /** Every tracked series with at least `minTicks` realised ticks in its window. */
  *summaries(minTicks = 1): IterableIterator<[string, BandQualitySummary]> {
    for (const [id, s] of this.#series) if (Math.min(s.n, this.settings.windowTicks) >= minTicks) yield [id, this.#summary(s)];
  }

  /** Across series: how many are tracked and the `limit` farthest from nominal coverage (worst first). */
  overview(limit: number, minTicks = 1): BandQualityOverview {
    const all: Array<BandQualitySummary & { series: string }> = [];
    for (const [series, s] of this.summaries(minTicks)) all.push({ series, ...s });
    const off = (x: BandQualitySummary) => Math.abs(x.coverage - x.nominal);
    all.sort((a, b) => off(b) - off(a) || (a.series < b.series ? -1 : 1));
    const mean = all.length === 0 ? null : r4(all.reduce((n, x) => n + x.coverage, 0) / all.length);
    return { nominal: r4(this.nominal), windowTicks: this.settings.windowTicks, series: all.length, meanCoverage: mean, worst: all.slice(0, limit) };
  }

  #touch(series: string): SeriesBand {
    let s = this.#series.get(series);
    if (s === undefined) {
      s = new SeriesBand(this.settings.windowTicks);
      if (this.#series.size >= this.settings.maxSeries) this.#series.delete(this.#series.keys().next().value as string);
    } else this.#series.delete(series);
    this.#series.set(series, s);
    return s;
  }

  #summary(s: SeriesBand): BandQualitySummary {
    const n = Math.min(s.n, this.settings.windowTicks);
    const pinball = Math.max(0, s.sumLoss) / n;
    // The first tick of a series has no naive error; average over the pairs seen.
    const pairs = s.n > this.settings.windowTicks ? n : n - 1;
    const scale = pairs > 0 ? Math.max(0, s.sumNaive) / pairs : 0;
    return {
      ticks: n,
      coverage: r4((n - s.below - s.above) / n),
      nominal: r4(this.nominal),
      below: r4(s.below / n),
      above: r4(s.above / n),
      pinball: Number(pinball.toPrecision(6)),
      scaledPinball: scale > 0 ? r4(pinball / scale) : null,
    };
  }
}

function r4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
