/**
 * A seeded generator of hostile input records for the tick topic: the same seed gives the same
 * records, byte for byte, on every machine. Each record says what the decoder must do with it
 * (`expect`): 'ok' (a good tick, also mixed in between), 'reject' (bad by construction), or
 * 'either' (a random mutation of a good tick, which may still be one).
 *
 * Used by the decoder fuzz (test/unit/domain/tick-codec-fuzz.test.ts) and the broker run
 * (test/integration/malformed-records.test.ts). No dependencies beyond the repository's own PRNG.
 */
import { mulberry32 } from '../../src/model/random.ts';

export interface HostileRecord {
  kind: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Every value of a name as bytes, in order (binary values included). */
  headers: Record<string, Buffer[]>;
  expect: 'ok' | 'reject' | 'either';
  /** For expect 'ok': the tick it is. */
  tick?: { series: string; tsMs: number; value: number };
}

export class Rand {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(256)));
  }
}

export interface HostileOptions {
  /** Series ids of the good ticks: `${prefix}${0..series-1}`. */
  prefix: string;
  series: number;
  /** First ts of the good ticks, and their spacing; each series' good ticks go forward in time. */
  t0: number;
  stepMs: number;
  /** input.maxRecordBytes of the decoder under test. */
  maxRecordBytes: number;
  /** The largest key sent (default 1 MiB; a broker refuses records over its message.max.bytes). */
  maxKeyBytes?: number;
  /** Mutated good ticks ('either'); off where an accepted one would upset the good ticks' order. */
  mutations?: boolean;
}

const TS = 1732060800123;
const B = (s: string): Buffer => Buffer.from(s, 'utf8');
const nest = (open: string, close: string, depth: number, inner: string): string => open.repeat(depth) + inner + close.repeat(depth);

/** Raw JSON texts for a number that JSON.stringify cannot write, or that JSON reads as something else. */
const BAD_NUMBERS = ['1e400', '-1e400', '1e151', '-1e151', '"NaN"', '"Infinity"', '"-Infinity"', '"1.5"', 'true', 'null', '[]', '{}', '"0x10"', '""'];
const BAD_TS = ['-1', '0', '-0', '1732060800', '1732060800123000', '1e400', '-1732060800123', '"1732060800123"', '"yesterday"', '"2024-02-30T00:00:00Z"', '"0001-01-01"', '"9999-12-31T23:59:59Z"', '"2024-11-20T24:00:00Z"', 'null', 'true', '[1732060800123]', '{"ms":1732060800123}', '9007199254740993', '8e12', '"\\u0000"'];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

