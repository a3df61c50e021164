/**
 * The carrier headers the propagators OTEL_PROPAGATORS may choose (src/config/otel-env.ts) read and
 * write: W3C trace context and baggage, B3 single and multi, Jaeger (`uber-trace-id`, and its
 * baggage as `uberctx-<key>`, one header per key). One list for every place that must let them
 * through: the Kafka dead letter for an oversized output, the CORS preflight answer.
 */

/** Fixed header names, lower case. */
export const PROPAGATOR_HEADERS = [
  'traceparent',
  'tracestate',
  'baggage',
  'b3',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
  'uber-trace-id',
] as const;

/** Jaeger baggage: a header per item, named by this prefix and the item's key. */
export const JAEGER_BAGGAGE_PREFIX = 'uberctx-';

/** True for a header one of the propagators reads or writes (any case). */
export function isPropagatorHeader(name: string): boolean {
  const n = name.toLowerCase();
  return (PROPAGATOR_HEADERS as readonly string[]).includes(n) || (n.startsWith(JAEGER_BAGGAGE_PREFIX) && n.length > JAEGER_BAGGAGE_PREFIX.length);
}
