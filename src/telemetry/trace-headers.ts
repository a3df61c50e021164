/**
 * W3C trace context across Kafka: the context of an incoming tick (its `traceparent` header) is
 * carried onto the forecast and alert records derived from it, so one trace follows a tick from
 * producer to consumer of the forecast.
 *
 * With tracing on (src/telemetry/tracing.ts) a chunk's spans continue the trace of its first traced
 * record, and its outputs get the produce span's context (pipeline-tracer.ts). A tick of another
 * trace in the same chunk gets a span of its own instead, `tickcast.create` (PRODUCER, messaging
 * operation type `create`, as the messaging conventions ask of messages sent in a batch): a child
 * of that tick's producer span, linked to the chunk's consume span, and its outputs carry it — so a
 * forecast's consumer continues the trace of the tick that caused it, not of whichever tick came
 * first in the chunk. Before 7 Dec 2026 every output of a chunk carried the first record's trace.
 */
import { context, trace, type Span } from '@opentelemetry/api';
import type { RawRecord } from '../domain/types.ts';
import { extractTraceContext, formatTraceparent, injectTraceContext, parseTraceparent, SpanKind, SpanNames, tracer } from './tracing.ts';
import * as sc from './semconv.ts';

/** W3C: a tracestate of at most 512 characters, printable ASCII (list members `key=value`, commas, spaces). */
const TRACESTATE_OK = /^[\x20-\x7e]{0,512}$/;

/** The headers of a record's outputs while tracing is on: one `tickcast.create` span per tick of a foreign trace. */
const created = new WeakMap<RawRecord, Record<string, string>>();

export function traceHeadersFor(rec: RawRecord): Record<string, string> {
  const active = trace.getSpan(context.active());
  if (active !== undefined) return { ...tracedOutputHeaders(rec, active) };
  // Tracing off: pass the incoming context through — only a valid one, as the SDK's propagator
  // would. A producer's header is anything it likes: a binary value (its bytes already altered by
  // the UTF-8 read) or one of hundreds of kB, copied onto every forecast and alert of the tick, made
  // each output as large (past the producer's limit: an output-too-large dead letter that keeps the
  // trace headers, so still too large).
  const out: Record<string, string> = {};
  const incoming = parseTraceparent(rec.headers.traceparent);
  if (incoming !== null) {
    out.traceparent = formatTraceparent(incoming); // as the SDK writes it: lower case, version 00
    const state = rec.headers.tracestate;
    if (state !== undefined && TRACESTATE_OK.test(state)) out.tracestate = state;
  }
  return out;
}

/** Empty (the produce span's context goes in) unless the tick comes from another trace than the chunk's spans. */
function tracedOutputHeaders(rec: RawRecord, active: Span): Record<string, string> {
  // Through the propagator OTEL_PROPAGATORS chose (tracing.ts), so b3 or jaeger context works too.
  const state = rec.headers.tracestate;
  const parent = extractTraceContext({ ...rec.headers, tracestate: state !== undefined && TRACESTATE_OK.test(state) ? state : undefined });
  const incoming = trace.getSpanContext(parent);
  if (incoming === undefined || !trace.isSpanContextValid(incoming) || incoming.traceId === active.spanContext().traceId) return {};
  let headers = created.get(rec);
  if (headers === undefined) {
    const span = tracer().startSpan(
      SpanNames.create,
      {
        kind: SpanKind.PRODUCER,
        links: [{ context: active.spanContext() }],
        attributes: {
          [sc.ATTR_MESSAGING_SYSTEM]: sc.MESSAGING_SYSTEM_VALUE_KAFKA,
          [sc.ATTR_MESSAGING_OPERATION_TYPE]: sc.MESSAGING_OPERATION_TYPE_VALUE_CREATE,
          [sc.ATTR_MESSAGING_OPERATION_NAME]: 'create',
        },
      },
      parent,
    );
    span.end();
    headers = injectTraceContext<Record<string, string>>({}, trace.setSpan(parent, span));
    created.set(rec, headers);
  }
  return headers;
}
