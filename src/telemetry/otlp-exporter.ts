/**
 * The OTLP trace exporter for telemetry.otlpProtocol, as the SDK would pick it from
 * OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL: `http/protobuf` (the OTLP default), `http/json`, or `grpc`.
 * Each exporter reads the rest of its OTEL_EXPORTER_OTLP_[TRACES_]* variables itself (HEADERS,
 * TIMEOUT, COMPRESSION, CERTIFICATE, …). Loaded on demand: with tracing off none is imported.
 */
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/** The spec's values of OTEL_EXPORTER_OTLP_PROTOCOL (telemetry.otlpProtocol). */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** `url`: the full traces URL over HTTP (…:4318/v1/traces); the collector's address over gRPC (…:4317). */
export async function createTraceExporter(protocol: OtlpProtocol, url: string): Promise<SpanExporter> {
  switch (protocol) {
    case 'grpc':
      return new (await import('@opentelemetry/exporter-trace-otlp-grpc')).OTLPTraceExporter({ url });
    case 'http/json':
      return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url });
    case 'http/protobuf':
      return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter({ url });
  }
}
