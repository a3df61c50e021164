/**
 * One series' normalisation statistics, kept by the window store (window-store.ts) in its
 * SeriesState (window-series.ts): an exponentially weighted mean and variance per feature whose
 * weight starts as the exact running average (1/n) and settles at `alphaFloor`; ticks held out of
 * them (inside an alert) for at most `holdStatsMaxTicks` in a row, and the undo of the last one
 * learned. A feature in `log` enters them as ln(value).
 */
import { normStd } from './norm-std.ts';
import type { SeriesState } from './window-series.ts';

export interface SeriesStats {
  mean: Float64Array;
  std: Float64Array;
}

/** How the store learns: the features, the weight's floor, the held-tick bound, the log features (null: none). */
export interface StatsRule {
  readonly features: number;
  readonly alphaFloor: number;
  readonly holdStatsMaxTicks: number;
  readonly log: readonly boolean[] | null;
}

/** A value in model space: ln(value) for a log feature. */
export function toModel(log: readonly boolean[] | null, f: number, v: number): number {
  return log?.[f] ? Math.log(v) : v;
}

/** Write a tick's values (carrying missing ones forward) into the head slot and, unless held, into the statistics: `learn: false` holds them for at most holdStatsMaxTicks in a row. */
export function appendTick(s: SeriesState, tsMs: number, values: ArrayLike<number>, wantLearn: boolean, rule: StatsRule): void {
  const F = rule.features;
  const learn = wantLearn || s.learned === 0 || s.held >= rule.holdStatsMaxTicks;
  s.held = learn ? 0 : s.held + 1;
  if (learn) {
    s.learned++;
    s.learnedTs = tsMs;
    for (let f = 0; f < F; f++) s.prevMean[f] = s.mean[f]; // loops: TypedArray#set costs more than the copy of a few features
    for (let f = 0; f < F; f++) s.prevM2[f] = s.m2[f];
  }
  const alpha = Math.max(1 / s.learned, rule.alphaFloor);
  const base = s.head * F;
  for (let f = 0; f < F; f++) {
    const v = Number.isNaN(values[f]) ? s.last[f] : values[f];
    s.values[base + f] = v;
    s.last[f] = v;
    s.carried[f] = Number.isNaN(values[f]) ? s.carried[f] + 1 : 0;
    if (!learn) continue;
    const d = toModel(rule.log, f, v) - s.mean[f];
    s.mean[f] += alpha * d;
    s.m2[f] = (1 - alpha) * (s.m2[f] + alpha * d * d);
  }
}

/** Take back the statistics update of the tick at `tsMs`, if it is still the last tick learned and holding is on (`holdStatsMaxTicks` > 0). Returns true when undone. */
export function unlearnTick(s: SeriesState, tsMs: number, holdStatsMaxTicks: number): boolean {
  if (s.learnedTs !== tsMs || s.learned <= 1 || !holdStatsMaxTicks) return false;
  s.mean.set(s.prevMean);
  s.m2.set(s.prevM2);
  s.learned--;
  s.learnedTs = Number.NaN;
  s.held = 1;
  return true;
}

/** The statistics now in force (copies). */
export function statsOf(s: SeriesState, features: number): SeriesStats {
  const std = new Float64Array(features);
  for (let f = 0; f < features; f++) std[f] = normStd(s.m2[f], s.mean[f]);
  return { mean: Float64Array.from(s.mean), std };
}
