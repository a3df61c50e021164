/**
 * What a refused input record most likely got wrong, said as a hint appended to the codec's reason
 * (`; the record has "timestamp": name it "ts" …`). Pure text: the codec (tick-codec.ts) decides
 * what is refused; these only say why.
 */
import { showValue } from './show-value.ts';
import { pathsOf, type TickFields } from './tick-fields.ts';
import { keyAsPath } from './field-path.ts';

const show = (v: unknown): string => showValue(v);

/** A bare NaN or ±Infinity where a JSON value goes (outside a string). */
const NON_JSON_NUMBER = /[:,[]\s*[-+]?(?:NaN|Infinity)\s*[,}\]]/;
/** Text a key-delimited producer line left before the JSON: the rest of a series id holding ":" (kcat -K: splits at the first). */
const KEY_REST = /^([A-Za-z0-9._:@/-]{1,128}?):\s*\{/;

/** What is likely wrong with a value JSON.parse refused, when it is one of two common mistakes (since 6 Dec 2026; before, the parser's words alone). */
export function notJsonHint(text: string): string {
  if (NON_JSON_NUMBER.test(text)) return "; NaN and Infinity are not JSON (Python's json.dumps writes them unless allow_nan=False): leave the reading out, or send null — carried forward with input.missingFeature: carry";
  const rest = KEY_REST.exec(text);
  return rest ? `; the value starts with "${rest[1]}:" before a JSON object: a key:value line whose key holds ":" is split at its first ":" (kcat -K:); use a delimiter no series id holds, e.g. kcat -K'|'` : '';
}

/** A hint when `v` is a number sent as a string ("20.5"): the JSON must carry the number itself. */
export function quotedNumber(v: unknown): string {
  return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? ' (a number in a string: send it as a JSON number, unquoted)' : '';
}

const TS_NAMES = /^(ts|timestamp|time|datetime|date|event_?time|@timestamp)$/i;
/** Since 6 Dec 2026 (before, "series id missing" alone): how devices and gateways name their id. */
const SERIES_NAMES = /^(series|series_?id|device|device_?id|sensor|sensor_?id|id|key|name|source|host|thing_?name|client_?id)$/i;
const NAMES = { series: SERIES_NAMES, ts: TS_NAMES } as const;

/**
 * The field a producer most likely meant as the series id (`device_id`, `deviceId`, …) or ts
 * (`timestamp`, `time`, `TS`, …), with both ways out: `; the record has "timestamp": name it "ts",
 * or set input.fields.ts to "timestamp"` — firmware that cannot be changed takes the second.
 * Until 6 Dec 2026 only "ts missing"; until 7 Dec 2026 without the setting (there was none).
 */
export function misnamed(rec: Record<string, unknown>, part: 'series' | 'ts', fields: TickFields): string {
  const paths = pathsOf(fields);
  // The top-level keys the configured paths start at are taken (a nested series' "device" object is not the ts).
  const mine = new Set([paths.series[0], paths.ts[0], paths.values[0]]);
  const near = Object.keys(rec).find((k) => !mine.has(k) && NAMES[part].test(k));
  // As a path, a key holding a dot is written a\.b (field-path.ts): the setting must name the one key.
  if (near === undefined) return '';
  return `; the record has ${show(near)}: ${moveTo(paths[part])}, or set input.fields.${part} to ${JSON.stringify(keyAsPath(near))}`;
}

/**
 * Where to put the field the path reads: `name it "ts"` for a one-key path (the key, unescaped),
 * `send it as "ts" in "state"` for a nested one (until 7 Dec 2026 `name it "state.ts"`: a top-level
 * key of that name, which the path does not read).
 */
function moveTo(keys: readonly string[]): string {
  const last = JSON.stringify(keys[keys.length - 1]);
  return keys.length === 1 ? `name it ${last}` : `send it as ${last} in ${JSON.stringify(keys.slice(0, -1).map(keyAsPath).join('.'))}`;
}

/**
 * Configured features sent at the top level (`{"ts":…,"price":1}`): `; "price" is at the top level:
 * send {"values":{"price":…}}, or set input.fields.values to "" (features at the top level)`.
 */
export function topLevelFeatures(rec: Record<string, unknown>, features: readonly string[], fields: TickFields): string {
  const top = features.filter((f) => Object.hasOwn(rec, f));
  if (top.length === 0) return '';
  const inner = (features.length === 1 ? features : top).map((f) => `${JSON.stringify(f)}:…`).join(',');
  const shorthand = features.length === 1 ? ` or {"value":…}` : '';
  const names = `${top.map((f) => JSON.stringify(f)).join(', ')} ${top.length === 1 ? 'is' : 'are'} at the top level`;
  if (pathsOf(fields).values.length > 1) return `; ${names}: send ${top.length === 1 ? 'it' : 'them'} in ${JSON.stringify(fields.values)}${shorthand}, or set input.fields.values to "" (features at the top level)`;
  return `; ${names}: send {${JSON.stringify(pathsOf(fields).values[0])}:{${inner}}}${shorthand}, or set input.fields.values to "" (features at the top level)`;
}

/**
 * A feature that is an object of readings (Shelly's `"temperature:0":{"tC":21.4}`): `; it is an
 * object: to read its keys as features, set input.fields.values to "params.temperature:0"` (since
 * 7 Dec 2026), and where it holds a number, the per-feature way too (readings spread over several
 * objects: `…, or give each feature a path of its own in input.fields.features (e.g.
 * "temperature:0": "params.temperature:0.tC")`). `within`: the values path ('' for the top level).
 */
export function objectFeature(v: unknown, within: string, feature: string): string {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return '';
  const path = within === '' ? keyAsPath(feature) : `${within}.${keyAsPath(feature)}`;
  const key = Object.keys(v).find((k) => typeof (v as Record<string, unknown>)[k] === 'number');
  const own = key === undefined ? '' : `, or give each feature a path of its own in input.fields.features (e.g. ${JSON.stringify(feature)}: ${JSON.stringify(`${path}.${keyAsPath(key)}`)})`;
  return `; it is an object: to read its keys as features, set input.fields.values to ${JSON.stringify(path)}${own}`;
}
