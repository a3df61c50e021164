/**
 * W3C trace context across Kafka: the context of an incoming tick (its `traceparent` header) is
 * carried onto the forecast and alert records derived from it, so one trace follows a tick from
 * producer to consumer of the forecast. With tracing on (src/telemetry/tracing.ts), the active
 * span's context is injected instead.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import type { RawRecord } from '../domain/types.ts';

export function traceHeadersFor(rec: RawRecord): Record<string, string> {
  const parent = propagation.extract(context.active(), rec.headers);
  const active = trace.getSpan(context.active());
  const ctx = active ? context.active() : parent;
  const out: Record<string, string> = {};
  propagation.inject(ctx, out);
  // No SDK registered → the no-op propagator writes nothing: pass the incoming context through.
  if (out.traceparent === undefined && rec.headers.traceparent !== undefined) {
    out.traceparent = rec.headers.traceparent;
    if (rec.headers.tracestate !== undefined) out.tracestate = rec.headers.tracestate;
  }
  return out;
}
