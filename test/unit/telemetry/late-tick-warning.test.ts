import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LateTickWarning } from '../../../src/telemetry/late-tick-warning.ts';

function rig(opts: { maxLines?: number; maxSeries?: number } = {}) {
  const lines: Array<Record<string, unknown> & { msg: string }> = [];
  let now = 1_000_000;
  const w = new LateTickWarning({ logger: { warn: (obj, msg) => void lines.push({ ...obj, msg }) }, now: () => now, intervalMs: 60_000, ...opts });
  return { w, lines, advance: (ms: number) => void (now += ms) };
}

const T = Date.UTC(2026, 11, 6, 9, 0);

test('one line per series per interval; the next line counts the late ticks of that series since the last', () => {
  const { w, lines, advance } = rig();
  for (let i = 0; i < 5; i++) w.late({ series: 'dev-1', tsMs: T - 60_000, lastTs: T });
  assert.equal(lines.length, 1);
  assert.deepEqual([lines[0].series, lines[0].lateByMs, lines[0].lastTs, lines[0].ts, lines[0].lateTicks], ['dev-1', 60_000, new Date(T).toISOString(), new Date(T - 60_000).toISOString(), 1]);
  advance(59_999);
  w.late({ series: 'dev-1', tsMs: T - 1, lastTs: T });
  assert.equal(lines.length, 1);
  advance(1);
  w.late({ series: 'dev-1', tsMs: T - 1, lastTs: T });
  assert.equal(lines.length, 2);
  assert.equal(lines[1].lateTicks, 6, 'the 5 since the first line and this one');
});

test('a global cap per interval: lines left out are counted in the next line', () => {
  const { w, lines, advance } = rig({ maxLines: 3 });
  for (let s = 0; s < 10; s++) w.late({ series: `dev-${s}`, tsMs: T - 1000, lastTs: T });
  assert.deepEqual(lines.map((l) => l.series), ['dev-0', 'dev-1', 'dev-2']);
  advance(60_000);
  w.late({ series: 'dev-9', tsMs: T - 1000, lastTs: T });
  assert.equal(lines.length, 4);
  assert.equal(lines[3].suppressed, 7);
  assert.match(lines[3].msg, /7 line\(s\) about other series were left out/);
});

test('the series remembered are bounded: the oldest go', () => {
  const { w, lines } = rig({ maxLines: 1000, maxSeries: 2 });
  for (const s of ['a', 'b', 'c', 'a']) w.late({ series: s, tsMs: T - 1, lastTs: T });
  assert.deepEqual(lines.map((l) => l.series), ['a', 'b', 'c', 'a'], 'a was forgotten when c came, so it is named again');
});
