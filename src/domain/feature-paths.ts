/**
 * input.fields.features (since 7 Dec 2026): a feature read at a path of its own, for payloads that
 * spread their readings over several objects — `{"env":{"temp":21.5},"power":{"w":120}}` with
 * `{temp: "env.temp", w: "power.w"}`. A feature not in the map is read from input.fields.values as
 * before. Paths are field-path.ts paths from the record's top level, parsed once (tick-fields.ts).
 */
import { recordError, type ErrorCode, type TickcastError } from '../errors/index.ts';
import { parseFieldPath, readPath } from './field-path.ts';

/** feature → its keys from the record's top level. */
export type FeaturePaths = ReadonlyMap<string, readonly string[]>;

/** The map parsed (pathsOf calls it; a malformed path throws, as the config loader refuses it first). */
export function parseFeaturePaths(map: Readonly<Record<string, string>> | undefined): FeaturePaths {
  const out = new Map<string, readonly string[]>();
  for (const [feature, text] of Object.entries(map ?? {})) {
    const keys = parseFieldPath(text);
    if (!Array.isArray(keys)) throw new Error(`input.fields.features.${feature}: ${keys.problem}`);
    out.set(feature, keys);
  }
  return out;
}

/** An object of feature → value as the codec reads one: each mapped feature from its path, the others from `values` (the input.fields.values object, if any). */
export function gatherFeatures(rec: Record<string, unknown>, values: unknown, features: readonly string[], paths: FeaturePaths): Record<string, unknown> {
  const from = values !== null && typeof values === 'object' && !Array.isArray(values) ? (values as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const f of features) {
    const path = paths.get(f);
    const v = path ? readPath(rec, path) : Object.hasOwn(from, f) ? from[f] : undefined;
    if (v !== undefined) out[f] = v;
  }
  return out;
}

/** A refusal's reason with the map appended, so that it names where each mapped feature was looked for. */
export function namingPaths<T extends { ok: false; error: TickcastError }>(res: T, map: Readonly<Record<string, string>>): T {
  const where = Object.entries(map).map(([f, p]) => `${JSON.stringify(f)} at ${JSON.stringify(p)}`).join(', ');
  return { ...res, error: recordError(res.error.code as ErrorCode, `${res.error.message} (input.fields.features: ${where})`) };
}

/** Why the map cannot be read (config, once; a malformed path is tickFieldProblems'): a key that is no feature, a path the series or ts field holds, is, or is inside, two features at one path. */
export function featurePathProblems(map: Readonly<Record<string, string>>, features: readonly string[], leaves: ReadonlyArray<readonly [readonly string[], string]>): Array<{ key: string; message: string }> {
  const out: Array<{ key: string; message: string }> = [];
  const seen = new Map<string, string>();
  for (const [feature, text] of Object.entries(map)) {
    const key = `input.fields.features.${feature}`;
    if (!features.includes(feature)) out.push({ key, message: `"${feature}" is not one of input.features (${features.join(', ')})` });
    const keys = parseFieldPath(text);
    if (!Array.isArray(keys)) continue; // tickFieldProblems reports it first
    const clash = leaves.find(([p]) => p.length > 0 && (p.every((k, i) => k === keys[i]) || keys.every((k, i) => k === p[i])));
    if (clash) out.push({ key, message: `${JSON.stringify(text)} is, holds or is inside ${clash[1]}: a feature is a number of its own` });
    const id = JSON.stringify(keys);
    if (seen.has(id)) out.push({ key, message: `features "${seen.get(id)}" and "${feature}" are both at ${JSON.stringify(text)}` });
    seen.set(id, feature);
  }
  return out;
}
