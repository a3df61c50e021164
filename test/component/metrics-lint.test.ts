/**
 * The live /metrics scrape of the app in embedded mode through `promtool check metrics`
 * (Prometheus' own linter: naming, units, _total only on counters, HELP present). Skipped where
 * promtool is not on PATH (Debian package `prometheus`; CI has none). The findings that remain are
 * deliberate and listed below with why; anything else fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startTestApp } from '../helpers/app.ts';

const havePromtool = spawnSync('promtool', ['--version']).status === 0;
const ACCEPTED: Array<[RegExp, string]> = [
  // prom-client's default Node.js metrics under their standard names (docs/metrics.md): stock dashboards use them.
  [/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/, 'prom-client default'],
];

test('the /metrics scrape passes promtool check metrics, but for the deliberate findings', { skip: !havePromtool && 'needs promtool on PATH' }, async () => {
  const app = await startTestApp({ embedded: { series: 3, ticksPerSecond: 0, maxTicks: 3 * 200 }, telemetry: { defaultMetrics: true }, bandQuality: { minTicks: 10 } });
  let body = '';
  try {
    const t0 = Date.now();
    // One request before any scrape, so the HTTP histogram has a series in every scrape below.
    await (await fetch(`${app.address()}/healthz`)).text();
    // Until the labelled series exist: forecasts out and the band histogram filled.
    while (Date.now() - t0 < 60_000) {
      body = await (await fetch(`${app.address()}/metrics`)).text();
      if (/^tickcast_band_coverage_series\{at_most="\+Inf"\} [1-9]/m.test(body) && /^tickcast_forecasts_total [1-9]/m.test(body)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await app.stop();
  }
  assert.match(body, /^tickcast_band_coverage_series\{at_most="\+Inf"\} [1-9]/m, 'band quality series in the scrape');
  assert.match(body, /^tickcast_http_request_duration_seconds_count\{/m, 'HTTP histogram in the scrape');
  const r = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
  const findings = [...new Set(`${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter((l) => l !== ''))];
  const unexpected = findings.filter((f) => !ACCEPTED.some(([re]) => re.test(f)));
  assert.deepEqual(unexpected, [], `promtool check metrics:\n${findings.join('\n')}`);
});
