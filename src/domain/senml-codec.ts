/**
 * SenML packs (RFC 8428, JSON form) as input: input.format "senml", since 7 Dec 2026. One Kafka
 * record is one pack — a JSON array of records — and may carry many readings of several series:
 *   [{"bn":"urn:dev:mac:0024befffe804ff1:","bt":1732060800,"n":"temp","u":"Cel","v":21.5},
 *    {"n":"hum","u":"%RH","v":40},{"n":"temp","t":60,"v":21.7}]
 * Resolution follows RFC 8428 § 4.6: a base field (bn, bt, bv) holds for its record and every later
 * one until the next of its name; the name is bn + n, the time bt + t in seconds, the value bv + v.
 * A time below 2^28 is relative to now (§ 4.5.3) — here to when the record was sent (sentAtMs, the
 * Kafka timestamp capped at the host's clock), so a replay reads the same times; absent, it is 0:
 * "now". A field ending in "_" (must-understand, § 4.4), a bver above 10, or v with vs, vb or vd (one value field a record) refuses the pack.
 *
 * Series (input.senmlSeries): 'name' — each resolved name is a univariate series (one feature
 * configured); 'baseName' — bn, less its trailing separator (":", "/" or "."), is the series (the
 * record key where no bn is in effect) and n the feature, the readings of one series at one time making one tick. Skipped and counted, not
 * refused: records with a string, boolean or data value or a sum alone (vs, vb, vd, s), and with
 * 'baseName' a name that is not a configured feature (counted apart when it differs from one only in
 * case: SenML names are case-sensitive); in both modes a second reading of a name
 * at one time with the same value (another value refuses the pack). Units (u, else bu) are not
 * converted: each tick carries its readings' (Tick.units), which the pipeline holds to each series'
 * first (src/pipeline/series-units.ts); two units for one reading refuse the pack here.
 * A name outside RFC 8428 § 4.5.1's characters refuses the pack (a leading "/" taken, for LwM2M),
 * unless input.senmlNames is 'legacy' (since 7 Dec 2026, evening): then input.seriesPattern and
 * input.features alone judge names, as before the check, for gateways whose names predate it.
 * A pack is taken whole or refused whole (to the dead-letter topic with its bytes): a bad record
 * refuses its pack, so a re-driven pack never repeats readings already taken. Past decoding, the
 * pipeline takes a pack's ticks one by one and dead-letters the pack at most once:
 * src/pipeline/record-ticks.ts.
 */
import { ErrorCodes, recordError, type ErrorCode, type TickcastError } from '../errors/index.ts';
import type { Tick } from './types.ts';
import { showValue } from './show-value.ts';
import { strictUtf8 } from './utf8-text.ts';
import { seriesRefusal } from './series-refusal.ts';
import { parseJsonValue } from './json-value.ts';
import { valueRefusal, type CodecOptions } from './tick-codec.ts';
import { resolveTime, timeProblem, type SenmlRefusal } from './senml-time.ts';
import { unitMismatch, unitsClash } from './senml-units.ts';

export type SenmlSeries = 'name' | 'baseName';
/** input.senmlNames: 'rfc8428' refuses a name outside RFC 8428 § 4.5.1's characters; 'legacy' leaves names to input.seriesPattern and input.features alone. */
export type SenmlNames = 'rfc8428' | 'legacy';
/** Why a SenML record was skipped: a value that is not a number (vs, vb, vd, or a sum alone), with 'baseName' a name that is no configured feature (name_case: one that differs from a feature only in case), or a repeat of an earlier reading of its name and time with the same value. */
export type SenmlSkip = 'not_numeric' | 'other_name' | 'name_case' | 'repeated';
export type PackResult = { ok: true; ticks: Tick[]; skipped: Record<SenmlSkip, number> } | { ok: false; error: TickcastError };

/** The SenML version this reader knows (RFC 8428's, the default of bver). */
const VERSION = 10;
const BASE_FIELDS = ['bn', 'bt', 'bu', 'bv', 'bs', 'bver'];
const OTHER_VALUES = ['vs', 'vb', 'vd', 's'];
/** Value fields a record with v may not also have (a sum, s, may go with one). */
const ONE_VALUE = ['vs', 'vb', 'vd'];

