import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createMetrics } from '../../../src/telemetry/metrics.ts';

const pkgVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

test("Node's default process metrics use their standard names (no tickcast_ prefix) so stock dashboards work", async () => {
  const m = createMetrics({ defaultMetrics: true });
  const names = (await m.registry.getMetricsAsJSON()).map((x) => x.name);
  for (const n of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_version_info']) {
    assert.ok(names.includes(n), `${n} exported`);
  }
  assert.deepEqual(names.filter((n) => /^tickcast_(process|nodejs)_/.test(n)), [], 'no prefixed copies');
});

test('tickcast_build_info is 1 with the package version and the Node.js version', async () => {
  const m = createMetrics({ defaultMetrics: false });
  const text = await m.registry.metrics();
  assert.ok(text.includes(`tickcast_build_info{version="${pkgVersion}",node_version="${process.version}"} 1`), text.split('\n').filter((l) => l.includes('build_info')).join('\n'));
});

test('only histograms carry `le` and only summaries `quantile`: Prometheus reserves those labels', async () => {
  // A gauge with `le` (the band-quality series gauges before 7 Dec 2026) is flagged by promtool,
  // clashes with `sum by (le)` of a real histogram, and OpenMetrics reserves it for buckets.
  const m = createMetrics({ defaultMetrics: true });
  const offenders: string[] = [];
  for (const metric of m.registry.getMetricsAsArray() as unknown as { name: string; type?: string; labelNames?: string[] }[]) {
    const labels = metric.labelNames ?? [];
    if (labels.includes('le') && metric.type !== 'histogram') offenders.push(`${metric.name} (${metric.type}) has le`);
    if (labels.includes('quantile') && metric.type !== 'summary') offenders.push(`${metric.name} (${metric.type}) has quantile`);
  }
  assert.deepEqual(offenders, []);
});
