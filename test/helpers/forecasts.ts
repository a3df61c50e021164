/**
 * Telling forecast records apart (docs/schemas.md): a cold-series baseline (`model` starting with
 * `baseline:`, no `replaces`) is made before the series' window is full; every other record is a
 * model forecast — the model's own, or a baseline fusion served in its place (`replaces` names the
 * model version).
 */
export interface ForecastLike {
  model: string;
  replaces?: string;
}

export function isCold(f: ForecastLike): boolean {
  return f.model.startsWith('baseline:') && f.replaces === undefined;
}

/** The model version a non-cold forecast came from (its own label, or the one a fused baseline replaced). */
export function modelVersionOf(f: ForecastLike): string {
  return f.replaces ?? f.model;
}