interface Base { bn: string; bt: number; bv: number; bu: string }
/** `u`: the record's unit, else the base unit in effect; '' for none. */
interface Reading { name: string; n: string; tsMs: number; v: number; u: string }
type Refusal = SenmlRefusal;

const show = (v: unknown): string => showValue(v);
const refuse = (code: ErrorCode, message: string): PackResult => ({ ok: false, error: recordError(code, message) });

/** The ticks of one SenML pack, in time order, or why the pack is refused. `sentMs`: "now" for relative times and input.maxFutureMs (sentAtMs). */
export function decodeSenml(key: Buffer | null, value: Buffer | null, opts: CodecOptions, series: SenmlSeries, sentMs: number, names: SenmlNames = 'rfc8428'): PackResult {
  const parsed = parseJsonValue(value, opts.maxRecordBytes, 'a SenML pack (a JSON array of records)');
  if ('error' in parsed) return { ok: false, error: parsed.error };
  const pack = parsed.body;
  if (!Array.isArray(pack) || pack.length === 0) return refuse(ErrorCodes.RECORD_INVALID, `a SenML pack must be a non-empty JSON array of records, e.g. [{"bn":"dev-1:","bt":1732060800,"n":"temp","v":21.5}]; got ${show(pack)}${draftHint(pack)}`);
  const base: Base = { bn: '', bt: 0, bv: 0, bu: '' };
  const readings: Reading[] = [];
  const skipped: Record<SenmlSkip, number> = { not_numeric: 0, other_name: 0, name_case: 0, repeated: 0 };
  for (let i = 0; i < pack.length; i++) {
    const r = readRecord(pack[i], i, base, sentMs, opts.maxFutureMs ?? 0, names);
    if (r === 'not_numeric') skipped.not_numeric++;
    else if (r !== null && 'code' in r) return refuse(r.code, r.message);
    else if (r !== null) readings.push(r);
  }
  const ticks = series === 'name' ? byName(readings, opts, skipped) : byBaseName(readings, key, opts, skipped);
  if (!Array.isArray(ticks)) return refuse(ticks.code, ticks.message);
  for (const t of ticks) {
    const bad = valueRefusal(t.values, opts);
    if (bad) return refuse(ErrorCodes.RECORD_BAD_VALUE, `series "${t.series}" at ${new Date(t.tsMs).toISOString()}: ${bad}`);
  }
  // Stable: a pack need not be in time order (RFC 8428), and a series' earlier reading after a later one would be late.
  ticks.sort((a, b) => a.tsMs - b.tsMs);
  return { ok: true, ticks, skipped };
}

/** The pre-RFC draft's object form ({"bn":…,"e":[…]}), which some older gateways still send. */
function draftHint(pack: unknown): string {
  const draft = pack !== null && typeof pack === 'object' && Array.isArray((pack as Record<string, unknown>).e);
  return draft ? '; an object with an "e" array is the pre-RFC draft SenML: send the RFC 8428 form, the records as the array itself' : '';
}

