/**
 * The trace context a tick's outputs carry with no tracing SDK registered (the default): the
 * incoming `traceparent`/`tracestate` pass through only when valid W3C trace context, as the SDK's
 * propagator has it — never a producer's binary or oversized header copied onto every output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRecord } from '../../../src/domain/types.ts';
import { traceHeadersFor } from '../../../src/telemetry/trace-headers.ts';
import { Rand } from '../../helpers/fuzz.ts';

const VALID = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const rec = (headers: Record<string, string>): RawRecord => ({ key: null, value: null, headers, source: { topic: 't', partition: 0, offset: '0' }, receivedAtMs: 0 });

test('a valid traceparent and tracestate pass through unchanged', () => {
  assert.deepEqual(traceHeadersFor(rec({ traceparent: VALID, tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' })), { traceparent: VALID, tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' });
  assert.deepEqual(traceHeadersFor(rec({})), {});
});

test('hostile trace headers are not copied onto the outputs: binary, malformed, all-zero ids, version ff, oversized', () => {
  const bad = [
    Buffer.from([0xff, 0x00, 0x41]).toString('utf8'),
    '',
    'x'.repeat(200_000),
    VALID.replace('0af7651916cd43dd8448eb211c80319c', '0'.repeat(32)),
    VALID.replace('b7ad6b7169203331', '0'.repeat(16)),
    `ff${VALID.slice(2)}`,
    `${VALID}-extra`,
    VALID.slice(0, -1),
  ];
  for (const traceparent of bad) assert.deepEqual(traceHeadersFor(rec({ traceparent, tracestate: 'a=b' })), {}, JSON.stringify(traceparent.slice(0, 80)));
  // A valid parent keeps its trace; a tracestate over 512 characters or with control or binary bytes is dropped.
  for (const tracestate of ['a='.padEnd(513, 'b'), 'a=b\u0000', Buffer.from([0x61, 0x3d, 0xfe]).toString('utf8'), 'a=\n']) {
    assert.deepEqual(traceHeadersFor(rec({ traceparent: VALID, tracestate })), { traceparent: VALID }, JSON.stringify(tracestate.slice(0, 80)));
  }
});

test('fuzz: 3,000 random header values — what goes out is valid W3C trace context or nothing, and never larger than 567 bytes', () => {
  const r = new Rand(7);
  for (let i = 0; i < 3000; i++) {
    const text = (n: number) => r.bytes(n).toString(r.pick(['utf8', 'latin1'] as const));
    const traceparent = r.chance(0.3) ? VALID.split('').map((c) => (r.chance(0.03) ? text(1) : c)).join('') : text(r.int(80));
    const out = traceHeadersFor(rec({ traceparent, tracestate: r.chance(0.5) ? 'a=b' : text(r.int(700)) }));
    if (out.traceparent !== undefined) assert.match(out.traceparent, /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);
    if (out.tracestate !== undefined) assert.match(out.tracestate, /^[\x20-\x7e]{0,512}$/);
    assert.ok(Buffer.byteLength(JSON.stringify(out)) < 600);
  }
});
