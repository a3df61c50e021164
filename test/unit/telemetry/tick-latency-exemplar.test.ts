/**
 * tickcast_tick_to_forecast_seconds carries the trace of the chunk a forecast came from as an
 * exemplar, in OpenMetrics scrapes only (src/telemetry/exposition.ts); outside a recorded span none.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { TelemetryObserver } from '../../../src/telemetry/pipeline-observer.ts';
import { metricsExposition } from '../../../src/telemetry/exposition.ts';
import { startTracing, withSpan } from '../../../src/telemetry/tracing.ts';

const tracingStarted = startTracing({ serviceName: 'tickcast-test', spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
after(async () => (await tracingStarted).shutdown());

test('a forecast inside a recorded span leaves its trace_id on the latency bucket, in OpenMetrics only', async () => {
  await tracingStarted;
  const m = createMetrics({ defaultMetrics: false });
  const observer = new TelemetryObserver(m, { scoreGaugeSeries: [], scoreGaugeTopK: 5 });
  observer.forecast('s', 0.02); // outside any span: counted, no exemplar
  const traceId = await withSpan('tickcast.consume', {}, (span) => {
    observer.forecast('s', 42);
    return span.spanContext().traceId;
  });
  const expose = metricsExposition(m.registry);
  const om = (await expose('openmetrics')).body;
  assert.match(om, new RegExp(`^tickcast_tick_to_forecast_seconds_bucket\\{le="60"\\} 2 # \\{trace_id="${traceId}",span_id="[0-9a-f]{16}"\\} 42 \\d`, 'm'));
  assert.match(om, /^tickcast_tick_to_forecast_seconds_bucket\{le="0\.025"\} 1$/m, 'no exemplar without a span');
  const text = (await expose('prometheus')).body;
  assert.match(text, /^tickcast_tick_to_forecast_seconds_bucket\{le="60"\} 2$/m);
  assert.doesNotMatch(text, /trace_id/);
});

test('a tick older than the top bucket leaves its exemplar on +Inf', async () => {
  // OpenMetrics allows an exemplar on every bucket, +Inf included: the ticks past 30 min are the ones to trace.
  await tracingStarted;
  const m = createMetrics({ defaultMetrics: false });
  const observer = new TelemetryObserver(m, { scoreGaugeSeries: [], scoreGaugeTopK: 5 });
  const traceId = await withSpan('tickcast.consume', {}, (span) => {
    observer.forecast('s', 4000);
    return span.spanContext().traceId;
  });
  const om = (await metricsExposition(m.registry)('openmetrics')).body;
  assert.match(om, new RegExp(`^tickcast_tick_to_forecast_seconds_bucket\\{le="\\+Inf"\\} 1 # \\{trace_id="${traceId}",span_id="[0-9a-f]{16}"\\} 4000 \\d`, 'm'));
  assert.match(om, /^tickcast_tick_to_forecast_seconds_bucket\{le="1800"\} 0$/m);
});
