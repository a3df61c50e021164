/**
 * Traces through the real pipeline with an in-memory exporter: the consume span continues the
 * tick's incoming W3C trace, window/inference/produce spans hang under it, and the forecast
 * record carries a traceparent of the same trace whose parent is the produce span. In a chunk of
 * ticks from several traces, each tick's outputs carry a context of that tick's own trace.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../src/telemetry/tracing.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

// One SDK for the file: the API's global tracer provider can be set once per process.
const exporter = new InMemorySpanExporter();
const tracingStarted = startTracing({ serviceName: 'tickcast-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
after(async () => (await tracingStarted).shutdown());

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

/** The app with tracing on, its outputs collected in `sent`; the exporter emptied. */
async function tracedApp(): Promise<{ app: Awaited<ReturnType<typeof startTestApp>>; sent: OutMessage[] }> {
  await tracingStarted;
  exporter.reset();
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  return { app: await startTestApp({}, { sink, source: idleSource, tracing: true }), sent };
}

test('consume → window → batch inference → produce spans, and traceparent on the forecast', async () => {
  const { app, sent } = await tracedApp();
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
  }
});

/** A tick record of `series` at step `i`, with `headers`. */
function tickRecord(series: string, i: number, offset: number, headers: Record<string, string> = {}): RawRecord {
  return {
    key: Buffer.from(series),
    value: Buffer.from(JSON.stringify({ series, ts: 1735689600000 + i * 1000, value: Math.sin(i) })),
    headers,
    source: { topic: 'ticks', partition: 0, offset: String(offset) },
    receivedAtMs: Date.now(),
  };
}

test("a chunk mixing traces: each tick's forecast continues that tick's trace, not the chunk's first", async () => {
  const { app, sent } = await tracedApp();
  try {
    const traces = { first: ['1'.repeat(32), '2'.repeat(16)], second: ['3'.repeat(32), '4'.repeat(16)] } as const;
    const warm = (series: string, base: number) => Array.from({ length: TEST_WINDOW - 1 }, (_, i) => tickRecord(series, i, base + i));
    await app.pipeline.handle([...warm('first', 0), ...warm('second', 100), ...warm('plain', 200)]);
    exporter.reset();
    sent.length = 0;
    const traced = (series: 'first' | 'second', offset: number) => tickRecord(series, TEST_WINDOW - 1, offset, { traceparent: `00-${traces[series][0]}-${traces[series][1]}-01` });
    await app.pipeline.handle([traced('first', 50), tickRecord('plain', TEST_WINDOW - 1, 250), traced('second', 150)]);
    const spans = exporter.getFinishedSpans();
    const consume = spans.find((s) => s.name === 'tickcast.consume')!;
    const produce = spans.find((s) => s.name === 'tickcast.produce')!;
    assert.equal(consume.spanContext().traceId, traces.first[0], "the chunk's spans continue its first traced record");
    const forecastOf = (series: string) => sent.find((m) => m.stream === 'forecasts' && JSON.parse(String(m.value)).series === series && !JSON.parse(String(m.value)).model.startsWith('baseline:'));
    // The first record's forecast: at the produce span, as before.
    assert.equal(String(forecastOf('first')?.headers.traceparent), `00-${traces.first[0]}-${produce.spanContext().spanId}-01`);
    // The second: a span of its own trace, child of its producer's span, linked to the chunk's consume span.
    const tp = String(forecastOf('second')?.headers.traceparent);
    assert.match(tp, new RegExp(`^00-${traces.second[0]}-[0-9a-f]{16}-01$`), "the second tick's forecast carries the second tick's trace");
    const create = spans.find((s) => s.spanContext().spanId === tp.split('-')[2]);
    assert.ok(create, `the span the forecast names was recorded; spans: ${spans.map((s) => s.name).join(', ')}`);
    assert.equal(create.name, 'tickcast.create');
    assert.equal(create.parentSpanContext?.spanId, traces.second[1]);
    assert.equal(create.attributes['messaging.operation.type'], 'create');
    assert.deepEqual(create.links.map((l) => l.context.spanId), [consume.spanContext().spanId]);
    // A tick without trace context: its outputs continue the chunk's trace at the produce span.
    assert.equal(String(forecastOf('plain')?.headers.traceparent), `00-${traces.first[0]}-${produce.spanContext().spanId}-01`);
  } finally {
    await app.stop();
  }
});

test("a dead letter keeps the refused tick's own trace context as it came; an untraced one gets the produce span's", async () => {
  const { app, sent } = await tracedApp();
  try {
    const own = `00-${'5'.repeat(32)}-${'6'.repeat(16)}-01`;
    const bad = (series: string, offset: number, headers: Record<string, string>): RawRecord => ({ ...tickRecord(series, 0, offset, headers), value: Buffer.from(JSON.stringify({ series, ts: 1735689600000, value: 'abc' })) });
    // The traced bad tick first: the chunk's spans continue its trace, the case where the produce span's context replaced it.
    await app.pipeline.handle([bad('a', 0, { traceparent: own, tracestate: 'vendor=x' }), bad('b', 1, {})]);
    const produce = exporter.getFinishedSpans().find((s) => s.name === 'tickcast.produce')!;
    const dlq = sent.filter((m) => m.stream === 'dlq');
    assert.equal(dlq.length, 2);
    assert.equal(String(dlq[0].headers.traceparent), own, 'the original record, with its own traceparent');
    assert.equal(String(dlq[0].headers.tracestate), 'vendor=x');
    assert.equal(String(dlq[1].headers.traceparent), `00-${'5'.repeat(32)}-${produce.spanContext().spanId}-01`, 'untraced: found under the produce span');
  } finally {
    await app.stop();
  }
});
