/**
 * OTEL_SDK_DISABLED=true (docs/metrics.md § Traces and logs): the SDK registers nothing — no
 * propagator either — and the outputs still carry the tick's incoming `traceparent` through, as
 * with tracing off. Its own file: the SDK starts once per process.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../src/telemetry/tracing.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

process.env.OTEL_SDK_DISABLED = 'true';
const exporter = new InMemorySpanExporter();
const tracingStarted = startTracing({ serviceName: 'tickcast-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
after(async () => (await tracingStarted).shutdown());

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

function tick(i: number, headers: Record<string, string> = {}): RawRecord {
  return {
    key: Buffer.from('b3'),
    value: Buffer.from(JSON.stringify({ series: 'b3', ts: 1735689600000 + i * 1000, value: Math.sin(i) })),
    headers,
    source: { topic: 'ticks', partition: 0, offset: String(i) },
    receivedAtMs: Date.now(),
  };
}

test('OTEL_SDK_DISABLED=true: the forecast carries the incoming traceparent through', async () => {
  await tracingStarted;
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({}, { sink, source: idleSource, tracing: true });
  try {
    const traceparent = `00-${'d'.repeat(32)}-${'e'.repeat(16)}-01`;
    await app.pipeline.handle(Array.from({ length: TEST_WINDOW - 1 }, (_, i) => tick(i)));
    sent.length = 0;
    await app.pipeline.handle([tick(TEST_WINDOW - 1, { traceparent })]);
    const forecast = sent.find((m) => m.stream === 'forecasts' && !JSON.parse(String(m.value)).model.startsWith('baseline:'));
    assert.ok(forecast, `outputs: ${sent.map((m) => m.stream).join(', ')}`);
    assert.equal(String(forecast.headers.traceparent), traceparent);
    assert.deepEqual(exporter.getFinishedSpans(), [], 'no spans recorded');
  } finally {
    await app.stop();
  }
});
