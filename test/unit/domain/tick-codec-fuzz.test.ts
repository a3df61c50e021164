/**
 * Fuzz: thousands of hostile input records (test/helpers/fuzz.ts, seeded) through the tick decoder
 * and the dead-letter builder, as the pipeline calls them. Properties: decodeTick never throws and
 * never takes long on one record; every refusal has a TC_RECORD_* code and a short message; what
 * it accepts is a sane tick; the dead letter carries the original key, value and headers byte for
 * byte; Object.prototype is untouched at the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../../src/config/load.ts';
import { decodeTick, type CodecOptions } from '../../../src/domain/tick-codec.ts';
import type { RawRecord } from '../../../src/domain/types.ts';
import { ErrorCodes } from '../../../src/errors/index.ts';
import { DLQ_HEADERS, deadLetterMessage } from '../../../src/pipeline/dead-letter.ts';
import { hostileRecords, type HostileRecord } from '../../helpers/fuzz.ts';

const COUNT = 6000;
const SEED = 20261206;
/** Far above what a record takes (microseconds; a 32,000-deep array some ms): a hang, not a slow machine. */
const PER_RECORD_MS = 1500;

const config = loadConfig({ env: {} });
const opts: CodecOptions = {
  features: config.input.features,
  maxRecordBytes: config.input.maxRecordBytes,
  seriesPattern: new RegExp(config.input.seriesPattern),
  missingFeature: config.input.missingFeature,
  maxFutureMs: config.input.maxFutureMs,
};
const RECORD_CODES = new Set(Object.entries(ErrorCodes).filter(([k]) => k.startsWith('RECORD_')).map(([, v]) => v));
const OURS = new Set<string>(Object.values(DLQ_HEADERS));

function raw(r: HostileRecord, i: number): RawRecord {
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v[0].toString('utf8')]));
  return { key: r.key, value: r.value, headers, originalHeaders: r.headers, source: { topic: 'ticks', partition: 0, offset: String(i) }, receivedAtMs: 0 };
}

/** Why the dead letter of `r` does not carry its bytes, or null when it does. */
function lostBytes(r: HostileRecord, dl: ReturnType<typeof deadLetterMessage>): string | null {
  const h = dl.headers;
  const value = r.value ?? Buffer.alloc(0);
  if (!Buffer.isBuffer(dl.value) || !dl.value.equals(value)) return `value differs (${dl.value?.length} vs ${value.length} bytes)`;
  if (r.key === null ? dl.key !== null : dl.key === null) return 'key null-ness differs';
  if (typeof dl.key === 'string') return 'key became text';
  if (r.key !== null && dl.key !== null && !dl.key.equals(r.key)) {
    // A key too large for the dead letter's bound is cut to a marked prefix (docs/schemas.md).
    if (h[DLQ_HEADERS.keyTruncatedFrom] !== String(r.key.length) || !r.key.subarray(0, dl.key.length).equals(dl.key)) return 'key differs and is not a marked prefix';
  }
  for (const [name, values] of Object.entries(r.headers)) {
    if (OURS.has(name)) continue; // replaced by tickcast's own (documented)
    const got = h[name];
    if (!Array.isArray(got) || got.length !== values.length || got.some((g, i) => !Buffer.isBuffer(g) || !g.equals(values[i]))) return `header ${name} differs`;
  }
  return null;
}

function acceptedInsane(r: HostileRecord, t: Extract<ReturnType<typeof decodeTick>, { ok: true }>['tick']): string | null {
  if (!opts.seriesPattern.test(t.series) || t.series.includes('\uFFFD')) return `series ${JSON.stringify(t.series)}`;
  if (!(t.tsMs >= 1e11 && t.tsMs <= 7.3e12)) return `ts ${t.tsMs}`;
  if (![...t.values].every((v) => Number.isFinite(v) && Math.abs(v) <= 1e150)) return `values ${[...t.values]}`;
  for (const [k, v] of Object.entries(t.labels ?? {})) if (typeof v !== 'string' || (v + k).includes('\uFFFD')) return `label ${k}`;
  if (r.tick && (t.series !== r.tick.series || t.tsMs !== r.tick.tsMs || t.values[0] !== r.tick.value)) return 'not the tick sent';
  return null;
}

