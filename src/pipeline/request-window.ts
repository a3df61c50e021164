/**
 * A caller's window (POST /v1/forecast, MCP forecast with "window"): checked into [W][F] rows (the
 * last W of them), moved into the model's space (ln of its log features), z-normalised by its own
 * statistics, and the model's attention aligned back onto the steps the caller sent. The checks'
 * errors are the 400s a client reads (TC_HTTP_BAD_REQUEST, TC_MODEL_INPUT_SHAPE). Split from
 * serving.ts on 7 Dec 2026 (it was at 293 of its 300 lines).
 */
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { outOfLogDomain } from '../domain/model-spec.ts';
import { normStd } from '../domain/norm-std.ts';
import { beyondValueBound, MAX_ABS_VALUE } from '../domain/value-bound.ts';

/** Validate a request window into [W][F] rows (the last W values are used if more are sent). */
export function toRows(window: number[] | number[][], W: number, features: readonly string[]): number[][] {
  const F = features.length;
  if (!Array.isArray(window)) throw badWindow('"window" must be an array');
  const rows = window.map((v, i) => {
    const row = Array.isArray(v) ? v : [v];
    if (row.length !== F) {
      const step = F === 1 ? 'a number per step (number[])' : `a row of ${F} values per step, in the model's feature order [${features.join(', ')}] (number[][])`;
      throw badShape(`window[${i}] has ${row.length} value(s); the model reads ${F} feature(s) per step`, { hint: `send ${step}`, features: [...features] });
    }
    for (const x of row) {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw badWindow(`window[${i}] holds ${JSON.stringify(x)}; every value must be a finite number`);
      // normalise squares deviations: beyond the bound they overflow to Infinity and every quantile comes back null.
      if (beyondValueBound(x)) throw badWindow(`window[${i}] holds ${x}; tickcast accepts values with |value| ≤ ${MAX_ABS_VALUE}`);
    }
    return row as number[];
  });
  if (rows.length < W) {
    throw badShape(`window has ${rows.length} step(s); the model needs at least ${W} (the last ${W} are used)`, {
      hint: `send the last ${W} steps or more, oldest first (a longer window is fine: the model reads its last ${W}); or send {"series":"<id>"} instead of "window" to forecast a tracked series from the steps the server holds (GET /v1/series lists them)`,
      minSteps: W,
      steps: rows.length,
    });
  }
  return rows.slice(rows.length - W);
}

/**
 * Attention over the `sent` steps of the caller's window, oldest first, so attention[i] is the
 * weight on window[i]: the model reads the last W of them, the ones before get 0 (a window longer
 * than the model's would otherwise have its weights shifted onto the wrong steps).
 */
export function alignedAttention(att: ArrayLike<number>, sent: number): number[] {
  const out = new Array<number>(Math.max(sent - att.length, 0)).fill(0);
  for (let i = 0; i < att.length; i++) out.push(att[i]);
  return out;
}

/** ln(value) for each feature the model reads in log space; such values must be > 0. */
export function toModelSpace(rows: number[][], mask: readonly boolean[], features: readonly string[]): number[][] {
  if (!mask.some(Boolean)) return rows;
  return rows.map((row, i) => {
    const bad = outOfLogDomain(row, mask);
    if (bad) throw badWindow(`window[${i}] has ${bad.value} for feature "${features[bad.index]}"; the model reads it as ln(value), so it must be > 0`);
    return row.map((v, f) => (mask[f] ? Math.log(v) : v));
  });
}

function badWindow(msg: string): TickcastError {
  return new TickcastError(ErrorCodes.HTTP_BAD_REQUEST, msg, { statusCode: 400 });
}

/** A window that does not fit the model (too few steps, wrong feature count): the specific code, so a client can tell it from a malformed body. */
function badShape(msg: string, details?: { hint: string } & Record<string, unknown>): TickcastError {
  return new TickcastError(ErrorCodes.MODEL_INPUT_SHAPE, msg, { statusCode: 400, details });
}

/** z-normalise rows by their own mean/std per feature (a request has no series history). */
export function normalise(rows: number[][], out: Float32Array, F: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(F);
  const std = new Float64Array(F);
  for (let f = 0; f < F; f++) {
    let s = 0;
    for (const r of rows) s += r[f];
    const m = s / rows.length;
    let v = 0;
    for (const r of rows) v += (r[f] - m) ** 2;
    mean[f] = m;
    std[f] = normStd(v / rows.length, m);
  }
  rows.forEach((r, w) => r.forEach((x, f) => (out[w * F + f] = (x - mean[f]) / std[f])));
  return { mean, std };
}
