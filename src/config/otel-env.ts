/**
 * OpenTelemetry's standard environment variables, mapped onto tickcast's config so that a
 * collector-injected environment (OpenTelemetry Operator, Helm charts, docker-compose) works
 * without TICKCAST_* duplicates. TICKCAST_* variables always win over these.
 *
 * - OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: the full traces URL, used as is.
 * - OTEL_EXPORTER_OTLP_ENDPOINT: the base URL for all signals; per the OTLP exporter spec the
 *   traces URL is it with `v1/traces` appended as a relative path (…:4318 → …:4318/v1/traces),
 *   over gRPC used as is. Only used when no traces-specific endpoint is set.
 * - OTEL_TRACES_EXPORTER: `none` turns tracing off (over an endpoint from the file or the variables
 *   above); `otlp` (alone or in a list) changes nothing; a list without it is a configuration error.
 * - OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL → telemetry.otlpProtocol
 *   (`http/protobuf`, `http/json`, `grpc`); another value is a configuration error.
 * - OTEL_EXPORTER_OTLP_[TRACES_]HEADERS, _TIMEOUT, _COMPRESSION, _CERTIFICATE …: read by the
 *   exporter itself (src/telemetry/otlp-exporter.ts), not here. OTEL_TRACES_SAMPLER[_ARG] and
 *   OTEL_SDK_DISABLED: read by the Node SDK (src/telemetry/tracing.ts).
 * - OTEL_PROPAGATORS: read by the Node SDK, which sets the propagator tickcast's Kafka and HTTP
 *   trace context goes through (src/telemetry/tracing.ts); checked here. The SDK ships
 *   tracecontext, baggage, b3, b3multi, jaeger and none; any other value (the spec's xray and
 *   ottrace included) is a configuration error rather than the spec's warn-and-ignore, as the SDK
 *   would drop it with a diagnostic nobody reads and traces would silently stop joining up across
 *   services — the same choice as for OTEL_TRACES_EXPORTER. Checked only while tracing runs
 *   (tracingRuns): with tracing off nothing reads it. Before 7 Dec 2026 it was not applied.
 * - OTEL_SERVICE_NAME → serviceName; else `service.name` from OTEL_RESOURCE_ATTRIBUTES.
 * - OTEL_RESOURCE_ATTRIBUTES → telemetry.resourceAttributes (`k=v,k2=v2`, values percent-encoded),
 *   validated here: a malformed list is a configuration error, not silently half-applied.
 */
export interface OtelEnvResult {
  /** Config input to layer under the TICKCAST_* values. */
  input: { serviceName?: string; telemetry?: { otlpEndpoint?: string; otlpProtocol?: OtlpProtocol; resourceAttributes?: string } };
  problems: string[];
  /** Problems that matter only while tracing runs (tracingRuns): OTEL_PROPAGATORS. */
  tracingProblems: string[];
}

/** OTLP wire formats (the spec's values of OTEL_EXPORTER_OTLP_PROTOCOL). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** The traces URL for an OTLP/HTTP base endpoint (spec: append `v1/traces` relative to the base). */
export function tracesUrlFromBase(base: string): string {
  return `${base.trim().replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Parse OTEL_RESOURCE_ATTRIBUTES (W3C Baggage-like: comma-separated `key=value`, value
 * percent-decoded, surrounding spaces ignored). Throws with a message on a malformed entry.
 */
export function parseResourceAttributes(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq).trim();
    if (key === '' || /[\s"\\;]/.test(key)) throw new Error(`"${part.trim()}" is not key=value`);
    try {
      out[key] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      throw new Error(`the value of "${key}" is not valid percent-encoding`);
    }
  }
  return out;
}

/** OTEL_PROPAGATORS values the Node SDK (@opentelemetry/sdk-node) builds a propagator for. */
export const OTEL_PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none'] as const;

/** Problems with an OTEL_PROPAGATORS list (comma-separated, spaces ignored; empty = the default tracecontext,baggage). */
export function propagatorProblems(raw: string | undefined): string[] {
  const names = (raw ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  const unknown = names.filter((p) => !(OTEL_PROPAGATORS as readonly string[]).includes(p));
  if (unknown.length === 0) return [];
  return [`OTEL_PROPAGATORS: ${unknown.map((p) => `"${p}"`).join(', ')} not available in tickcast; use ${OTEL_PROPAGATORS.join(', ')} (comma-separated, lower case)`];
}

export function otelEnv(env: NodeJS.ProcessEnv): OtelEnvResult {
  const problems: string[] = [];
  const input: OtelEnvResult['input'] = {};
  const telemetry: NonNullable<OtelEnvResult['input']['telemetry']> = {};
  const set = (v: string | undefined) => (v !== undefined && v.trim() !== '' ? v.trim() : undefined);

  const protocolVar = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = set(env[protocolVar]);
  if (protocol !== undefined) {
    if ((OTLP_PROTOCOLS as readonly string[]).includes(protocol)) telemetry.otlpProtocol = protocol as OtlpProtocol;
    else problems.push(`${protocolVar}: "${protocol}" is not one of ${OTLP_PROTOCOLS.join(', ')}`);
  }
  const traces = set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  const base = set(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (traces !== undefined) telemetry.otlpEndpoint = traces;
  else if (base !== undefined) telemetry.otlpEndpoint = protocol === 'grpc' ? base : tracesUrlFromBase(base);
  const exporters = set(env.OTEL_TRACES_EXPORTER)?.split(',').map((e) => e.trim());
  if (exporters?.length === 1 && exporters[0] === 'none') telemetry.otlpEndpoint = '';
  else if (exporters !== undefined && !exporters.includes('otlp')) {
    problems.push(`OTEL_TRACES_EXPORTER: "${env.OTEL_TRACES_EXPORTER?.trim()}": tickcast exports traces over OTLP only (otlp, or none to turn tracing off)`);
  }

  const tracingProblems = propagatorProblems(env.OTEL_PROPAGATORS);

  const attrsRaw = set(env.OTEL_RESOURCE_ATTRIBUTES);
  let attrs: Record<string, string> = {};
  if (attrsRaw !== undefined) {
    try {
      attrs = parseResourceAttributes(attrsRaw);
      telemetry.resourceAttributes = attrsRaw;
    } catch (err) {
      problems.push(`OTEL_RESOURCE_ATTRIBUTES: ${(err as Error).message} (expected k=v,k2=v2 with percent-encoded values)`);
    }
  }
  const serviceName = set(env.OTEL_SERVICE_NAME) ?? set(attrs['service.name']);
  if (serviceName !== undefined) input.serviceName = serviceName;
  if (Object.keys(telemetry).length > 0) input.telemetry = telemetry;
  return { input, problems, tracingProblems };
}

/**
 * Whether tracing will run with this merged config input: a trace endpoint (from the file,
 * OTEL_* or TICKCAST_*) and the SDK not disabled (OTEL_SDK_DISABLED=true, which the Node SDK
 * reads). Only then is OTEL_PROPAGATORS read, so only then is a value tickcast lacks refused: a
 * namespace-wide OTEL_PROPAGATORS=…,xray (the OpenTelemetry Operator, AWS Distro) stopped a pod
 * with tracing off from starting (7 Dec 2026, found in review; it had started before that day).
 */
export function tracingRuns(input: { telemetry?: unknown }, env: NodeJS.ProcessEnv): boolean {
  const endpoint = (input.telemetry as { otlpEndpoint?: unknown } | undefined)?.otlpEndpoint;
  return typeof endpoint === 'string' && endpoint.trim() !== '' && env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true';
}
