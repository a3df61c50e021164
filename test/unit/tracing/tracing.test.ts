import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  activeContext,
  consumeSpan,
  extractTraceContext,
  formatTraceparent,
  inferenceSpan,
  injectTraceContext,
  parseTraceparent,
  produceSpan,
  ROOT_CONTEXT,
  startTracing,
  windowSpan,
} from '../../../src/telemetry/tracing.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

test('traceparent parsing follows W3C: valid forms accepted, malformed/zero/ff rejected, round-trips', () => {
  const sc = parseTraceparent(`00-${TRACE}-${PARENT}-01`);
  assert.deepEqual(sc && { t: sc.traceId, s: sc.spanId, f: sc.traceFlags, r: sc.isRemote }, { t: TRACE, s: PARENT, f: 1, r: true });
  assert.equal(formatTraceparent(sc!), `00-${TRACE}-${PARENT}-01`);
  assert.equal(parseTraceparent(`00-${TRACE.toUpperCase()}-${PARENT}-00`)?.traceFlags, 0);
  assert.ok(parseTraceparent(`01-${TRACE}-${PARENT}-01-future-part`), 'future versions may append fields');
  for (const bad of [
    undefined,
    '',
    'garbage',
    `ff-${TRACE}-${PARENT}-01`,
    `00-${'0'.repeat(32)}-${PARENT}-01`,
    `00-${TRACE}-${'0'.repeat(16)}-01`,
    `00-${TRACE}-${PARENT}-01-extra`,
    `00-${TRACE.slice(1)}-${PARENT}-01`,
    `00-${TRACE}-${PARENT}-1`,
  ]) {
    assert.equal(parseTraceparent(bad), null, String(bad));
  }
});

test('header helpers: Kafka-style headers (Buffer or string, any case) in; nothing written when there is no span', () => {
  const fromBuffer = extractTraceContext({ traceparent: Buffer.from(`00-${TRACE}-${PARENT}-01`), tracestate: Buffer.from('vendor=abc') });
  const out = injectTraceContext({} as Record<string, string | Buffer>, fromBuffer);
  assert.equal(out.traceparent, `00-${TRACE}-${PARENT}-01`);
  assert.equal(out.tracestate, 'vendor=abc');
  const mixedCase = extractTraceContext({ TraceParent: `00-${TRACE}-${PARENT}-01` });
  assert.equal(injectTraceContext({} as Record<string, string>, mixedCase).traceparent, `00-${TRACE}-${PARENT}-01`);
  assert.equal(extractTraceContext({ traceparent: 'nope' }), ROOT_CONTEXT);
  assert.deepEqual(injectTraceContext({ a: 'b' }, ROOT_CONTEXT), { a: 'b' });
});

test('startTracing is off by default (no exporter configured)', async () => {
  const h = await startTracing({});
  assert.equal(h.enabled, false);
  await h.shutdown();
});

const exporter = new InMemorySpanExporter();
let handle: Awaited<ReturnType<typeof startTracing>> | null = null;
after(async () => {
  await handle?.shutdown();
});

