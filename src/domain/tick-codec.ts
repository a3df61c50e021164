/**
 * Decode one input record into a Tick, or say exactly why not. Never throws on input: every
 * failure is returned as a TickcastError whose code lands in the dead-letter headers.
 *
 * Accepted value (JSON object):
 *   {"series":"AAPL","ts":1732060800123,"values":{"price":187.3,"volume":1200}}
 *   {"ts":"2024-11-20T00:00:00Z","value":187.3}            (univariate; series from the key)
 * Optional: "labels":{"host":"web-1"} (string labels, e.g. the incident grouping key).
 */
import { ErrorCodes, recordError, type TickcastError } from '../errors/index.ts';
import type { Tick } from './types.ts';
import { outOfLogDomain } from './model-spec.ts';
import { beyondValueBound, MAX_ABS_VALUE } from './value-bound.ts';
import { showValue } from './show-value.ts';
import { strictUtf8 } from './utf8-text.ts';
import { seriesRefusal } from './series-refusal.ts';

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
}

export type DecodeResult = { ok: true; tick: Tick } | { ok: false; error: TickcastError };

// Date, optional time, optional zone (Z, ±hh:mm, ±hhmm or ±hh, as PostgreSQL writes "+00"; T and Z in
// either case, RFC 3339 § 5.6); the fields are captured for the calendar check and the parse below.
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;
// Epoch ms from 1973-03-03 to 2201-04-30 ("1973–2200"), for numbers and ISO strings alike: rejects
// seconds (too small) and µs/ns (too large) by mistake, and ISO years such as 0001 or 9999 — one
// tick in 9999 would make every later tick of its series late, freezing it.
const MIN_TS_MS = 1e11;
const MAX_TS_MS = 7.3e12;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function fail(code: Parameters<typeof recordError>[0], message: string): DecodeResult {
  return { ok: false, error: recordError(code, message) };
}

const show = (v: unknown): string => showValue(v);

/** Epoch ms of a tick's ts, or null when readTimestamp refuses it. */
export function parseTimestamp(ts: unknown): number | null {
  const r = readTimestamp(ts);
  return typeof r === 'number' ? r : null;
}

/** Why `ts` is not a timestamp — rendered only when it is refused, not for every tick. */
const notTs = (ts: unknown): string => `ts must be epoch ms or ISO-8601; got ${show(ts)}`;

/** Epoch ms of a tick's ts (epoch ms or ISO-8601, naive = UTC), or the reason it is refused. */
export function readTimestamp(ts: unknown): number | string {
  if (typeof ts === 'number') return Number.isFinite(ts) && ts >= MIN_TS_MS && ts <= MAX_TS_MS ? ts : `${notTs(ts)}${unitHint(ts)}`;
  const ms = typeof ts === 'string' ? isoTimestampMs(ts) : null;
  if (ms === null) return typeof ts === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(ts) ? `${notTs(ts)} (a string of digits: send epoch ms as a JSON number)` : notTs(ts);
  if (ms === 'not-calendar') return `ts ${show(ts)} is not a calendar date and time (month 01–12, day within its month, hour 00–23, minute and second 00–59)`;
  if (ms < MIN_TS_MS || ms > MAX_TS_MS) return `ts ${show(ts)} is out of range: tickcast accepts 1973–2200 (${new Date(MIN_TS_MS).toISOString()} to ${new Date(MAX_TS_MS).toISOString()})`;
  return ms;
}

/**
 * Epoch ms of an ISO-8601 string in the forms above (naive = UTC), whatever its year; 'not-calendar'
 * for 2024-02-30, hour 24 or minute 60 (Date.parse would roll them over); null when not one of the
 * forms. The service's ts and the CLI's time column (src/data/time.ts) both read through it.
 */
export function isoTimestampMs(text: string): number | 'not-calendar' | null {
  const m = ISO_8601.exec(text.trim());
  if (!m) return null;
  if (!isCalendarDate(m)) return 'not-calendar';
  const ms = Date.parse(canonicalIso(m));
  return Number.isFinite(ms) ? ms : null;
}

