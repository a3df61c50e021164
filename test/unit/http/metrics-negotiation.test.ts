/**
 * GET /metrics content negotiation (src/telemetry/exposition.ts): Prometheus's own Accept headers
 * get OpenMetrics, curl and text-only scrapers the text format, and an OpenMetrics scrape leaves
 * the counters' names intact for the next text scrape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { build } from './support/build.ts';
import { metricsExposition, negotiateExposition } from '../../../src/telemetry/exposition.ts';

/** What Prometheus sends (scrape_protocols defaults): 2.x, and 3.x. */
const PROMETHEUS_2 = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const PROMETHEUS_3 = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';

test('Accept → format: Prometheus 2.x/3.x get OpenMetrics; curl, text-only, q=0 and unknown types get the text format', () => {
  assert.equal(negotiateExposition(PROMETHEUS_2), 'openmetrics');
  assert.equal(negotiateExposition(PROMETHEUS_3), 'openmetrics');
  assert.equal(negotiateExposition('application/openmetrics-text'), 'openmetrics');
  assert.equal(negotiateExposition(undefined), 'prometheus');
  assert.equal(negotiateExposition('*/*'), 'prometheus');
  assert.equal(negotiateExposition('text/plain;version=0.0.4'), 'prometheus');
  assert.equal(negotiateExposition('application/openmetrics-text;q=0,text/plain'), 'prometheus');
  assert.equal(negotiateExposition('text/plain;q=0.9,application/openmetrics-text;q=0.5'), 'prometheus');
  assert.equal(negotiateExposition('application/openmetrics-text;version=0.0.1'), 'prometheus', 'prom-client writes 1.0.0 only');
  assert.equal(negotiateExposition('application/json'), 'prometheus');
});

test('GET /metrics answers OpenMetrics to Prometheus (# EOF, counter family without _total) and text to curl, either order', async () => {
  const { app, registry } = await build();
  try {
    new Counter({ name: 'tickcast_negotiation_total', help: 'x', registers: [registry] }).inc(3);
    const om = await app.inject({ url: '/metrics', headers: { accept: PROMETHEUS_2 } });
    assert.equal(om.statusCode, 200);
    assert.equal(om.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.match(om.headers.vary as string, /accept/i);
    assert.match(om.body, /^# TYPE tickcast_negotiation counter\ntickcast_negotiation_total 3$/m);
    assert.ok(om.body.endsWith('# EOF\n'), om.body.slice(-40));

    // prom-client renames counters in place for OpenMetrics; the next text scrape must not see that.
    const text = await app.inject({ url: '/metrics' });
    assert.match(text.headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
    assert.match(text.body, /^# TYPE tickcast_negotiation_total counter\ntickcast_negotiation_total 3$/m);
    assert.doesNotMatch(text.body, /# EOF/);
    assert.equal(registry.contentType, Registry.PROMETHEUS_CONTENT_TYPE, 'the app registry keeps its type');

    // Concurrent scrapes of both formats: each gets its own, whole.
    const both = await Promise.all([PROMETHEUS_3, 'text/plain', PROMETHEUS_3, '*/*'].map((accept) => app.inject({ url: '/metrics', headers: { accept } })));
    assert.deepEqual(both.map((r) => /tickcast_negotiation_total counter/.test(r.body)), [false, true, false, true]);
    assert.deepEqual(both.map((r) => r.body.endsWith('# EOF\n')), [true, false, true, false]);
  } finally {
    await app.close();
  }
});

test('exemplars appear only in OpenMetrics; the text format stays plain', async () => {
  const registry = new Registry();
  // prom-client's constructor refuses exemplars for a text-format registry; registered afterwards, its text render leaves them out.
  const h = new Histogram({ name: 'tickcast_exemplar_seconds', help: 'x', buckets: [1], enableExemplars: true, registers: [] });
  registry.registerMetric(h);
  h.observe({ value: 0.5, labels: {}, exemplarLabels: { trace_id: '0af7651916cd43dd8448eb211c80319c' } });
  const expose = metricsExposition(registry);
  const om = await expose('openmetrics');
  assert.match(om.body, /tickcast_exemplar_seconds_bucket\{le="1"\} 1 # \{trace_id="0af7651916cd43dd8448eb211c80319c"\} 0\.5 /);
  const text = await expose('prometheus');
  assert.match(text.body, /^tickcast_exemplar_seconds_bucket\{le="1"\} 1$/m);
  assert.doesNotMatch(text.body, /trace_id/);
});
