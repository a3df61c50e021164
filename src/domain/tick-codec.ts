/**
 * Decode one input record into a Tick, or say exactly why not. Never throws on input: every
 * failure is returned as a TickcastError whose code lands in the dead-letter headers.
 *
 * Accepted value (JSON object):
 *   {"series":"AAPL","ts":1732060800123,"values":{"price":187.3,"volume":1200}}
 *   {"ts":"2024-11-20T00:00:00Z","value":187.3}            (univariate; series from the key)
 * Optional: "labels":{"host":"web-1"} (string labels, e.g. the incident grouping key).
 * Under other names with input.fields (tick-fields.ts), features at the top level included:
 *   {"device_id":"t-1","timestamp":1732060800123,"temperature":21.5,"humidity":40}
 * or nested, as dotted paths (field-path.ts): values "state.reported" reads an AWS IoT shadow's
 *   {"state":{"reported":{"temperature":21.5}},"timestamp":1700000000,"clientToken":"dev-7"}
 * With input.tsUnit 's', a numeric ts is epoch seconds (1732060800.123), read as ms × 1000; with
 * 'auto', seconds below 1e11 and ms from it (the two units' 1973–2200 ranges do not overlap); the ts
 * itself is read by tick-timestamp.ts.
 */
import { ErrorCodes, recordError, type TickcastError } from '../errors/index.ts';
import type { Tick } from './types.ts';
import { outOfLogDomain } from './model-spec.ts';
import { beyondValueBound, MAX_ABS_VALUE } from './value-bound.ts';
import { showValue } from './show-value.ts';
import { strictUtf8 } from './utf8-text.ts';
import { seriesRefusal } from './series-refusal.ts';
import { integerId } from './integer-id.ts';
import { parseJsonValue } from './json-value.ts';
import { gatherFeatures, namingPaths } from './feature-paths.ts';
import { misnamed, objectFeature, quotedNumber, topLevelFeatures } from './tick-codec-hints.ts';
import { DEFAULT_TICK_FIELDS, fieldName, own, pathsOf, type TickFields, type TickPaths } from './tick-fields.ts';
import { placeOf, placeOfText, readPath, whereBroken } from './field-path.ts';
import { UNIT_WANTED, type TsUnit } from './ts-unit.ts';
import { readTimestamp, tooFarAhead } from './tick-timestamp.ts';

export type { TsUnit } from './ts-unit.ts';

export interface CodecOptions {
  features: readonly string[];
  maxRecordBytes: number;
  seriesPattern: RegExp;
  /** 'carry': a missing feature becomes NaN and the window store carries the last value forward. */
  missingFeature: 'reject' | 'carry';
  /** Per feature: the model reads it as ln(value) (spec.logFeatures), so a value must be > 0. */
  logFeatures?: readonly boolean[];
  /** A ts more than this ahead of `sentMs` (decodeTick) is refused (input.maxFutureMs); 0 or absent: no bound. */
  maxFutureMs?: number;
  /** Where the record holds series, ts and features (input.fields); absent: the documented names. */
  fields?: TickFields;
  /** The unit of a numeric ts (input.tsUnit): 's' reads 1732060800.123 as 1732060800123 ms, 'auto' either by its size; absent: 'ms'. */
  tsUnit?: TsUnit;
  /** A record whose ts field is absent or null: 'reject' it (absent: the same), or take its Kafka record timestamp ('kafka', input.missingTs). */
  missingTs?: 'reject' | 'kafka';
}

export type DecodeResult = { ok: true; tick: Tick } | { ok: false; error: TickcastError };

function fail(code: Parameters<typeof recordError>[0], message: string): DecodeResult {
  return { ok: false, error: recordError(code, message) };
}

const show = (v: unknown): string => showValue(v);

