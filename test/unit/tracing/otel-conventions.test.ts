/**
 * OpenTelemetry conventions: messaging attributes from the current semantic conventions on the
 * pipeline's consume/produce spans, the resource (service.name, service.version = package.json,
 * OTEL_RESOURCE_ATTRIBUTES), and trace/span ids on log lines written inside a span.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import * as sc from '../../../src/telemetry/semconv.ts';
import { startTracing, withSpan } from '../../../src/telemetry/tracing.ts';
import { OtelPipelineTracer } from '../../../src/telemetry/pipeline-tracer.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import type { RawRecord } from '../../../src/domain/types.ts';

const pkgVersion = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const exporter = new InMemorySpanExporter();
const handlePromise = startTracing({
  serviceName: 'tickcast-conv',
  resourceAttributes: { 'deployment.environment.name': 'staging', 'service.name': 'overridden-by-serviceName' },
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
after(async () => (await handlePromise).shutdown());

test('the copied messaging convention names equal the installed @opentelemetry/semantic-conventions', () => {
  const pkg = incubating as unknown as Record<string, string>;
  for (const [name, value] of Object.entries(sc)) {
    assert.equal(pkg[name], value, `${name} differs from the package (rename it here and in docs/metrics.md)`);
  }
  assert.equal(sc.ATTR_SERVICE_NAME, 'service.name');
});

test('consume and produce spans carry messaging.* attributes of the current conventions (no deprecated names)', async () => {
  await handlePromise;
  exporter.reset();
  const tracer = new OtelPipelineTracer({ consumerGroup: 'tickcast-g' });
  const records: RawRecord[] = [0, 1, 2].map((i) => ({
    key: null,
    value: Buffer.from('{}'),
    headers: {},
    receivedAtMs: 0,
    source: { topic: 'ticks', partition: 5, offset: String(40 + i) },
  })) as unknown as RawRecord[];
  await tracer.chunk(records, () => tracer.produce(2, async () => undefined));
  const spans = exporter.getFinishedSpans();
  const consume = spans.find((s) => s.name === 'tickcast.consume')!;
  const produce = spans.find((s) => s.name === 'tickcast.produce')!;
  assert.deepEqual(
    { ...consume.attributes },
    {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'ticks',
      'messaging.destination.partition.id': '5',
      'kafka.offset': 40,
      'messaging.consumer.group.name': 'tickcast-g',
      'messaging.batch.message_count': 3,
    },
  );
  assert.deepEqual({ ...produce.attributes }, { 'messaging.system': 'kafka', 'messaging.operation.type': 'send', 'messaging.operation.name': 'send', 'messaging.batch.message_count': 2 });
  assert.equal(produce.parentSpanContext?.spanId, consume.spanContext().spanId);
});

test('resource: service.name, service.version from package.json, OTEL_RESOURCE_ATTRIBUTES entries and telemetry.sdk.*', async () => {
  await handlePromise;
  exporter.reset();
  await withSpan('probe', {}, async () => undefined);
  const [span] = exporter.getFinishedSpans();
  const attrs = span.resource.attributes;
  assert.equal(attrs['service.name'], 'tickcast-conv', 'service name from config wins over the attribute list');
  assert.equal(attrs['service.version'], pkgVersion);
  assert.equal(attrs['deployment.environment.name'], 'staging');
  // The SDK's own attributes, which the resource conventions require of every SDK (backends group by telemetry.sdk.language).
  assert.deepEqual([attrs['telemetry.sdk.language'], attrs['telemetry.sdk.name'], typeof attrs['telemetry.sdk.version']], ['nodejs', 'opentelemetry', 'string']);
});

test('log lines inside a span carry trace_id/span_id/trace_flags of that span; outside, none', async () => {
  await handlePromise;
  const lines: Array<Record<string, unknown>> = [];
  const dest = new Writable({
    write(chunk, _e, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  const log = createLogger({ level: 'info', name: 't', destination: dest }).child({ module: 'x' });
  exporter.reset();
  log.info('before');
  await withSpan('work', {}, async () => log.info('inside'));
  log.info('after');
  await new Promise((r) => setImmediate(r));
  const span = exporter.getFinishedSpans().find((s) => s.name === 'work')!;
  const inside = lines.find((l) => l.msg === 'inside')!;
  assert.equal(inside.trace_id, span.spanContext().traceId);
  assert.equal(inside.span_id, span.spanContext().spanId);
  assert.equal(inside.trace_flags, '01');
  for (const m of ['before', 'after']) assert.equal(lines.find((l) => l.msg === m)!.trace_id, undefined, m);
});
