/**
 * W3C trace context across Kafka: the context of an incoming tick (its `traceparent` header) is
 * carried onto the forecast and alert records derived from it, so one trace follows a tick from
 * producer to consumer of the forecast. With tracing on (src/telemetry/tracing.ts), the active
 * span's context is injected instead.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import type { RawRecord } from '../domain/types.ts';
import { formatTraceparent, parseTraceparent } from './tracing.ts';

/** W3C: a tracestate of at most 512 characters, printable ASCII (list members `key=value`, commas, spaces). */
const TRACESTATE_OK = /^[\x20-\x7e]{0,512}$/;

export function traceHeadersFor(rec: RawRecord): Record<string, string> {
  const parent = propagation.extract(context.active(), rec.headers);
  const active = trace.getSpan(context.active());
  const ctx = active ? context.active() : parent;
  const out: Record<string, string> = {};
  propagation.inject(ctx, out);
  // No SDK registered → the no-op propagator writes nothing: pass the incoming context through —
  // only a valid one, as the SDK's propagator would. A producer's header is anything it likes: a
  // binary value (its bytes already altered by the UTF-8 read) or one of hundreds of kB, copied onto
  // every forecast and alert of the tick, made each output as large (past the producer's limit: an
  // output-too-large dead letter that keeps the trace headers, so still too large).
  const incoming = out.traceparent === undefined ? parseTraceparent(rec.headers.traceparent) : null;
  if (incoming !== null) {
    out.traceparent = formatTraceparent(incoming); // as the SDK writes it: lower case, version 00
    const state = rec.headers.tracestate;
    if (state !== undefined && TRACESTATE_OK.test(state)) out.tracestate = state;
  }
  return out;
}
