/**
 * Trace context <-> Kafka-style headers (`Record<string, string | Buffer>`) and HTTP headers: pure
 * functions, no kafkajs import, so the Kafka adapter and the pipeline can both call them.
 */
import { context as otelContext, propagation, ROOT_CONTEXT, trace, TraceFlags, type Context, type SpanContext, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

// ------------------------------------------------------------------------------------------------
// W3C trace context in Kafka-style headers
// ------------------------------------------------------------------------------------------------

export type TraceHeaders = Record<string, string | Buffer | (string | Buffer)[] | undefined>;

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
const TRACEPARENT_RE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

function headerValue(headers: TraceHeaders, name: string): string | undefined {
  let v = headers[name];
  if (v === undefined) {
    // Kafka header names are case-sensitive; W3C says lower case, but be lenient on read.
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    v = key === undefined ? undefined : headers[key];
  }
  if (Array.isArray(v)) v = v[0];
  if (v === undefined) return undefined;
  return (typeof v === 'string' ? v : v.toString('latin1')).trim();
}

/** Parse a `traceparent` value; null when absent or invalid (per W3C Trace Context level 1). */
export function parseTraceparent(value: string | undefined, tracestate?: string): SpanContext | null {
  if (value === undefined) return null;
  const m = TRACEPARENT_RE.exec(value.trim().toLowerCase());
  if (m === null) return null;
  const [, version, traceId, spanId, flags, rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return null;
  const sc: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true };
  if (tracestate !== undefined && tracestate !== '') {
    sc.traceState = parseTraceState(tracestate);
  }
  return sc;
}

export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
}

/** A minimal TraceState that round-trips the header text unchanged (we never edit it). */
function parseTraceState(raw: string): NonNullable<SpanContext['traceState']> {
  const text = raw.slice(0, 512);
  const entries = new Map(
    text
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p.includes('='))
      .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)] as const),
  );
  const make = (m: Map<string, string>): NonNullable<SpanContext['traceState']> => ({
    get: (k) => m.get(k),
    set: (k, v) => make(new Map([[k, v], ...[...m].filter(([kk]) => kk !== k)])),
    unset: (k) => make(new Map([...m].filter(([kk]) => kk !== k))),
    serialize: () => [...m].map(([k, v]) => `${k}=${v}`).join(','),
  });
  return make(entries);
}

/**
 * While the SDK runs, trace context goes through the propagator it set from OTEL_PROPAGATORS
 * (default tracecontext,baggage; b3, b3multi, jaeger, none — checked in src/config/otel-env.ts).
 * Before it starts (tracing off, unit tests) the W3C code below, which no propagator setting
 * reaches: with tracing off only `traceparent`/`tracestate` pass through (trace-headers.ts).
 * Before 7 Dec 2026 it was W3C only whatever OTEL_PROPAGATORS said. One flag for the process, as
 * the API's global propagator it stands for.
 */
let sdkPropagation = false;

/** Called by startTracing once the SDK has set the global propagator, and after its shutdown. */
export function useSdkPropagation(on: boolean): void {
  sdkPropagation = on;
}

/** Kafka-style (or HTTP) headers as a propagator's carrier: any case on read, Buffers as text. */
const HEADER_GETTER: TextMapGetter<TraceHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => headerValue(headers, key.toLowerCase()),
};
const HEADER_SETTER: TextMapSetter<Record<string, string | Buffer | Buffer[]>> = {
  set: (headers, key, value) => void (headers[key] = value),
};

/**
 * Read the trace context from record (or HTTP) headers into an OpenTelemetry Context whose
 * parent is the remote span. Returns `base` unchanged when there is no valid context.
 */
export function extractTraceContext(headers: TraceHeaders, base: Context = ROOT_CONTEXT): Context {
  if (sdkPropagation) return propagation.extract(base, headers, HEADER_GETTER);
  const sc = parseTraceparent(headerValue(headers, TRACEPARENT), headerValue(headers, TRACESTATE));
  return sc === null ? base : trace.setSpanContext(base, sc);
}

/**
 * Write the span context of `ctx` (default: the active context) into `headers` (mutated and
 * returned): through the SDK's propagator while it runs, else as `traceparent`/`tracestate`. Does
 * nothing when there is no valid span context, so records produced with tracing off carry no trace headers.
 */
export function injectTraceContext<H extends Record<string, string | Buffer | Buffer[]>>(headers: H, ctx: Context = otelContext.active()): H {
  const sc = trace.getSpanContext(ctx);
  if (sc === undefined || !trace.isSpanContextValid(sc)) return headers;
  if (sdkPropagation) {
    propagation.inject(ctx, headers, HEADER_SETTER);
    return headers;
  }
  (headers as Record<string, string | Buffer | Buffer[]>)[TRACEPARENT] = formatTraceparent(sc);
  const ts = sc.traceState?.serialize();
  if (ts) (headers as Record<string, string | Buffer | Buffer[]>)[TRACESTATE] = ts;
  return headers;
}
