/**
 * pino JSON logs; one root logger made in app.ts, a child per module (`{ module: 'kafka' }`).
 * A line logged while a span is active carries `trace_id`, `span_id` and `trace_flags` (the OTel
 * log data model's field names), so logs and traces join in Grafana/Loki/Tempo and the like.
 * With tracing off there is no active span and nothing is added.
 */
import { context as otelContext, trace } from '@opentelemetry/api';
import { pino, destination, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export function createLogger(opts: { level: string; name: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      name: opts.name,
      level: opts.level,
      // Secrets never reach the logs, whichever module tries.
      redact: { paths: ['*.password', '*.apiKeys', 'req.headers.authorization', 'headers.authorization', '*.sasl'], censor: '[redacted]' },
      base: { pid: process.pid },
      mixin: traceFields,
    },
    (opts.destination as DestinationStream | undefined) ?? destination({ sync: false }),
  );
}

/** The active span's ids for a log line (empty when no valid span is active). */
export function traceFields(): Record<string, string> {
  const sc = trace.getSpanContext(otelContext.active());
  if (sc === undefined || !trace.isSpanContextValid(sc)) return {};
  return { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: `0${(sc.traceFlags & 0xff).toString(16)}`.slice(-2) };
}