test('span tree consume → window, consume → produce, inference linked to the records; traceparent propagates to output headers', async () => {
  handle = await startTracing({ serviceName: 'tickcast-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  assert.equal(handle.enabled, true);
  exporter.reset();
  const incoming = { traceparent: Buffer.from(`00-${TRACE}-${PARENT}-01`) };
  const outHeaders: Record<string, string | Buffer> = { 'content-type': 'application/json' };
  const other = { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` };
  const contexts: ReturnType<typeof activeContext>[] = [];

  await consumeSpan(incoming, { 'messaging.kafka.partition': 3 }, async () => {
    windowSpan({ 'tickcast.series': 'AAPL' }, () => 42);
    contexts.push(activeContext());
  });
  await consumeSpan(other, {}, async () => {
    contexts.push(activeContext());
  });
  const y = await inferenceSpan(contexts, { 'tickcast.model': 'v1' }, async () => [1, 2, 3]);
  assert.deepEqual(y, [1, 2, 3]);
  await produceSpan(contexts[0], { 'messaging.destination.name': 'forecasts' }, (inject) => {
    inject(outHeaders);
  });
  await assert.rejects(
    produceSpan(contexts[0], {}, () => {
      throw new Error('broker down');
    }),
    /broker down/,
  );

  const spans = exporter.getFinishedSpans();
  const byName = (n: string) => spans.filter((s) => s.name === n);
  const [consume, consume2] = byName('tickcast.consume');
  const [win] = byName('tickcast.window');
  const [inf] = byName('tickcast.batch_inference');
  const [produce, failedProduce] = byName('tickcast.produce');

  assert.equal(consume.spanContext().traceId, TRACE, 'consume continues the producer trace');
  assert.equal(consume.parentSpanContext?.spanId, PARENT);
  assert.equal(consume.attributes['messaging.kafka.partition'], 3);
  assert.equal(consume2.spanContext().traceId, 'a'.repeat(32));
  assert.equal(win.parentSpanContext?.spanId, consume.spanContext().spanId);
  assert.equal(win.spanContext().traceId, TRACE);
  assert.equal(produce.parentSpanContext?.spanId, consume.spanContext().spanId);

  assert.equal(inf.parentSpanContext, undefined, 'a micro-batch is a root span...');
  assert.deepEqual(
    inf.links.map((l) => l.context.spanId).sort(),
    [consume.spanContext().spanId, consume2.spanContext().spanId].sort(),
    '...linked to every record in it',
  );
  assert.equal(inf.attributes['tickcast.batch.size'], 2);

  assert.equal(outHeaders.traceparent, `00-${TRACE}-${produce.spanContext().spanId}-01`, 'output record continues the trace at the produce span');
  assert.equal(outHeaders['content-type'], 'application/json');
  assert.equal(failedProduce.status.code, 2 /* ERROR */);
  assert.equal(failedProduce.events[0]?.name, 'exception');
});

test('HTTP requests get a server span continuing an incoming traceparent', async () => {
  exporter.reset();
  const { build } = await import('../http/support/build.ts');
  const { app } = await build();
  try {
    const r = await app.inject({ method: 'POST', url: '/v1/predict', payload: { window: [1, 2, 3] }, headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
    assert.equal(r.statusCode, 200);
    await new Promise((res) => setImmediate(res));
    // HTTP semantic conventions (stable): name `{method} {http.route}`; url.path and url.scheme required.
    const http = exporter.getFinishedSpans().find((s) => s.name === 'POST /v1/predict');
    assert.ok(http, exporter.getFinishedSpans().map((s) => s.name).join(','));
    assert.equal(http.spanContext().traceId, TRACE);
    assert.equal(http.parentSpanContext?.spanId, PARENT);
    assert.deepEqual(
      { ...http.attributes },
      { 'http.request.method': 'POST', 'http.route': '/v1/predict', 'url.path': '/v1/predict', 'url.scheme': 'http', 'network.protocol.version': '1.1', 'http.response.status_code': 200 },
    );
    assert.equal(http.kind, 1 /* SERVER */);
    // No route matched: the name is the method alone and there is no http.route; a 5xx would be an error, a 404 is not.
    exporter.reset();
    assert.equal((await app.inject({ method: 'GET', url: '/no/such/path?key=secret' })).statusCode, 404);
    await new Promise((res) => setImmediate(res));
    const unmatched = exporter.getFinishedSpans().find((s) => s.kind === 1);
    assert.equal(unmatched?.name, 'GET', exporter.getFinishedSpans().map((s) => s.name).join(','));
    assert.equal(unmatched.attributes['http.route'], undefined);
    assert.equal(unmatched.attributes['url.path'], '/no/such/path', 'the query (it may hold secrets) is not recorded');
    assert.equal(unmatched.status.code, 0 /* UNSET */);
  } finally {
    await app.close();
  }
});