/** `sentMs`: when the record was sent (sentAtMs), for `opts.maxFutureMs`; `recordTsMs`: its Kafka record timestamp (RawRecord.recordTsMs), for `opts.missingTs` 'kafka'. */
export function decodeTick(key: Buffer | null, value: Buffer | null, opts: CodecOptions, sentMs?: number, recordTsMs?: number): DecodeResult {
  const fields = opts.fields ?? DEFAULT_TICK_FIELDS;
  const paths = pathsOf(fields);
  const parsed = parseJsonValue(value, opts.maxRecordBytes, 'a JSON tick object');
  if ('error' in parsed) return { ok: false, error: parsed.error };
  const body = parsed.body;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return fail(ErrorCodes.RECORD_INVALID, `value must be a JSON object like ${shape(fields, paths)}; got ${show(body)}`);
  }
  const rec = body as Record<string, unknown>;

  const series = readSeries(rec, key, fields, paths, opts.seriesPattern);
  if (typeof series !== 'string') return series;
  const tsMs = readTs(rec, opts, fields, paths, recordTsMs);
  if (typeof tsMs === 'string') return fail(ErrorCodes.RECORD_BAD_TS, tsMs);
  const bound = opts.maxFutureMs ?? 0;
  if (bound > 0 && sentMs !== undefined && tsMs - sentMs > bound) return fail(ErrorCodes.RECORD_BAD_TS, tooFarAhead(tsMs, tsMs - sentMs, bound));

  const values = readValues(rec, opts, fields, paths);
  if (!(values instanceof Float64Array)) return values;
  return finish({ series, tsMs, values }, own(rec, 'labels'), opts);
}

/**
 * The tick's event time in epoch ms, or why not: its ts field, or with input.missingTs 'kafka' and
 * the field absent or null, the Kafka record timestamp (checked like an epoch-ms ts: 1973–2200).
 */
function readTs(rec: Record<string, unknown>, opts: CodecOptions, fields: TickFields, paths: TickPaths, recordTsMs: number | undefined): number | string {
  const tsName = fieldName(fields, 'ts');
  const ts = readPath(rec, paths.ts);
  const unit = opts.tsUnit ?? 'ms';
  // A time under another name ("timestamp" where ts is configured) does not stop the Kafka time being
  // taken (Tasmota's zoneless local "Time" is a reason to choose "kafka"), but a refusal still names it.
  if (opts.missingTs === 'kafka' && (ts === undefined || ts === null)) {
    if (recordTsMs === undefined) return `${tsName} missing and the record has no Kafka timestamp to take instead (input.missingTs "kafka"; a record in the pre-0.10 format has none): give ${UNIT_WANTED[unit]} or an ISO-8601 string${tsHint(rec, fields, paths)}`;
    const k = readTimestamp(recordTsMs, 'the Kafka record timestamp (input.missingTs "kafka")', 'ms');
    return typeof k === 'string' ? k + tsHint(rec, fields, paths) : k;
  }
  if (ts === undefined) {
    // No time under another name either (a Zigbee2MQTT payload): the way out is the record's own timestamp.
    const h = tsHint(rec, fields, paths);
    return `${tsName} missing: give ${UNIT_WANTED[unit]} or an ISO-8601 string${h === '' ? '; or set input.missingTs to "kafka" to take the Kafka record timestamp' : h}`;
  }
  return readTimestamp(ts, tsName, unit);
}

/** Where the ts path stopped and a time under another name, for a refusal's reason (rendered only then). */
const tsHint = (rec: Record<string, unknown>, fields: TickFields, paths: TickPaths): string => whereBroken(rec, paths.ts, show) + misnamed(rec, 'ts', fields);

/** The documented shape under the configured field names, for the reason a non-object is refused. */
function shape(f: TickFields, paths: TickPaths): string {
  if ([paths.series, paths.ts, paths.values].some((p) => p.length > 1)) return `input.fields has it (series at ${JSON.stringify(f.series)}, ts at ${JSON.stringify(f.ts)}, features ${f.values === '' ? 'at the top level' : `in ${JSON.stringify(f.values)}`})`;
  // One key each here: the keys themselves (`a\.b` is "a.b" in a record).
  const values = f.values === '' ? '"<feature>":<number>,…' : `${JSON.stringify(paths.values[0])}:{...}`;
  return `{${JSON.stringify(paths.series[0])}:"id",${JSON.stringify(paths.ts[0])}:<epoch ms>,${values}}`;
}

