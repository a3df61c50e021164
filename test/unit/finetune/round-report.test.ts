/**
 * What operators see of a watch's end: a kept model is recorded (history, metric, log with the
 * reason) as a rolled-back one is. Before 6 Dec 2026 it was only logged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { RoundReport } from '../../../src/model/finetune/round-report.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';

test('round report: a kept model (watch deadline) is in the history, the rounds metric and the log, with its reason', async () => {
  const out = new PassThrough();
  const lines: string[] = [];
  out.on('data', (b: Buffer) => lines.push(b.toString()));
  const metrics = createMetrics({ defaultMetrics: false, registry: new Registry() });
  const report = new RoundReport(createLogger({ level: 'info', name: 'test', destination: out }), metrics);
  const reason = 'watch ended at its deadline (finetune.watchTimeoutMs 600000 ms) after 4 of 600 live pairs, no regression found';
  report.kept({ round: 3, at: new Date(0).toISOString(), trigger: 'interval', outcome: 'kept', version: 'v2', reason, watch: { count: 4, champion: 1, previous: 1.1 } });
  assert.equal(report.history.at(-1)?.outcome, 'kept');
  assert.equal(report.history.at(-1)?.reason, reason);
  assert.match(await metrics.registry.getSingleMetricAsString('tickcast_finetune_rounds_total'), /outcome="kept"\} 1/);
  await new Promise((r) => setImmediate(r));
  assert.ok(lines.join('').includes(`model v2 kept after 4 live pairs of watching: ${reason}`), lines.join(''));
});
