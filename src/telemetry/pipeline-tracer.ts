/**
 * OpenTelemetry spans for the stream pipeline: per chunk of records a CONSUMER span
 * `tickcast.consume` (child of the first record's incoming W3C context, linked to every other
 * record's), with `tickcast.window`, `tickcast.batch_inference` and a PRODUCER span
 * `tickcast.produce` under it. Output records carry the produce span's `traceparent` — those of a
 * tick from another trace than the chunk's first, its own `tickcast.create` span's (trace-headers.ts)
 * — so a forecast's consumer continues the same trace as the tick that caused it.
 */
import type { RawRecord } from '../domain/types.ts';
import type { PipelineTracer } from '../pipeline/ports.ts';
import { extractTraceContext, injectTraceContext, SpanKind, SpanNames, withSpan, withSpanSync, ROOT_CONTEXT, type Context } from './tracing.ts';
import { context as otelContext, trace } from '@opentelemetry/api';
import * as sc from './semconv.ts';

export interface PipelineTracerOptions {
  /** Kafka consumer group (messaging.consumer.group.name on consume spans). */
  consumerGroup?: string;
}

export class OtelPipelineTracer implements PipelineTracer {
  readonly #group: string | undefined;

  constructor(opts: PipelineTracerOptions = {}) {
    this.#group = opts.consumerGroup;
  }

  chunk<T>(records: RawRecord[], fn: () => Promise<T>): Promise<T> {
    const contexts: Context[] = [];
    let parent: Context = ROOT_CONTEXT;
    for (const r of records) {
      // Whatever OTEL_PROPAGATORS reads (traceparent, b3, uber-trace-id): a record with a valid context.
      const c = extractTraceContext(r.headers);
      if (!hasContext(c)) continue;
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
        // OTel messaging semantic conventions (consumer "process" span of a batch); partition and
        // offset are those of the chunk's first record.
        attributes: {
          [sc.ATTR_MESSAGING_SYSTEM]: sc.MESSAGING_SYSTEM_VALUE_KAFKA,
          [sc.ATTR_MESSAGING_OPERATION_TYPE]: sc.MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
          [sc.ATTR_MESSAGING_OPERATION_NAME]: 'process',
          [sc.ATTR_MESSAGING_DESTINATION_NAME]: first?.topic ?? '',
          ...(first ? { [sc.ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(first.partition), [sc.ATTR_KAFKA_OFFSET]: Number(first.offset) } : {}),
          ...(this.#group !== undefined ? { [sc.ATTR_MESSAGING_CONSUMER_GROUP_NAME]: this.#group } : {}),
          [sc.ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: records.length,
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

  produce<T>(messages: number, fn: (inject: (headers: Record<string, string | Buffer | Buffer[]>, deadLetter?: boolean) => void) => Promise<T>): Promise<T> {
    const attributes = {
      [sc.ATTR_MESSAGING_SYSTEM]: sc.MESSAGING_SYSTEM_VALUE_KAFKA,
      [sc.ATTR_MESSAGING_OPERATION_TYPE]: sc.MESSAGING_OPERATION_TYPE_VALUE_SEND,
      [sc.ATTR_MESSAGING_OPERATION_NAME]: 'send',
      [sc.ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: messages,
    };
    return withSpan(SpanNames.produce, { kind: SpanKind.PRODUCER, attributes }, (span) => {
      const ctx = trace.setSpan(otelContext.active(), span);
      const traceId = span.spanContext().traceId;
      return fn((headers, deadLetter) => {
        // An output of a tick from another trace keeps its own context (trace-headers.ts `tickcast.create`);
        // a dead letter, the refused record itself, keeps any valid context it came with.
        const own = trace.getSpanContext(extractTraceContext(headers));
        if (own !== undefined && trace.isSpanContextValid(own) && (deadLetter === true || own.traceId !== traceId)) return;
        injectTraceContext(headers, ctx);
      });
    });
  }
}

function hasContext(ctx: Context): boolean {
  const sc = trace.getSpanContext(ctx);
  return sc !== undefined && trace.isSpanContextValid(sc);
}