function tooFarAhead(tsMs: number, aheadMs: number, maxMs: number): string {
  const h = (ms: number): string => (ms < 172_800_000 ? `${Number((ms / 3_600_000).toPrecision(3))} h` : `${Number((ms / 86_400_000).toPrecision(3))} days`);
  return `ts ${new Date(tsMs).toISOString()} is ${h(aheadMs)} ahead of when it was sent (its Kafka timestamp, at most this host's clock); the bound is ${h(maxMs)} (input.maxFutureMs). Check the device's clock and time zone: a tick this far ahead would make every later tick of its series late. Every series refused by about as much: this host's clock is behind (docs/runbook.md, "Host clock behind the producers")`;
}

/**
 * When a record was sent, what the future bound is judged against: its transport timestamp
 * (Kafka CreateTime, or LogAppendTime), capped at the host's clock `nowMs`; `nowMs` without one.
 * Not the clock alone: a record re-read at a restart (warm-up) or by a consumer hours behind
 * would be judged hours later than it was sent, and a tick refused live accepted then.
 */
export function sentAtMs(receivedAtMs: number, nowMs: number): number {
  return receivedAtMs > 0 && receivedAtMs < nowMs ? receivedAtMs : nowMs;
}

/** A hint when `v` is a number sent as a string ("20.5"): the JSON must carry the number itself. */
function quotedNumber(v: unknown): string {
  return typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? ' (a number in a string: send it as a JSON number, unquoted)' : '';
}

/** Why a number is not an epoch-ms ts: the unit it looks like (a factor of 1000 off), else the range. */
function unitHint(ts: number): string {
  if (!Number.isFinite(ts)) return '';
  const a = Math.abs(ts);
  for (const [unit, factor, op] of [['seconds', 1e-3, '× 1000'], ['microseconds', 1e3, '÷ 1000'], ['nanoseconds', 1e6, '÷ 1,000,000']] as const) {
    if (a >= MIN_TS_MS * factor && a <= MAX_TS_MS * factor) return ` (it looks like epoch ${unit}: send milliseconds, ${op})`;
  }
  return ` (out of range: tickcast accepts 1973–2200, ${MIN_TS_MS} to ${MAX_TS_MS})`;
}

/** The captured fields of ISO_8601 in the one form Date.parse reads alike everywhere: `YYYY-MM-DDTHH:MM:SS[.f]±HH:MM` or `Z`. */
function canonicalIso(m: RegExpExecArray): string {
  const [, y, mo, d, h = '00', mi = '00', sec = '00', frac = '', zone] = m;
  // A naive timestamp (no zone) is read as UTC, never as the host's local time.
  const z = zone === undefined || zone.length === 1 ? 'Z' : `${zone.slice(0, 3)}:${zone.length === 3 ? '00' : zone.slice(-2)}`;
  return `${y}-${mo}-${d}T${h}:${mi}:${sec}${frac}${z}`;
}

/** The captured fields of ISO_8601 name a real date and time of day (leap years included). */
function isCalendarDate(m: RegExpExecArray): boolean {
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map((x) => (x === undefined ? 0 : Number(x)));
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = mo === 2 && leap ? 29 : DAYS_IN_MONTH[mo - 1];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= days && h < 24 && mi < 60 && sec < 60;
}