/** The hostile makers: each returns a record bad by construction (expect 'reject'). */
function makers(r: Rand, o: HostileOptions): Array<() => HostileRecord> {
  const rec = (kind: string, value: string | Buffer | null, key: Buffer | null = B('fuzz-key')): HostileRecord => ({ kind, key, value: typeof value === 'string' ? B(value) : value, headers: {}, expect: 'reject' });
  const good = (extra = ''): string => `{"ts":${TS},"value":1.5${extra}}`;
  return [
    () => {
      // Invalid UTF-8 inside a string field the decoder would otherwise accept (a label, the series).
      const bad = r.pick([[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xfe, 0xfe]]);
      const where = r.pick(['label', 'series', 'tail']);
      const head = where === 'series' ? `{"series":"s` : `{"ts":${TS},"value":1.5,"labels":{"host":"w`;
      const tail = where === 'series' ? `","ts":${TS},"value":1.5}` : '"}}';
      return rec('invalid-utf8', where === 'tail' ? Buffer.concat([B(good()), Buffer.from(bad)]) : Buffer.concat([B(head), Buffer.from(bad), B(tail)]));
    },
    () => rec('bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), B(good())])),
    () => {
      const depth = r.pick([64, 1000, 5000, Math.floor(o.maxRecordBytes / 2) - 40]);
      const [open, close] = r.pick([['[', ']'], ['{"a":', '}']]);
      const field = r.pick(['top', 'ts', 'value', 'values', 'series', 'labels']);
      const deep = nest(open, close, depth, '1');
      if (field === 'top') return rec('deep-json', deep);
      if (field === 'labels') return rec('deep-json', good(`,"labels":{"h":${deep}}`));
      if (field === 'ts') return rec('deep-json', `{"ts":${deep},"value":1.5}`);
      return rec('deep-json', `{"ts":${TS},"${field}":${deep}}`);
    },
    () => rec('too-large', `{"ts":${TS},"value":1.5,"pad":"${'x'.repeat(o.maxRecordBytes + r.int(1000))}"}`),
    () => {
      const n = r.pick(BAD_NUMBERS);
      return rec('bad-number', r.chance(0.5) ? `{"ts":${TS},"value":${n}}` : `{"ts":${TS},"values":{"value":${n}}}`);
    },
    () => rec('bad-ts', `{"ts":${r.pick(BAD_TS)},"value":1.5}`),
    () => rec('dup-keys', `{"ts":${TS},"value":1.5,"value":${r.pick(BAD_NUMBERS)}}`),
    () => {
      const k = r.pick(PROTO_KEYS);
      return rec('proto-keys', r.pick([`{"${k}":{"ts":${TS},"value":1.5}}`, `{"ts":${TS},"values":{"${k}":1.5}}`, `{"ts":${TS},"value":1.5,"labels":{"${k}":{"polluted":"yes"}}}`, `{"${k}":{"polluted":true},"ts":${TS}}`]));
    },
    // 2198: in the accepted range, but years ahead of when it was sent (input.maxFutureMs).
    () => rec('future-ts', `{"ts":${7e12 + r.int(1e9)},"value":1.5}`),
    () => rec('tombstone', r.chance(0.5) ? null : Buffer.alloc(0)),
    () => rec('no-series', good(), r.pick([null, Buffer.alloc(0)])),
    () => rec('bad-key', good(), r.pick([Buffer.alloc(o.maxKeyBytes ?? 1 << 20, 0x61), Buffer.from([0xff, 0x00, 0x80]), B('.'), B('..'), B('a b'), B('x'.repeat(129))])),
    () => rec('wrong-shape', r.pick(['null', '[]', '"tick"', '42', 'true', '[{"ts":1,"value":1}]', `{"ts":${TS},"value":1.5,"labels":${r.pick(['[]', '"host"', '{"h":1}', '{"":"x"}', 'null'])}}`])),
    () => rec('not-json', r.pick(['{', '{"ts":}', "{'ts':1}", 'ts=1,value=2', '{"ts":1732060800123,"value":1.5,}', 'undefined', 'NaN', '\u0000'])),
    () => rec('binary', Buffer.concat([Buffer.from([r.pick([0x00, 0x01, 0x80, 0xff, 0x1f])]), r.bytes(1 + r.int(300))])),
  ];
}

/** A good tick of series `s`, its `i`-th. */
function goodTick(o: HostileOptions, s: number, i: number): HostileRecord {
  const series = `${o.prefix}${s}`;
  const tsMs = o.t0 + i * o.stepMs;
  const value = Math.round((100 + 10 * s + 5 * Math.sin(i / 3)) * 1000) / 1000;
  const inKey = i % 2 === 0;
  const body = inKey ? { ts: tsMs, value } : { series, ts: new Date(tsMs).toISOString(), value };
  return { kind: 'good', key: B(series), value: B(JSON.stringify(body)), headers: {}, expect: 'ok', tick: { series, tsMs, value } };
}

/** A good tick with random bytes flipped, inserted, deleted or cut off: it may still be one. */
function mutate(r: Rand, t: HostileRecord): HostileRecord {
  const v = Buffer.from(t.value!);
  const n = 1 + r.int(3);
  let out = v;
  for (let k = 0; k < n; k++) {
    const at = r.int(out.length);
    const op = r.int(4);
    if (op === 0) out[at] = r.int(256);
    else if (op === 1) out = Buffer.concat([out.subarray(0, at), r.bytes(1 + r.int(4)), out.subarray(at)]);
    else if (op === 2) out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
    else out = out.subarray(0, at);
  }
  return { ...t, kind: 'mutated', value: out, expect: 'either', tick: undefined };
}

/** Headers a hostile producer sends: binary values, repeated names, a huge or binary traceparent. */
function hostileHeaders(r: Rand): Record<string, Buffer[]> {
  const h: Record<string, Buffer[]> = {};
  const n = r.int(4);
  for (let i = 0; i < n; i++) {
    const name = r.pick(['traceparent', 'tracestate', 'bin', 'x-dup', 'content-type', 'tickcast-error-code']);
    const value = r.pick([() => r.bytes(1 + r.int(64)), () => Buffer.alloc(0), () => B('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'), () => Buffer.alloc(4096 + r.int(4096), 0x41)])();
    (h[name] ??= []).push(value);
  }
  return h;
}

/**
 * `count` records: about one in `goodEvery` a good tick (each series' in time order), the rest
 * hostile — bad by construction, or a mutated good tick — with hostile headers on some of either.
 */
export function hostileRecords(seed: number, count: number, o: HostileOptions, goodEvery = 4): HostileRecord[] {
  const r = new Rand(seed);
  const bad = makers(r, o);
  const next = new Array<number>(o.series).fill(0);
  const out: HostileRecord[] = [];
  for (let i = 0; i < count; i++) {
    let rec: HostileRecord;
    if (i % goodEvery === 0) {
      const s = r.int(o.series);
      rec = goodTick(o, s, next[s]++);
    } else if (o.mutations !== false && r.chance(0.2)) {
      rec = mutate(r, goodTick(o, r.int(o.series), r.int(1000)));
    } else {
      rec = r.pick(bad)();
    }
    if (r.chance(0.3)) rec.headers = hostileHeaders(r);
    out.push(rec);
  }
  return out;
}
