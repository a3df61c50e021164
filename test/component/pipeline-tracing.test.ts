/**
 * Traces through the real pipeline with an in-memory exporter: the consume span continues the
 * tick's incoming W3C trace, window/inference/produce spans hang under it, and the forecast
 * record carries a traceparent of the same trace whose parent is the produce span.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../src/telemetry/tracing.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

test('consume → window → batch inference → produce spans, and traceparent on the forecast', async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = await startTracing({ serviceName: 'tickcast-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({}, { sink, source: idleSource, tracing: true });
  try {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentSpan = '00f067aa0ba902b7';
    const records: RawRecord[] = Array.from({ length: TEST_WINDOW }, (_, i) => ({
      key: Buffer.from('traced'),
      value: Buffer.from(JSON.stringify({ series: 'traced', ts: 1735689600000 + i * 1000, value: Math.sin(i) })),
      headers: (i === TEST_WINDOW - 1 ? { traceparent: `00-${traceId}-${parentSpan}-01` } : {}) as Record<string, string>,
      source: { topic: 'ticks', partition: 0, offset: String(i) },
      receivedAtMs: Date.now(),
    }));
    // Warm the window without the header, then send the traced tick alone.
    await app.pipeline.handle(records.slice(0, -1));
    exporter.reset();
    await app.pipeline.handle(records.slice(-1));
    const spans = exporter.getFinishedSpans();
    const byName = new Map(spans.map((s) => [s.name, s]));
    const consume = byName.get('tickcast.consume');
    assert.ok(consume, `spans: ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(consume.spanContext().traceId, traceId, 'continues the incoming trace');
    assert.equal(consume.parentSpanContext?.spanId, parentSpan);
    for (const name of ['tickcast.window', 'tickcast.batch_inference', 'tickcast.produce']) {
      const s = byName.get(name);
      assert.ok(s, `${name} recorded`);
      assert.equal(s.spanContext().traceId, traceId);
      assert.equal(s.parentSpanContext?.spanId, consume.spanContext().spanId, `${name} is a child of consume`);
    }
    // The model's forecast of the traced tick (the ticks before it got cold-start baseline forecasts).
    const forecast = sent.find((m) => m.stream === 'forecasts' && !JSON.parse(String(m.value)).model.startsWith('baseline:'));
    assert.ok(forecast, 'a forecast was produced');
    const tp = String(forecast.headers.traceparent);
    assert.match(tp, new RegExp(`^00-${traceId}-${byName.get('tickcast.produce')!.spanContext().spanId}-01$`));
  } finally {
    await app.stop();
    await tracing.shutdown();
  }
});