/** The record's series id (its input.fields.series, else the record key) checked against the pattern, or why not. */
function readSeries(rec: Record<string, unknown>, key: Buffer | null, fields: TickFields, paths: TickPaths, pattern: RegExp): string | DecodeResult {
  let series: unknown = readPath(rec, paths.series);
  // "" is no id either: a Go struct's unset string field (no omitempty) goes out as "series":"" with the id in the key.
  if ((series === undefined || series === null || series === '') && key && key.length > 0) {
    const k = strictUtf8(key);
    const none = series === '' ? `the value's ${placeOf(fields.series, paths.series)} is ""` : `the value has no ${placeOf(fields.series, paths.series)}`;
    if ('error' in k) return fail(ErrorCodes.RECORD_BAD_SERIES, `the record key (the series id, as ${none}) is ${k.error}`);
    series = k.text;
  }
  if (typeof series === 'number') {
    const id = integerId(series);
    if (typeof id !== 'string') return fail(ErrorCodes.RECORD_BAD_SERIES, `${placeOf(fields.series, paths.series)} ${id.reason}`);
    series = id;
  }
  if (series !== undefined && typeof series !== 'string') return fail(ErrorCodes.RECORD_BAD_SERIES, `${placeOf(fields.series, paths.series)} must be a string or an integer; got ${show(series)}`);
  if (typeof series !== 'string' || series.length === 0) {
    return fail(ErrorCodes.RECORD_BAD_SERIES, `series id missing: set ${placeOf(fields.series, paths.series)} in the value or use the series id as the record key${whereBroken(rec, paths.series, show)}${misnamed(rec, 'series', fields)}`);
  }
  // The default pattern refuses exactly "." and "..": browsers and fetch() resolve them as path segments (docs/schemas.md).
  if (!pattern.test(series)) return fail(ErrorCodes.RECORD_BAD_SERIES, seriesRefusal(series, pattern));
  return series;
}

/** The tick's values in feature order (NaN: missing, carried forward with missingFeature 'carry'), or why not. The reasons' field names are rendered only on a refusal (this runs per record). */
function readValues(rec: Record<string, unknown>, opts: CodecOptions, fields: TickFields, paths: TickPaths): Float64Array | DecodeResult {
  if (paths.features.size > 0) return readMapped(rec, fields.values === '' ? rec : readPath(rec, paths.values), opts, fields, paths);
  if (fields.values === '') return readFeatures(rec, opts, '');
  const vals = readPath(rec, paths.values);
  if (vals !== undefined) {
    if (vals === null || typeof vals !== 'object' || Array.isArray(vals)) {
      return fail(ErrorCodes.RECORD_BAD_VALUE, `${placeOf(fields.values, paths.values)} must be an object of feature → number; got ${show(vals)}`);
    }
    return readFeatures(vals as Record<string, unknown>, opts, fields.values);
  }
  const value = own(rec, 'value');
  if (value !== undefined) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return fail(ErrorCodes.RECORD_BAD_VALUE, `value must be a finite number; got ${show(value)}${quotedNumber(value)}`);
    }
    if (opts.features.length !== 1) {
      return fail(ErrorCodes.RECORD_MISSING_FEATURE, `a univariate "value" was sent but ${opts.features.length} features are configured (${opts.features.join(', ')}); send ${placeOf(fields.values, paths.values)}`);
    }
    return Float64Array.of(value);
  }
  return fail(ErrorCodes.RECORD_MISSING_FEATURE, `neither ${placeOf(fields.values, paths.values)} (object) nor "value" (number) present${whereBroken(rec, paths.values, show)}${topLevelFeatures(rec, opts.features, fields)}`);
}

