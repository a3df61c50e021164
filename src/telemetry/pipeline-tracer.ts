/**
 * OpenTelemetry spans for the stream pipeline: per chunk of records a CONSUMER span
 * `tickcast.consume` (child of the first record's incoming W3C context, linked to every other
 * record's), with `tickcast.window`, `tickcast.batch_inference` and a PRODUCER span
 * `tickcast.produce` under it. Output records carry the produce span's `traceparent`, so a
 * forecast's consumer continues the same trace as the tick that caused it.
 */
import type { RawRecord } from '../domain/types.ts';
import type { PipelineTracer } from '../pipeline/ports.ts';
import { extractTraceContext, injectTraceContext, SpanKind, SpanNames, withSpan, withSpanSync, ROOT_CONTEXT, type Context } from './tracing.ts';
import { context as otelContext, trace } from '@opentelemetry/api';

export class OtelPipelineTracer implements PipelineTracer {
  chunk<T>(records: RawRecord[], fn: () => Promise<T>): Promise<T> {
    const contexts: Context[] = [];
    let parent: Context = ROOT_CONTEXT;
    for (const r of records) {
      if (r.headers.traceparent === undefined) continue;
      const c = extractTraceContext(r.headers);
      if (parent === ROOT_CONTEXT) parent = c;
      else contexts.push(c);
    }
    const first = records[0]?.source;
    return withSpan(
      SpanNames.consume,
      {
        parent,
        links: contexts,
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation': 'process',
          'messaging.destination.name': first?.topic ?? '',
          'messaging.kafka.destination.partition': first?.partition ?? -1,
          'messaging.kafka.message.offset': first ? Number(first.offset) : -1,
          'messaging.batch.message_count': records.length,
        },
      },
      () => fn(),
    );
  }

  window<T>(records: number, fn: () => T): T {
    return withSpanSync(SpanNames.window, { attributes: { 'tickcast.records': records } }, () => fn());
  }

  inference<T>(windows: number, fn: () => Promise<T>): Promise<T> {
    return withSpan(SpanNames.inference, { attributes: { 'tickcast.windows': windows } }, () => fn());
  }

  produce<T>(messages: number, fn: (inject: (headers: Record<string, string | Buffer>) => void) => Promise<T>): Promise<T> {
    return withSpan(SpanNames.produce, { kind: SpanKind.PRODUCER, attributes: { 'messaging.batch.message_count': messages } }, (span) => {
      const ctx = trace.setSpan(otelContext.active(), span);
      return fn((headers) => {
        injectTraceContext(headers, ctx);
      });
    });
  }
}
