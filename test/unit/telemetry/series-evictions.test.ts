/**
 * Series evicted at windows.maxSeries are not silent: tickcast_series_evicted_total has a `reason`
 * label (cap | idle | removed | reset), every reason at 0 from the start, and a warning names the setting
 * and its variable, at most once a minute with the count since the last line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { TelemetryObserver } from '../../../src/telemetry/pipeline-observer.ts';
import { SeriesCapWarning } from '../../../src/telemetry/series-cap-warning.ts';
import { envName } from '../../../src/config/env-name.ts';

function capture() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { lines, logger: { warn: (obj: object, msg: string) => void lines.push({ obj: obj as Record<string, unknown>, msg }) } };
}

async function evictedByReason(m: ReturnType<typeof createMetrics>): Promise<Record<string, number>> {
  const text = await m.registry.metrics();
  return Object.fromEntries([...text.matchAll(/^tickcast_series_evicted_total\{reason="(\w+)"\} (\d+)$/gm)].map((x) => [x[1], Number(x[2])]));
}

test('tickcast_series_evicted_total: by reason, every reason at 0 from the start', async () => {
  const m = createMetrics({ defaultMetrics: false });
  const log = capture();
  const observer = new TelemetryObserver(m, { scoreGaugeSeries: [], scoreGaugeTopK: 5, capWarning: { logger: log.logger, maxSeries: 2, envVar: envName('windows.maxSeries') } });
  assert.deepEqual(await evictedByReason(m), { cap: 0, idle: 0, removed: 0, reset: 0 });
  // Wired as the pipeline wires it: the registry announces every departure with its reason.
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 2, idleEvictMs: 1000, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  store.registry.follow((series, reason) => observer.evicted(series, reason));
  for (const [i, id] of ['a', 'b', 'c', 'd'].entries()) store.push(id, 1000, [1], i); // c evicts a, d evicts b
  store.delete('c');
  store.evictIdle(10_000); // d
  store.push('e', 20_000, [1], 20_000);
  store.delete('e', 'reset'); // POST /v1/series/{id}/reset
  assert.deepEqual(await evictedByReason(m), { cap: 2, idle: 1, removed: 1, reset: 1 });
  assert.equal(log.lines.length, 1, 'cap evictions are logged (once: rate-limited)');
  assert.match(log.lines[0].msg, /windows\.maxSeries = 2/);
});

test('the cap warning: the first at once, then at most once a minute with the count since the last line; names the setting and its variable', () => {
  let now = 0;
  const log = capture();
  const w = new SeriesCapWarning({ logger: log.logger, maxSeries: 10_000, envVar: envName('windows.maxSeries'), now: () => now });
  w.evicted();
  assert.equal(log.lines.length, 1);
  assert.equal(log.lines[0].obj.evicted, 1);
  assert.match(log.lines[0].msg, /series cap reached: 1 series evicted at windows\.maxSeries = 10000 since start/);
  assert.match(log.lines[0].msg, /TICKCAST_WINDOWS_MAX_SERIES/);
  assert.match(log.lines[0].msg, /never forecast/);
  for (let i = 0; i < 199_999; i++) {
    now += 0.25; // 200,000 keys over 50 s: every one evicts
    w.evicted();
  }
  assert.equal(log.lines.length, 1, 'not again within the minute');
  now = 60_000;
  w.evicted();
  assert.equal(log.lines.length, 2);
  assert.equal(log.lines[1].obj.evicted, 200_000, 'the count since the last line');
  assert.match(log.lines[1].msg, /200000 series evicted .* since the last warning 60 s ago/);
  now = 60_500;
  w.evicted();
  assert.equal(log.lines.length, 2);
});