/** input.fields.features: each mapped feature at its path, the others in `vals` (feature-paths.ts). */
function readMapped(rec: Record<string, unknown>, vals: unknown, opts: CodecOptions, fields: TickFields, paths: TickPaths): Float64Array | DecodeResult {
  const res = readFeatures(gatherFeatures(rec, vals, opts.features, paths.features), opts, '');
  return res instanceof Float64Array || res.ok ? res : namingPaths(res, fields.features!);
}

/** Each configured feature from `vals` — the `within` object of the record, or ('') the record itself — or the reason the record is refused. */
function readFeatures(vals: Record<string, unknown>, opts: CodecOptions, within: string): Float64Array | DecodeResult {
  const features = opts.features;
  const values = new Float64Array(features.length);
  let present = 0;
  for (let i = 0; i < features.length; i++) {
    const v = own(vals, features[i]);
    if (v === undefined || v === null) {
      if (opts.missingFeature === 'carry') {
        values[i] = Number.NaN;
        continue;
      }
      return fail(ErrorCodes.RECORD_MISSING_FEATURE, `feature "${features[i]}" missing from ${within === '' ? 'the record' : placeOfText(within)} (expected ${features.join(', ')})`);
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      return fail(ErrorCodes.RECORD_BAD_VALUE, `${within === '' ? JSON.stringify(features[i]) : `feature ${JSON.stringify(features[i])} in ${placeOfText(within)}`} must be a finite number; got ${show(v)}${quotedNumber(v)}${objectFeature(v, within, features[i])}`);
    }
    values[i] = v;
    present++;
  }
  // Carrying every feature forward would make up a whole reading (a misspelt feature name would flatline the series for good).
  if (present === 0) {
    const none = within === '' ? 'the record has none (input.fields.values "": at its top level)' : `${placeOfText(within)} has none`;
    return fail(ErrorCodes.RECORD_MISSING_FEATURE, `${none} of the configured features (${features.join(', ')}); got ${show(Object.keys(vals))}`);
  }
  return values;
}

/** The last checks of a decoded tick: its values against the bound and the model's log features, then its labels. */
function finish(tick: Tick, labels: unknown, opts: CodecOptions): DecodeResult {
  const refused = valueRefusal(tick.values, opts);
  if (refused) return fail(ErrorCodes.RECORD_BAD_VALUE, refused);
  if (labels !== undefined) {
    const decoded = decodeLabels(labels);
    if (typeof decoded === 'string') return fail(ErrorCodes.RECORD_INVALID, decoded);
    tick.labels = decoded;
  }
  return { ok: true, tick };
}

/** Why a tick's values are refused (beyond the value bound, or ≤ 0 where the model reads ln(value)); null when they are not. The SenML codec checks its ticks with it too. */
export function valueRefusal(values: Float64Array, opts: Pick<CodecOptions, 'features' | 'logFeatures'>): string | null {
  const big = values.findIndex(beyondValueBound);
  if (big >= 0) return `feature "${opts.features[big]}" is ${values[big]}; tickcast accepts values with |value| ≤ ${MAX_ABS_VALUE} (docs/schemas.md)`;
  const bad = opts.logFeatures ? outOfLogDomain(values, opts.logFeatures) : null;
  return bad ? `feature "${opts.features[bad.index]}" is ${bad.value}; the model reads it as ln(value), so it must be > 0` : null;
}

/** At most 16 labels, names and values non-empty strings of ≤ 128 characters; else why not. */
function decodeLabels(v: unknown): Record<string, string> | string {
  const shape = '"labels" must be an object of up to 16 string labels, e.g. {"host":"web-1"}';
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return `${shape}; got ${show(v)}`;
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > 16) return `${shape}; got ${entries.length} labels`;
  for (const [k, x] of entries) {
    if (k.length === 0 || k.length > 128 || typeof x !== 'string' || x.length === 0 || x.length > 128) return `${shape}; labels.${k} is ${show(x)}`;
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