/** Record `i` resolved against (and updating) `base`: a reading, 'not_numeric' (skipped), null (base fields only), or why the pack is refused. */
function readRecord(r: unknown, i: number, base: Base, sentMs: number, maxFutureMs: number, names: SenmlNames): Reading | 'not_numeric' | null | Refusal {
  const at = `SenML record ${i}`;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return { code: ErrorCodes.RECORD_INVALID, message: `${at} is ${show(r)}, not an object` };
  const rec = r as Record<string, unknown>;
  const problem = baseProblem(rec, at, base);
  if (problem) return problem;
  const n = Object.hasOwn(rec, 'n') ? rec.n : '';
  if (typeof n !== 'string') return { code: ErrorCodes.RECORD_INVALID, message: `${at}: n must be a string; got ${show(n)}` };
  const t = Object.hasOwn(rec, 't') ? rec.t : 0;
  if (typeof t !== 'number' || !Number.isFinite(t)) return { code: ErrorCodes.RECORD_BAD_TS, message: `${at}: t must be a number of seconds; got ${show(t)}` };
  const u = Object.hasOwn(rec, 'u') ? rec.u : base.bu; // RFC 8428 § 4.1: bu holds where a record has no u
  if (typeof u !== 'string') return { code: ErrorCodes.RECORD_INVALID, message: `${at}: u must be a string; got ${show(u)}` };
  if (!Object.hasOwn(rec, 'v')) {
    if (OTHER_VALUES.some((k) => Object.hasOwn(rec, k))) return 'not_numeric';
    if (BASE_FIELDS.some((k) => Object.hasOwn(rec, k))) return null;
    return { code: ErrorCodes.RECORD_INVALID, message: `${at} has no value (v, vs, vb, vd or s) and no base field: ${show(rec)}` };
  }
  const v = rec.v;
  if (typeof v !== 'number' || !Number.isFinite(v)) return { code: ErrorCodes.RECORD_BAD_VALUE, message: `${at}: v must be a number; got ${show(v)}` };
  const other = ONE_VALUE.find((k) => Object.hasOwn(rec, k)); // before 7 Dec 2026 (evening) v was taken and the other ignored
  if (other !== undefined) return { code: ErrorCodes.RECORD_INVALID, message: `${at} has both v and ${other}: a SenML record carries exactly one value field (RFC 8428 § 4.2), so which reading it is cannot be told; send one record per value` };
  const name = base.bn + n;
  const badName = names === 'rfc8428' ? nameProblem(name) : null;
  if (badName) return { code: ErrorCodes.RECORD_BAD_SERIES, message: `${at}: the name ${showValue(name, 120)} (bn + n) ${badName}` }; // shown cut: a long name must not push the character and the rule out of the dead letter's bounded reason
  const tsMs = resolveTime(base.bt + t, sentMs);
  const badTime = timeProblem(`${at} ("${name}")`, base.bt, t, tsMs, sentMs, maxFutureMs);
  return badTime ?? { name, n, tsMs, v: base.bv + v, u };
}

/** Takes the record's base fields into `base` (RFC 8428 § 4.1), or why the pack is refused: a wrong type, a bver above 10, a must-understand field. */
function baseProblem(rec: Record<string, unknown>, at: string, base: Base): Refusal | null {
  const mustUnderstand = Object.keys(rec).find((k) => k.endsWith('_'));
  if (mustUnderstand !== undefined) return { code: ErrorCodes.RECORD_INVALID, message: `${at} has ${show(mustUnderstand)}: a field ending in "_" must be understood (RFC 8428 § 4.4), and tickcast knows none` };
  if (Object.hasOwn(rec, 'bver') && !(Number.isInteger(rec.bver) && (rec.bver as number) > 0 && (rec.bver as number) <= VERSION)) {
    return { code: ErrorCodes.RECORD_INVALID, message: `${at}: bver ${show(rec.bver)} is not a SenML version tickcast reads (a positive integer up to ${VERSION}, RFC 8428)` };
  }
  for (const [k, type] of [['bn', 'string'], ['bt', 'number'], ['bv', 'number'], ['bu', 'string']] as const) {
    const x = Object.hasOwn(rec, k) ? rec[k] : undefined;
    if (x === undefined) continue;
    if (typeof x !== type || (type === 'number' && !Number.isFinite(x))) {
      return { code: k === 'bt' ? ErrorCodes.RECORD_BAD_TS : ErrorCodes.RECORD_INVALID, message: `${at}: ${k} must be a ${type}; got ${show(x)}` };
    }
    (base as unknown as Record<string, unknown>)[k] = x;
  }
  return null;
}

/** RFC 8428 § 4.5.1 name characters; the first must be a letter or digit, or "/" (OMA LwM2M names records by object path, "/3303/0/5700"). */
export const NAME_CHAR = /[A-Za-z0-9\-:./_]/;
const NAME_START = /[A-Za-z0-9/]/;