test(`fuzz: ${COUNT} hostile records — decode never throws or hangs, every refusal is coded, dead letters keep the bytes`, () => {
  const records = hostileRecords(SEED, COUNT, { prefix: 'fz', series: 5, t0: Date.UTC(2025, 0, 1), stepMs: 60_000, maxRecordBytes: opts.maxRecordBytes });
  const sent = Date.UTC(2026, 0, 1);
  const failures: string[] = [];
  const kinds = new Map<string, { ok: number; rejected: number }>();
  let slowest = 0;
  const t0 = performance.now();
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const fail = (why: string) => failures.length < 15 && failures.push(`#${i} ${r.kind}: ${why} <- ${r.value?.subarray(0, 100).toString('latin1')}`);
    const start = performance.now();
    let res: ReturnType<typeof decodeTick>;
    try {
      res = decodeTick(r.key, r.value, opts, sent);
    } catch (err) {
      fail(`threw ${(err as Error).message}`);
      continue;
    }
    slowest = Math.max(slowest, performance.now() - start);
    const k = kinds.get(r.kind) ?? { ok: 0, rejected: 0 };
    kinds.set(r.kind, k);
    if (res.ok) {
      k.ok++;
      if (r.expect === 'reject') fail('accepted');
      const insane = acceptedInsane(r, res.tick);
      if (insane) fail(`accepted a tick with a bad ${insane}`);
      continue;
    }
    k.rejected++;
    if (r.expect === 'ok') fail(`refused: ${res.error.code} ${res.error.message}`);
    if (!RECORD_CODES.has(res.error.code as never)) fail(`code ${res.error.code}`);
    if (res.error.code === ErrorCodes.RECORD_PROCESSING_FAILED) fail('a decode refusal that says only "processing failed"');
    if (res.error.message.length < 10 || res.error.message.length > 600) fail(`message of ${res.error.message.length} chars`);
    const dl = deadLetterMessage(raw(r, i), res.error);
    if (dl.headers[DLQ_HEADERS.code] !== res.error.code || dl.headers[DLQ_HEADERS.message] !== res.error.message) fail('dead letter without the reason');
    const lost = lostBytes(r, dl);
    if (lost) fail(`dead letter ${lost}`);
  }
  const elapsed = performance.now() - t0;
  assert.deepEqual(failures, []);
  assert.ok(slowest < PER_RECORD_MS, `slowest record ${slowest.toFixed(0)} ms`);
  assert.ok(kinds.size >= 16, `kinds: ${[...kinds.keys()].join(', ')}`);
  assert.ok(kinds.get('good')!.ok === COUNT / 4, 'every good tick decoded');
  assert.ok(kinds.get('mutated')!.ok > 0 && kinds.get('mutated')!.rejected > 0, 'mutations land on both sides');
  assert.equal(Object.keys(Object.prototype).length, 0, 'nothing added to Object.prototype');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  console.log(`# ${COUNT} records in ${elapsed.toFixed(0)} ms, slowest ${slowest.toFixed(1)} ms`);
});

test('the edges that are ticks stay ticks: -0, 1e-400, 1e150, a fractional ms, a ts at 2200, a 128-character series', () => {
  const cases: Array<[string, number, number]> = [
    ['{"series":"a","ts":1732060800123,"value":-0}', 1732060800123, 0],
    ['{"series":"a","ts":1732060800123,"value":1e-400}', 1732060800123, 0],
    ['{"series":"a","ts":1732060800123,"value":1e150}', 1732060800123, 1e150],
    ['{"series":"a","ts":1732060800123.5,"value":1}', 1732060800123.5, 1],
    [`{"series":"${'s'.repeat(128)}","ts":7.3e12,"value":1}`, 7.3e12, 1],
  ];
  for (const [text, ts, v] of cases) {
    const r = decodeTick(null, Buffer.from(text), opts);
    assert.ok(r.ok, text);
    assert.equal(r.tick.tsMs, ts);
    assert.ok(r.tick.values[0] === v, `${text}: ${r.tick.values[0]}`); // -0 and 0 alike (JSON writes both as 0)
  }
});

test('the reasons name the mistake: a BOM, the first bad UTF-8 byte, 1e400 as Infinity, a deep field under its own code', () => {
  const why = (value: Buffer | string, key: string | Buffer | null = 'k') => {
    const r = decodeTick(typeof key === 'string' ? Buffer.from(key) : key, Buffer.isBuffer(value) ? value : Buffer.from(value), opts);
    assert.ok(!r.ok);
    return `${r.error.code} ${r.error.message}`;
  };
  assert.match(why(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"ts":1732060800123,"value":1}')])), /^TC_RECORD_NOT_JSON value starts with a byte order mark \(bytes EF BB BF\)/);
  assert.match(why(Buffer.concat([Buffer.from('{"ts":1732060800123,"value":1,"labels":{"h":"caf'), Buffer.from([0xe9]), Buffer.from('"}}')])), /^TC_RECORD_NOT_JSON value is not valid UTF-8 \(byte 0xe9 at offset 48\)/);
  assert.match(why('{"ts":1732060800123,"value":1}', Buffer.from([0x73, 0xff])), /^TC_RECORD_BAD_SERIES the record key \(the series id, as the value has no "series"\) is not valid UTF-8 \(byte 0xff at offset 1\)/);
  // "series":"" (a Go struct's unset field) is there, empty: the reason says so rather than "has no series".
  assert.match(why('{"series":"","ts":1732060800123,"value":1}', Buffer.from([0x73, 0xff])), /^TC_RECORD_BAD_SERIES the record key \(the series id, as the value's "series" is ""\) is not valid UTF-8 \(byte 0xff at offset 1\)/);
  assert.match(why('{"ts":1732060800123,"value":1e400}'), /^TC_RECORD_BAD_VALUE value must be a finite number; got Infinity \(a number beyond ±1\.8e308\)$/);
  assert.match(why(`{"ts":${'['.repeat(30_000)}${']'.repeat(30_000)},"value":1}`), /^TC_RECORD_BAD_TS ts must be epoch ms or ISO-8601; got an array nested too deeply to show$/);
});
