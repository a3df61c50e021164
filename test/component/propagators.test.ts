/**
 * OTEL_PROPAGATORS reaches the Kafka headers (docs/metrics.md § Traces and logs): with `b3multi`
 * (an Istio/Zipkin shop) a tick's X-B3-* context is continued and the forecast carries X-B3-*
 * headers at the produce span, not W3C `traceparent`. Its own file: the SDK, and the propagator
 * it sets from the environment, start once per process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_WINDOW } from '../helpers/app.ts';
import { modelForecast, tick, traceFromEnv } from '../helpers/tracing-env.ts';

const { exporter, startApp } = traceFromEnv({ OTEL_PROPAGATORS: 'b3multi' });

test('OTEL_PROPAGATORS=b3multi: a tick with X-B3-* headers is continued, and its forecast carries X-B3-* (no traceparent)', async () => {
  const { app, sent } = await startApp();
  try {
    const traceId = 'a'.repeat(16) + 'b'.repeat(16);
    const parentSpan = 'c'.repeat(16);
    exporter.reset();
    // Kafka header names as an Istio/Envoy or Zipkin-instrumented producer writes them (any case is read).
    await app.pipeline.handle([tick(TEST_WINDOW - 1, { 'X-B3-TraceId': traceId, 'X-B3-SpanId': parentSpan, 'X-B3-Sampled': '1' })]);
    const spans = exporter.getFinishedSpans();
    const consume = spans.find((s) => s.name === 'tickcast.consume');
    const produce = spans.find((s) => s.name === 'tickcast.produce');
    assert.ok(consume && produce, `spans: ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(consume.spanContext().traceId, traceId, 'continues the B3 trace');
    assert.equal(consume.parentSpanContext?.spanId, parentSpan);
    const forecast = modelForecast(sent);
    assert.ok(forecast, `outputs: ${sent.map((m) => m.stream).join(', ')}`);
    assert.equal(String(forecast.headers['x-b3-traceid']), traceId);
    assert.equal(String(forecast.headers['x-b3-spanid']), produce.spanContext().spanId);
    assert.equal(String(forecast.headers['x-b3-sampled']), '1');
    assert.equal(forecast.headers.traceparent, undefined, 'W3C only when OTEL_PROPAGATORS asks for tracecontext');
  } finally {
    await app.stop();
  }
});
