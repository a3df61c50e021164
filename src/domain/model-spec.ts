/**
 * Rules about a ModelSpec shared by every engine and every holder of one: a plain copy (what an
 * artifact stores), the differences that make two specs incompatible (artifact checks, model
 * swaps, ensembles), and the value transform: features listed in `logFeatures` are modelled as
 * ln(value). The transform is applied where values turn into model space (the window store's
 * statistics and windows, request windows, training tables) and undone where forecasts leave it
 * (decodeForecast), so every other part sees values in the series' own units.
 */
import type { ModelSpec } from './types.ts';

/** A plain copy with fresh arrays; `logFeatures` only when non-empty (older specs stay as they were). */
export function copySpec(s: ModelSpec): ModelSpec {
  const out: ModelSpec = { window: s.window, features: [...s.features], targets: [...s.targets], horizon: s.horizon, quantiles: [...s.quantiles] };
  if (s.logFeatures && s.logFeatures.length > 0) out.logFeatures = [...s.logFeatures];
  return out;
}

/** Why a model with spec `b` cannot stand in for one with spec `a` (empty when it can). */
export function specDiffs(a: ModelSpec, b: ModelSpec): string[] {
  const list = (x: readonly unknown[] | undefined) => JSON.stringify(x ?? []);
  const diffs: string[] = [];
  if (a.window !== b.window) diffs.push(`window ${a.window} ≠ ${b.window}`);
  if (a.horizon !== b.horizon) diffs.push(`horizon ${a.horizon} ≠ ${b.horizon}`);
  if (list(a.features) !== list(b.features)) diffs.push(`features [${a.features}] ≠ [${b.features}]`);
  if (list(a.targets) !== list(b.targets)) diffs.push(`targets [${a.targets}] ≠ [${b.targets}]`);
  if (list(a.quantiles) !== list(b.quantiles)) diffs.push(`quantiles [${a.quantiles}] ≠ [${b.quantiles}]`);
  if (list(a.logFeatures) !== list(b.logFeatures)) diffs.push(`logFeatures [${a.logFeatures ?? []}] ≠ [${b.logFeatures ?? []}]`);
  return diffs;
}

/** For each name, whether the spec models it in log space. */
export function logMask(spec: ModelSpec, names: readonly string[] = spec.features): boolean[] {
  const logs = new Set(spec.logFeatures ?? []);
  return names.map((n) => logs.has(n));
}

/** Problems with `logFeatures` (each must be a feature, listed once). */
export function logFeatureProblems(spec: ModelSpec): string[] {
  const logs = spec.logFeatures ?? [];
  const problems: string[] = [];
  for (const f of logs) if (!spec.features.includes(f)) problems.push(`log feature "${f}" is not one of the features [${spec.features.join(', ')}]`);
  if (new Set(logs).size !== logs.length) problems.push('logFeatures must be unique');
  return problems;
}

/** Whether ln(v) is a finite number: the one rule for a log-space feature's values (codec, serving, training data). */
export function inLogDomain(v: number): boolean {
  return v > 0 && v < Infinity;
}

/**
 * The first value a log-space feature cannot take (≤ 0, or not finite), as `{ index, value }`;
 * null when every value can be transformed. NaN (a missing feature, carried forward) is allowed.
 */
export function outOfLogDomain(values: ArrayLike<number>, mask: readonly boolean[]): { index: number; value: number } | null {
  for (let f = 0; f < mask.length; f++) {
    const v = values[f];
    if (mask[f] && !Number.isNaN(v) && !inLogDomain(v)) return { index: f, value: v };
  }
  return null;
}