/** A bare NaN or ±Infinity where a JSON value goes (outside a string). */
const NON_JSON_NUMBER = /[:,[]\s*[-+]?(?:NaN|Infinity)\s*[,}\]]/;
/** Text a key-delimited producer line left before the JSON: the rest of a series id holding ":" (kcat -K: splits at the first). */
const KEY_REST = /^([A-Za-z0-9._:@/-]{1,128}?):\s*\{/;

/** What is likely wrong with a value JSON.parse refused, when it is one of two common mistakes (since 6 Dec 2026; before, the parser's words alone). */
function notJsonHint(text: string): string {
  if (NON_JSON_NUMBER.test(text)) return "; NaN and Infinity are not JSON (Python's json.dumps writes them unless allow_nan=False): leave the reading out, or send null — carried forward with input.missingFeature: carry";
  const rest = KEY_REST.exec(text);
  return rest ? `; the value starts with "${rest[1]}:" before a JSON object: a key:value line whose key holds ":" is split at its first ":" (kcat -K:); use a delimiter no series id holds, e.g. kcat -K'|'` : '';
}

/** `sentMs`: when the record was sent (sentAtMs), for `opts.maxFutureMs`. */
export function decodeTick(key: Buffer | null, value: Buffer | null, opts: CodecOptions, sentMs?: number): DecodeResult {
  if (value === null || value.length === 0) return fail(ErrorCodes.RECORD_INVALID, 'record has no value (tombstone or empty); expected a JSON tick object');
  if (value.length > opts.maxRecordBytes) {
    return fail(ErrorCodes.RECORD_TOO_LARGE, `record is ${value.length} bytes; the limit is ${opts.maxRecordBytes} (input.maxRecordBytes)`);
  }
  const text = strictUtf8(value);
  if ('error' in text) return fail(ErrorCodes.RECORD_NOT_JSON, `value is ${text.error}`);
  if (text.text.startsWith('\uFEFF')) return fail(ErrorCodes.RECORD_NOT_JSON, 'value starts with a byte order mark (bytes EF BB BF); send the JSON without it');
  let body: unknown;
  try {
    body = JSON.parse(text.text);
  } catch (err) {
    return fail(ErrorCodes.RECORD_NOT_JSON, `value is not valid JSON (${(err as Error).message})${notJsonHint(text.text)}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return fail(ErrorCodes.RECORD_INVALID, `value must be a JSON object like {"series":"id","ts":<epoch ms>,"values":{...}}; got ${show(body)}`);
  }
  const rec = body as Record<string, unknown>;

  let series: unknown = rec.series;
  if ((series === undefined || series === null) && key && key.length > 0) {
    const k = strictUtf8(key);
    if ('error' in k) return fail(ErrorCodes.RECORD_BAD_SERIES, `the record key (the series id, as the value has no "series") is ${k.error}`);
    series = k.text;
  }
  if (series !== undefined && typeof series !== 'string') return fail(ErrorCodes.RECORD_BAD_SERIES, `"series" must be a string; got ${show(series)}`);
  if (typeof series !== 'string' || series.length === 0) {
    return fail(ErrorCodes.RECORD_BAD_SERIES, `series id missing: set "series" in the value or use the series id as the record key${misnamed(rec, SERIES_NAMES, 'series')}`);
  }
  // The default pattern refuses exactly "." and "..": browsers and fetch() resolve them as path segments (docs/schemas.md).
  if (!opts.seriesPattern.test(series)) return fail(ErrorCodes.RECORD_BAD_SERIES, seriesRefusal(series, opts.seriesPattern));

  if (rec.ts === undefined) return fail(ErrorCodes.RECORD_BAD_TS, `ts missing: give epoch milliseconds or an ISO-8601 string${misnamed(rec, TS_NAMES, 'ts')}`);
  const tsMs = readTimestamp(rec.ts);
  if (typeof tsMs === 'string') return fail(ErrorCodes.RECORD_BAD_TS, tsMs);
  const bound = opts.maxFutureMs ?? 0;
  if (bound > 0 && sentMs !== undefined && tsMs - sentMs > bound) return fail(ErrorCodes.RECORD_BAD_TS, tooFarAhead(tsMs, tsMs - sentMs, bound));

  const values = readValues(rec, opts);
  if (!(values instanceof Float64Array)) return values;
  return finish({ series, tsMs, values }, rec.labels, opts);
}

/** The tick's values in feature order (NaN: missing, carried forward with missingFeature 'carry'), or why not. */
function readValues(rec: Record<string, unknown>, opts: CodecOptions): Float64Array | DecodeResult {
  const features = opts.features;
  const values = new Float64Array(features.length);
  if (rec.values !== undefined) {
    if (rec.values === null || typeof rec.values !== 'object' || Array.isArray(rec.values)) {
      return fail(ErrorCodes.RECORD_BAD_VALUE, `"values" must be an object of feature → number; got ${show(rec.values)}`);
    }
    const vals = rec.values as Record<string, unknown>;
    let present = 0;
    for (let i = 0; i < features.length; i++) {
      const v = Object.hasOwn(vals, features[i]) ? vals[features[i]] : undefined;
      if (v === undefined || v === null) {
        if (opts.missingFeature === 'carry') {
          values[i] = Number.NaN;
          continue;
        }
        return fail(ErrorCodes.RECORD_MISSING_FEATURE, `feature "${features[i]}" missing from "values" (expected ${features.join(', ')})`);
      }
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return fail(ErrorCodes.RECORD_BAD_VALUE, `values.${features[i]} must be a finite number; got ${show(v)}${quotedNumber(v)}`);
      }
      values[i] = v;
      present++;
    }
    // Carrying every feature forward would make up a whole reading (a misspelt feature name would flatline the series for good).
    if (present === 0) return fail(ErrorCodes.RECORD_MISSING_FEATURE, `"values" has none of the configured features (${features.join(', ')}); got ${show(Object.keys(vals))}`);
  } else if (rec.value !== undefined) {
    if (typeof rec.value !== 'number' || !Number.isFinite(rec.value)) {
      return fail(ErrorCodes.RECORD_BAD_VALUE, `value must be a finite number; got ${show(rec.value)}${quotedNumber(rec.value)}`);
    }
    if (features.length !== 1) {
      return fail(ErrorCodes.RECORD_MISSING_FEATURE, `a univariate "value" was sent but ${features.length} features are configured (${features.join(', ')}); send "values"`);
    }
    values[0] = rec.value;
  } else {
    return fail(ErrorCodes.RECORD_MISSING_FEATURE, `neither "values" (object) nor "value" (number) present${topLevelFeatures(rec, features)}`);
  }
  return values;
}

const TS_NAMES = /^(ts|timestamp|time|datetime|date|event_?time|@timestamp)$/i;
/** Since 6 Dec 2026 (before, "series id missing" alone): how devices and gateways name their id. */
const SERIES_NAMES = /^(series|series_?id|device|device_?id|sensor|sensor_?id|id|key|name|source|host|thing_?name|client_?id)$/i;

/**
 * The field a producer most likely meant as `ts` (`timestamp`, `time`, `TS`, …) or `series`
 * (`device_id`, `deviceId`, …), said with the name to use: `; the record has "timestamp": name
 * it "ts"`. Until 6 Dec 2026 only "ts missing".
 */
function misnamed(rec: Record<string, unknown>, names: RegExp, field: string): string {
  const near = Object.keys(rec).find((k) => k !== field && names.test(k));
  return near === undefined ? '' : `; the record has ${show(near)}: name it "${field}"`;
}

/** Configured features sent at the top level (`{"ts":…,"price":1}`): `; "price" is at the top level: send {"values":{"price":…}}`. */
function topLevelFeatures(rec: Record<string, unknown>, features: readonly string[]): string {
  const top = features.filter((f) => Object.hasOwn(rec, f));
  if (top.length === 0) return '';
  const inner = (features.length === 1 ? features : top).map((f) => `${JSON.stringify(f)}:…`).join(',');
  return `; ${top.map((f) => JSON.stringify(f)).join(', ')} ${top.length === 1 ? 'is' : 'are'} at the top level: send {"values":{${inner}}}${features.length === 1 ? ` or {"value":…}` : ''}`;
}

/** The last checks of a decoded tick: its values against the bound and the model's log features, then its labels. */
function finish(tick: Tick, labels: unknown, opts: CodecOptions): DecodeResult {
  const big = tick.values.findIndex(beyondValueBound);
  if (big >= 0) return fail(ErrorCodes.RECORD_BAD_VALUE, `feature "${opts.features[big]}" is ${tick.values[big]}; tickcast accepts values with |value| ≤ ${MAX_ABS_VALUE} (docs/schemas.md)`);
  const bad = opts.logFeatures ? outOfLogDomain(tick.values, opts.logFeatures) : null;
  if (bad) return fail(ErrorCodes.RECORD_BAD_VALUE, `feature "${opts.features[bad.index]}" is ${bad.value}; the model reads it as ln(value), so it must be > 0`);
  if (labels !== undefined) {
    const decoded = decodeLabels(labels);
    if (typeof decoded === 'string') return fail(ErrorCodes.RECORD_INVALID, decoded);
    tick.labels = decoded;
  }
  return { ok: true, tick };
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
