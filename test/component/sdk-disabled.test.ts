/**
 * OTEL_SDK_DISABLED=true (docs/metrics.md § Traces and logs): the SDK registers nothing — no
 * propagator either — and the outputs still carry the tick's incoming `traceparent` through, as
 * with tracing off. Its own file: the SDK starts once per process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_WINDOW } from '../helpers/app.ts';
import { modelForecast, tick, traceFromEnv } from '../helpers/tracing-env.ts';

const { exporter, startApp } = traceFromEnv({ OTEL_SDK_DISABLED: 'true' });

test('OTEL_SDK_DISABLED=true: the forecast carries the incoming traceparent through', async () => {
  const { app, sent } = await startApp();
  try {
    const traceparent = `00-${'d'.repeat(32)}-${'e'.repeat(16)}-01`;
    await app.pipeline.handle([tick(TEST_WINDOW - 1, { traceparent })]);
    const forecast = modelForecast(sent);
    assert.ok(forecast, `outputs: ${sent.map((m) => m.stream).join(', ')}`);
    assert.equal(String(forecast.headers.traceparent), traceparent);
    assert.deepEqual(exporter.getFinishedSpans(), [], 'no spans recorded');
  } finally {
    await app.stop();
  }
});
