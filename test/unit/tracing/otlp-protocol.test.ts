/**
 * OTLP wire format follows OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL (telemetry.otlpProtocol): the spec's
 * default http/protobuf, http/json, or grpc. Each case exports one span to a local server and reads
 * what arrived. Before 7 Dec 2026 every export was http/json whatever the variables said — a
 * collector addressed as grpc (:4317) got HTTP/1.1 JSON and every span was lost.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createH2Server, type IncomingHttpHeaders as H2Headers } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../../src/telemetry/tracing.ts';
import { createTraceExporter } from '../../../src/telemetry/otlp-exporter.ts';

/** An OTLP/HTTP receiver that records each request's path, content type and headers. */
async function httpReceiver(): Promise<{ url: string; got: Promise<IncomingHttpHeaders & { path: string }>; close(): void }> {
  let resolve!: (h: IncomingHttpHeaders & { path: string }) => void;
  const got = new Promise<IncomingHttpHeaders & { path: string }>((r) => (resolve = r));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      resolve({ ...req.headers, path: req.url ?? '' });
      res.writeHead(200, { 'content-type': req.headers['content-type'] ?? 'application/json' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, close: () => server.close() };
}

async function exportOneSpan(exporter: Awaited<ReturnType<typeof createTraceExporter>>): Promise<void> {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.getTracer('t').startSpan('one').end();
  await provider.forceFlush();
  await provider.shutdown();
}

test('default (no protocol set): startTracing exports http/protobuf to the OTLP/HTTP endpoint, with OTEL_EXPORTER_OTLP_HEADERS', async () => {
  const rx = await httpReceiver();
  process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-scope-orgid=tenant-7';
  const tracing = await startTracing({ serviceName: 'proto-test', otlpEndpoint: `${rx.url}/v1/traces` });
  after(() => tracing.shutdown());
  try {
    trace.getTracer('t').startSpan('one').end();
    await tracing.shutdown(); // flushes the batch
    const h = await rx.got;
    assert.equal(h.path, '/v1/traces');
    assert.equal(h['content-type'], 'application/x-protobuf', 'the OTLP default wire format');
    assert.equal(h['x-scope-orgid'], 'tenant-7', 'headers from OTEL_EXPORTER_OTLP_HEADERS');
  } finally {
    delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
    rx.close();
  }
});

test('http/json sends JSON', async () => {
  const rx = await httpReceiver();
  try {
    await exportOneSpan(await createTraceExporter('http/json', `${rx.url}/v1/traces`));
    assert.equal((await rx.got)['content-type'], 'application/json');
  } finally {
    rx.close();
  }
});

test('grpc calls the TraceService over HTTP/2 at the collector address', async () => {
  let resolve!: (h: H2Headers) => void;
  const got = new Promise<H2Headers>((r) => (resolve = r));
  const server = createH2Server();
  server.on('stream', (stream, headers) => {
    resolve(headers);
    stream.resume();
    stream.on('end', () => {
      // An empty ExportTraceServiceResponse: one uncompressed, zero-length gRPC message, status OK.
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.alloc(5));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await exportOneSpan(await createTraceExporter('grpc', `http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    const h = await got;
    assert.equal(h[':path'], '/opentelemetry.proto.collector.trace.v1.TraceService/Export');
    assert.equal(h['content-type'], 'application/grpc');
  } finally {
    server.close();
  }
});