/**
 * Why a resolved name breaks RFC 8428 § 4.5.1, or null (an empty name is refused later, where the
 * series mode says what it needed). Checked before input.seriesPattern, whose default takes "@"
 * and a leading "-", "_" or "." (since 7 Dec 2026; decided in docs/schemas.md § SenML packs).
 */
function nameProblem(name: string): string | null {
  if (name === '') return null;
  const rule = 'RFC 8428 § 4.5.1 allows only A-Z a-z 0-9 - : . / _ in a SenML name, starting with a letter or digit (tickcast also takes "/", as LwM2M sends): fix the gateway\'s bn or n, or set input.senmlNames to "legacy"';
  if (!NAME_START.test(name[0])) return `starts with ${show(name[0])}; ${rule}`;
  for (let i = 1; i < name.length; i++) {
    if (!NAME_CHAR.test(name[i])) return `has ${show(String.fromCodePoint(name.codePointAt(i)!))} at ${i}; ${rule}`;
  }
  return null;
}

/**
 * A reading of a name (feature) whose series and time already have one, under either series mode:
 * the same value is a repeat, taken once and counted; another value refuses the pack, as no reading
 * tells which is right (before 7 Dec 2026 'name' passed both on, the pipeline keeping one by
 * windows.duplicatePolicy, while 'baseName' refused even an exact repeat).
 */
function twice(r: Reading, series: string, had: number, hadUnit: string, skipped: Record<SenmlSkip, number>): Refusal | null {
  if (unitsClash(hadUnit, r.u)) return { code: ErrorCodes.RECORD_UNIT_MISMATCH, message: unitMismatch(series, r.n, hadUnit, r.u, r.tsMs).message };
  if (had === r.v) {
    skipped.repeated++;
    return null;
  }
  return { code: ErrorCodes.RECORD_INVALID, message: `the SenML pack has two readings of "${r.n}" for series "${series}" at ${new Date(r.tsMs).toISOString()}, ${had} and ${r.v}: send one` };
}

/** input.senmlSeries 'name': each reading a tick of the series its resolved name names (one feature). */
function byName(readings: Reading[], opts: CodecOptions, skipped: Record<SenmlSkip, number>): Tick[] | Refusal {
  const ticks = new Map<string, Tick>();
  for (const r of readings) {
    if (r.name === '') return { code: ErrorCodes.RECORD_BAD_SERIES, message: 'a SenML record has no name (neither bn nor n): input.senmlSeries "name" takes bn + n as the series id' };
    if (!opts.seriesPattern.test(r.name)) return { code: ErrorCodes.RECORD_BAD_SERIES, message: seriesRefusal(r.name, opts.seriesPattern) };
    const id = `${r.name}\u0000${r.tsMs}`;
    const had = ticks.get(id);
    if (had) {
      const bad = twice(r, r.name, had.values[0], had.units?.[0] ?? '', skipped);
      if (bad) return bad;
    } else ticks.set(id, { series: r.name, tsMs: r.tsMs, values: Float64Array.of(r.v), ...(r.u === '' ? {} : { units: [r.u] }) });
  }
  return [...ticks.values()];
}

