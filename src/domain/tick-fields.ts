import { parseFieldPath, placeOf } from './field-path.ts';
import { featurePathProblems, parseFeaturePaths, type FeaturePaths } from './feature-paths.ts';

/**
 * Where an input record holds a tick's parts (input.fields): the names of its series id and
 * timestamp fields, and of the object holding its features — '' for features at the record's top
 * level, as device firmware, Telegraf's json parser and AWS IoT `SELECT *` rules write them
 * (`{"device_id":"t-1","timestamp":1732060800123,"temperature":21.5}`). The defaults are the
 * documented shape (`{"series":…,"ts":…,"values":{…}}`). Since 7 Dec 2026; before, only the defaults.
 */
export interface TickFields {
  series: string;
  ts: string;
  /** '' = the features are the record's own top-level fields (no wrapper object). */
  values: string;
  /** feature → a path of its own (feature-paths.ts); the others are read from `values`. */
  features?: Readonly<Record<string, string>>;
}

export const DEFAULT_TICK_FIELDS: Readonly<TickFields> = Object.freeze({ series: 'series', ts: 'ts', values: 'values' });

/** A member of a decoded JSON object only when the record itself holds it (never Object.prototype's `constructor`, `toString`, …). */
export function own(rec: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(rec, name) ? rec[name] : undefined;
}

/** How a message names the field: `ts` as the docs write the default, `"timestamp"` for a configured one (a one-key path as its key: `a\.b` is "a.b"). */
export function fieldName(fields: TickFields, part: 'series' | 'ts'): string {
  return fields[part] === DEFAULT_TICK_FIELDS[part] ? part : placeOf(fields[part], pathsOf(fields)[part]);
}

/** input.fields parsed into keys (field-path.ts): what the codec walks per record. */
export interface TickPaths {
  series: readonly string[];
  ts: readonly string[];
  /** [] = the record's top level. */
  values: readonly string[];
  /** input.fields.features parsed: empty when none. */
  features: FeaturePaths;
}

const PARTS = ['series', 'ts', 'values'] as const;
const parsed = new WeakMap<TickFields, TickPaths>();

/**
 * The keys of each part, parsed once per fields object (the codec asks per record). Throws on a
 * malformed path: the config loader refuses those first (tickFieldProblems), so only a test's
 * hand-made options can get here with one.
 */
export function pathsOf(fields: TickFields): TickPaths {
  let paths = parsed.get(fields);
  if (paths === undefined) {
    const keys = (part: (typeof PARTS)[number]): string[] => {
      const p = parseFieldPath(fields[part]);
      if (!Array.isArray(p)) throw new Error(`input.fields.${part}: ${p.problem}`);
      return p;
    };
    paths = Object.freeze({ series: keys('series'), ts: keys('ts'), values: keys('values'), features: parseFeaturePaths(fields.features) });
    parsed.set(fields, paths);
  }
  return paths;
}

const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((k, i) => k === b[i]);
/** `a` names an object that holds `b` (a strict prefix). */
const holds = (a: readonly string[], b: readonly string[]): boolean => a.length < b.length && a.every((k, i) => k === b[i]);

/**
 * Why these fields cannot be read unambiguously with these features, each under the setting it is
 * about (`key`, e.g. input.fields.ts; empty: they can). Checked once at start
 * (src/config/cross-field.ts): a malformed path (field-path.ts), two parts under one name, a part
 * named `labels` (the alert grouping labels) or, with `values` set, `value` (the univariate
 * shorthand), the series or ts inside the other (one would have to be an object), the values
 * inside the record's "labels" (strings only), and a feature under, or holding, the series or ts
 * field.
 */
export function tickFieldProblems(fields: TickFields, features: readonly string[]): Array<{ key: string; message: string }> {
  const texts: Array<[string, string]> = [...PARTS.map((part) => [part, fields[part]] as [string, string]), ...Object.entries(fields.features ?? {}).map(([f, t]) => [`features.${f}`, t] as [string, string])];
  const malformed = texts.flatMap(([part, text]) => {
    const p = parseFieldPath(text);
    return Array.isArray(p) ? [] : [{ key: `input.fields.${part}`, message: p.problem }];
  });
  if (malformed.length > 0) return malformed;
  const paths = pathsOf(fields);
  // [path, as configured, what it is, its setting (none for the record's own "labels" and "value")]
  type Taken = [readonly string[], string, string, string | null];
  const taken: Taken[] = [
    [paths.series, fields.series, 'input.fields.series', 'input.fields.series'],
    [paths.ts, fields.ts, 'input.fields.ts', 'input.fields.ts'],
  ];
  if (fields.values !== '') taken.push([paths.values, fields.values, 'input.fields.values', 'input.fields.values'], [['value'], 'value', 'the univariate shorthand "value"', null]);
  taken.push([['labels'], 'labels', 'the record\'s "labels"', null]);
  const out: Array<{ key: string; message: string }> = [];
  taken.forEach(([path, text, what, key], i) => {
    const first = taken.findIndex(([p]) => same(p, path));
    if (first < i) out.push({ key: key ?? taken[first][3]!, message: `${taken[first][2]} and ${what} are both ${JSON.stringify(text)}: a record could not say which is which` });
  });
  // The series and ts are leaves (a string, a number or string): nothing may sit inside them.
  const leaves = taken.slice(0, 2);
  for (const [path, text, what, key] of leaves) {
    const inner = taken.slice(0, fields.values === '' ? 2 : 3).find(([p]) => holds(path, p));
    if (inner) out.push({ key: key!, message: `${what} ${JSON.stringify(text)} would hold ${inner[2]} ${JSON.stringify(inner[1])}, but it must be a ${what.endsWith('ts') ? 'number or string' : 'string'}, not an object` });
  }
  // The record's "labels" holds strings only (tick-codec.ts decodeLabels): the values object inside
  // it would refuse every record (since 7 Dec 2026; before, found per record). The series and the
  // ts may be strings (an id, an ISO-8601 time), so either may be one of the labels; an epoch-ms ts
  // there is refused per record, the reason naming the label.
  if (fields.values !== '' && holds(['labels'], paths.values)) {
    out.push({ key: 'input.fields.values', message: `input.fields.values ${JSON.stringify(fields.values)} is inside the record's "labels", whose members must be strings (alert grouping labels), but it is an object of feature → number: name a field outside "labels"` });
  }
  const mapped = fields.features ?? {};
  out.push(...featurePathProblems(mapped, features, [[paths.series, 'input.fields.series'], [paths.ts, 'input.fields.ts']]));
  for (const f of features.filter((x) => !Object.hasOwn(mapped, x))) {
    const at = [...paths.values, f];
    const clash = (fields.values === '' ? taken : leaves).find(([p]) => same(p, at));
    const where = fields.values === '' ? `input.fields.values "" reads features at the record's top level` : `input.fields.values is ${JSON.stringify(fields.values)}`;
    if (clash) out.push({ key: 'input.fields.values', message: `feature ${JSON.stringify(f)} is also ${clash[2]}, and ${where}: rename one` });
    const inside = leaves.find(([p]) => holds(at, p));
    if (inside) out.push({ key: 'input.fields.values', message: `feature ${JSON.stringify(f)} would hold ${inside[2]} ${JSON.stringify(inside[1])} (${where}), but a feature is a number, not an object: rename one` });
  }
  return out;
}
