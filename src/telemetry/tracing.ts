/**
 * OpenTelemetry for tickcast. Import and call `startTracing()` from main.ts before anything else
 * so the global tracer provider and the async context manager exist before other modules create
 * spans. Off by default: without an OTLP endpoint (or span processors passed by a test) nothing is
 * registered and every span below is the API's no-op span, which costs a few allocations.
 *
 * Two further parts, usable whether or not tracing is on:
 * - W3C trace context <-> Kafka-style headers (`Record<string, string | Buffer>`): pure functions,
 *   no kafkajs import, so the Kafka adapter and the pipeline can both call them.
 * - Span helpers for the streaming path, consume → window → batch inference → produce, and for HTTP.
 *   A micro-batch mixes records of many traces, so the inference span is a root span with one
 *   *link* per record context rather than a child of any one of them.
 */
import {
  context as otelContext,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api';
import { BUILD_INFO } from './build-info.ts';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from './semconv.ts';
import { createTraceExporter, type OtlpProtocol } from './otlp-exporter.ts';

// ------------------------------------------------------------------------------------------------
// SDK setup
// ------------------------------------------------------------------------------------------------

export interface TracingOptions {
  serviceName?: string;
  /** Default: the package version (BUILD_INFO). */
  serviceVersion?: string;
  /** More resource attributes (OTEL_RESOURCE_ATTRIBUTES); service.name/version above win. */
  resourceAttributes?: Record<string, string>;
  /** OTLP traces endpoint, e.g. http://otel-collector:4318/v1/traces (gRPC: …:4317). Unset = tracing off. */
  otlpEndpoint?: string;
  /** Its wire format (telemetry.otlpProtocol); default http/protobuf. Headers etc.: OTEL_EXPORTER_OTLP_* (otlp-exporter.ts). */
  otlpProtocol?: OtlpProtocol;
  /** Span processors to register instead of/in addition to OTLP (tests use an in-memory exporter). */
  spanProcessors?: unknown[];
}

export interface TracingHandle {
  readonly enabled: boolean;
  /** Flush and stop; safe to call twice (returns the same promise). */
  shutdown(): Promise<void>;
}

/**
 * Start the OpenTelemetry Node SDK when an exporter is configured. Only traces are set up: metrics
 * stay with prom-client (/metrics) and logs with pino, so the SDK's env-driven metric and log
 * exporters are switched off explicitly.
 */
export async function startTracing(opts: TracingOptions = {}): Promise<TracingHandle> {
  const processors: unknown[] = [...(opts.spanProcessors ?? [])];
  if (opts.otlpEndpoint === undefined && processors.length === 0) {
    return { enabled: false, shutdown: () => Promise.resolve() };
  }
  const [{ NodeSDK }, { BatchSpanProcessor }, { defaultResource, resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
  ]);
  if (opts.otlpEndpoint !== undefined) {
    processors.push(new BatchSpanProcessor(await createTraceExporter(opts.otlpProtocol ?? 'http/protobuf', opts.otlpEndpoint)));
  }
  const sdk = new NodeSDK({
    // The SDK's telemetry.sdk.* (required of every SDK by the resource conventions) under ours.
    resource: defaultResource().merge(resourceFromAttributes(resourceAttributes(opts))),
    autoDetectResources: false,
    spanProcessors: processors as never,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  let stopping: Promise<void> | null = null;
  return {
    enabled: true,
    shutdown: () => (stopping ??= sdk.shutdown()),
  };
}

/** The OTel resource: OTEL_RESOURCE_ATTRIBUTES, then service.name and service.version on top. */
export function resourceAttributes(opts: Pick<TracingOptions, 'serviceName' | 'serviceVersion' | 'resourceAttributes'>): Attributes {
  return {
    ...(opts.resourceAttributes ?? {}),
    [ATTR_SERVICE_NAME]: opts.serviceName ?? 'tickcast',
    [ATTR_SERVICE_VERSION]: opts.serviceVersion ?? BUILD_INFO.version,
  };
}

export function tracer(): Tracer {
  return trace.getTracer('tickcast');
}

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
 * Read the W3C trace context from record (or HTTP) headers into an OpenTelemetry Context whose
 * parent is the remote span. Returns `base` unchanged when there is no valid traceparent.
 */
export function extractTraceContext(headers: TraceHeaders, base: Context = ROOT_CONTEXT): Context {
  const sc = parseTraceparent(headerValue(headers, TRACEPARENT), headerValue(headers, TRACESTATE));
  return sc === null ? base : trace.setSpanContext(base, sc);
}

/**
 * Write the span context of `ctx` (default: the active context) as `traceparent`/`tracestate`
 * into `headers` (mutated and returned). Does nothing when there is no valid span context, so
 * records produced with tracing off carry no trace headers.
 */
export function injectTraceContext<H extends Record<string, string | Buffer | Buffer[]>>(headers: H, ctx: Context = otelContext.active()): H {
  const sc = trace.getSpanContext(ctx);
  if (sc === undefined || !trace.isSpanContextValid(sc)) return headers;
  (headers as Record<string, string | Buffer | Buffer[]>)[TRACEPARENT] = formatTraceparent(sc);
  const ts = sc.traceState?.serialize();
  if (ts) (headers as Record<string, string | Buffer | Buffer[]>)[TRACESTATE] = ts;
  return headers;
}

// ------------------------------------------------------------------------------------------------
// Span helpers
// ------------------------------------------------------------------------------------------------

export const SpanNames = {
  consume: 'tickcast.consume',
  window: 'tickcast.window',
  inference: 'tickcast.batch_inference',
  produce: 'tickcast.produce',
  /** One per tick of another trace than its chunk's: its outputs' context (trace-headers.ts). */
  create: 'tickcast.create',
} as const;

export interface SpanOptions {
  /** Parent context; default: the active context. */
  parent?: Context;
  /** Contexts to link (e.g. every record in a micro-batch). Invalid ones are skipped. */
  links?: Context[];
  attributes?: Attributes;
  kind?: SpanKind;
}

function startSpan(name: string, opts: SpanOptions): { span: Span; ctx: Context } {
  const parent = opts.parent ?? otelContext.active();
  const links: Link[] = [];
  for (const c of opts.links ?? []) {
    const sc = trace.getSpanContext(c);
    if (sc !== undefined && trace.isSpanContextValid(sc)) links.push({ context: sc });
  }
  const span = tracer().startSpan(name, { kind: opts.kind ?? SpanKind.INTERNAL, attributes: opts.attributes, links }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

function fail(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : new Error(String(err)));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** Run `fn` inside a new span (active while it runs); records errors; always ends the span. */
export async function withSpan<T>(name: string, opts: SpanOptions, fn: (span: Span) => Promise<T> | T): Promise<T> {
  const { span, ctx } = startSpan(name, opts);
  try {
    return await otelContext.with(ctx, () => fn(span));
  } catch (err) {
    fail(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Synchronous variant for hot paths (window update) where an await would cost a tick. */
export function withSpanSync<T>(name: string, opts: SpanOptions, fn: (span: Span) => T): T {
  const { span, ctx } = startSpan(name, opts);
  try {
    return otelContext.with(ctx, () => fn(span));
  } catch (err) {
    fail(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** Consume span for one input record: child of the trace in its headers (a new trace when none). */
export function consumeSpan<T>(headers: TraceHeaders, attributes: Attributes, fn: (span: Span) => Promise<T> | T): Promise<T> {
  return withSpan(SpanNames.consume, { parent: extractTraceContext(headers), kind: SpanKind.CONSUMER, attributes }, fn);
}

/** Window update for a tick; child of the active (consume) span. */
export function windowSpan<T>(attributes: Attributes, fn: (span: Span) => T): T {
  return withSpanSync(SpanNames.window, { attributes }, fn);
}

/**
 * One micro-batch through the model: a root span linked to every request/record context in the
 * batch, with the batch size as an attribute.
 */
export function inferenceSpan<T>(members: Context[], attributes: Attributes, fn: (span: Span) => Promise<T> | T): Promise<T> {
  return withSpan(SpanNames.inference, { parent: ROOT_CONTEXT, links: members, attributes: { 'tickcast.batch.size': members.length, ...attributes } }, fn);
}

/**
 * Produce span for output records caused by `parent` (the consume context); `fn` gets a function
 * that writes this span's traceparent into each outgoing record's headers.
 */
export function produceSpan<T>(
  parent: Context,
  attributes: Attributes,
  fn: (inject: <H extends Record<string, string | Buffer>>(headers: H) => H, span: Span) => Promise<T> | T,
): Promise<T> {
  return withSpan(SpanNames.produce, { parent, kind: SpanKind.PRODUCER, attributes }, (span) =>
    fn((headers) => injectTraceContext(headers, trace.setSpan(parent, span)), span),
  );
}

/** The active context, to hand to a micro-batcher so the inference span can link back to it. */
export function activeContext(): Context {
  return otelContext.active();
}

export { SpanKind, SpanStatusCode, ROOT_CONTEXT, type Context, type Span };