/** input.senmlSeries 'baseName': the readings of one bn at one time as one tick, n naming the feature. */
function byBaseName(readings: Reading[], key: Buffer | null, opts: CodecOptions, skipped: Record<SenmlSkip, number>): Tick[] | Refusal {
  const ticks = new Map<string, Tick>();
  let keyId: string | { error: string } | null = null;
  let folded: string[] | undefined;
  for (const r of readings) {
    const n = opts.features.includes(r.n) ? r.n : joinInName(r); // a feature named so (":temp" under input.senmlNames legacy) first
    const index = opts.features.indexOf(n);
    if (index < 0) {
      folded ??= opts.features.map((f) => f.toLowerCase());
      skipped[folded.includes(n.toLowerCase()) ? 'name_case' : 'other_name']++; // SenML names are case-sensitive: "Temp" is not "temp", but it is told apart
      continue;
    }
    let series = deviceId(r.name.slice(0, r.name.length - n.length)); // bn (with the separator n began with)
    if (series === '') {
      keyId ??= keySeries(key);
      if (typeof keyId !== 'string') return { code: ErrorCodes.RECORD_BAD_SERIES, message: `a SenML reading of "${r.n}" has no bn in effect and ${keyId.error}: input.senmlSeries "baseName" takes bn (else the record key) as the series id` };
      series = keyId;
    }
    if (!opts.seriesPattern.test(series)) return { code: ErrorCodes.RECORD_BAD_SERIES, message: seriesRefusal(series, opts.seriesPattern) };
    const id = `${series}\u0000${r.tsMs}`;
    let tick = ticks.get(id);
    if (!tick) ticks.set(id, (tick = { series, tsMs: r.tsMs, values: new Float64Array(opts.features.length).fill(Number.NaN) }));
    if (Number.isNaN(tick.values[index])) {
      tick.values[index] = r.v;
      if (r.u !== '') ((tick.units ??= new Array<string>(opts.features.length).fill('')) as string[])[index] = r.u;
    } else {
      const bad = twice(r, series, tick.values[index], tick.units?.[index] ?? '', skipped);
      if (bad) return bad;
    }
  }
  return missing([...ticks.values()], opts);
}

/**
 * The feature name of a reading under 'baseName': n, less the separator it begins with when bn ends
 * without one — bn "dev1" with n ":temp" is the name "dev1:temp", the same SenML name (RFC 8428
 * § 4.5.1: a name is bn + n, however a gateway splits it) as bn "dev1:" with n "temp", and so the
 * device "dev1" and feature "temp". Before 7 Dec 2026 (night) n ":temp" matched no feature: every
 * reading of such a gateway was skipped (`other_name`), and its devices never ticked.
 */
function joinInName(r: Reading): string {
  const n = r.n;
  if (n.length < 2 || !BN_SEPARATOR_START.test(n)) return n;
  const bn = r.name.slice(0, r.name.length - n.length);
  return bn === '' || BN_SEPARATOR.test(bn) ? n : n.slice(1);
}

const BN_SEPARATOR_START = /^[:/.]/;

/** The separators a bn ends with before its names (RFC 8428's examples "urn:dev:ow:10e2073a01080063:", LwM2M's "/3303/0/"). */
const BN_SEPARATOR = /[:/.]$/;

/**
 * input.senmlSeries 'baseName': the series id of a bn, without the one separator it ends with, as
 * RFC 8428 puts it there to join bn and n ("urn:dev:mac:0024befffe804ff1:" is the device
 * "urn:dev:mac:0024befffe804ff1", RFC 9039's URN). A bn that is only a separator stays whole.
 * From its release (7 Dec 2026) until later that day the series id kept the separator; a snapshot
 * of then is renamed at restore with this (src/pipeline/snapshot/legacy-ids.ts).
 */
export function deviceId(bn: string): string {
  return bn.length > 1 && BN_SEPARATOR.test(bn) ? bn.slice(0, -1) : bn;
}

/** The record key as a series id, or why it is none: absent or empty, or not UTF-8 (before 7 Dec 2026 a key not UTF-8 was reported as no key). */
function keySeries(key: Buffer | null): string | { error: string } {
  if (!key || key.length === 0) return { error: 'the record has no key' };
  const k = strictUtf8(key);
  return 'text' in k ? k.text : { error: `the record key is ${k.error}` };
}

/** With input.missingFeature 'reject', the first tick lacking a configured feature refuses the pack; with 'carry' the NaNs are carried forward. */
function missing(ticks: Tick[], opts: CodecOptions): Tick[] | Refusal {
  if (opts.missingFeature === 'carry') return ticks;
  for (const t of ticks) {
    const absent = opts.features.filter((_, i) => Number.isNaN(t.values[i]));
    if (absent.length > 0) return { code: ErrorCodes.RECORD_MISSING_FEATURE, message: `series "${t.series}" at ${new Date(t.tsMs).toISOString()} has no reading of ${absent.map((f) => `"${f}"`).join(', ')} in the SenML pack (expected ${opts.features.join(', ')}; or set input.missingFeature to "carry")` };
  }
  return ticks;
}
