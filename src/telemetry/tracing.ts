/**
 * OpenTelemetry for tickcast. Import and call `startTracing()` from main.ts before anything else
 * so the global tracer provider and the async context manager exist before other modules create
 * spans. Off by default: without an OTLP endpoint (or span processors passed by a test) nothing is
 * registered and every span below is the API's no-op span, which costs a few allocations.
 *
 * Two further parts, usable whether or not tracing is on:
 * - Trace context <-> Kafka-style headers (./trace-context.ts, re-exported): W3C, or while the SDK
 *   runs whatever OTEL_PROPAGATORS chose (b3, b3multi, jaeger, none).
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
  type Attributes,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { BUILD_INFO } from './build-info.ts';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from './semconv.ts';
import { createTraceExporter, type OtlpProtocol } from './otlp-exporter.ts';
import { extractTraceContext, injectTraceContext, useSdkPropagation, type TraceHeaders } from './trace-context.ts';

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
  useSdkPropagation(true);
  let stopping: Promise<void> | null = null;
  return {
    enabled: true,
    shutdown: () => (stopping ??= sdk.shutdown().finally(() => useSdkPropagation(false))),
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

// W3C trace context in Kafka-style headers: ./trace-context.ts (re-exported here).
export { extractTraceContext, formatTraceparent, injectTraceContext, parseTraceparent, type TraceHeaders } from './trace-context.ts';

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
