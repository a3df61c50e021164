/**
 * pino JSON logs; one root logger made in app.ts, a child per module (`{ module: 'kafka' }`).
 * A line logged while a span is active carries `trace_id`, `span_id` and `trace_flags` (the OTel
 * log data model's field names), so logs and traces join in Grafana/Loki/Tempo and the like.
 * With tracing off there is no active span and nothing is added.
 */
import { context as otelContext, trace } from '@opentelemetry/api';
import { pino, destination, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Fields that hold secrets: the config's (kafka.sasl, the TLS key and its password, the OIDC
 * client secret, API keys) and librdkafka's own names in `kafka.properties`. pino's redaction has
 * no recursive wildcard, so each is listed at the depths a logged object may carry it: top level,
 * one level down (`{ kafka }`, `{ http }`) and two (`{ config }`; librdkafka's names three: `config.kafka.properties`).
 */
const SECRET_KEYS = ['password', 'apiKeys', 'sasl', 'tlsKeyPassword', 'tlsKeyPem', 'oidcClientSecret', '"sasl.password"', '"ssl.key.password"', '"ssl.key.pem"', '"sasl.oauthbearer.client.secret"'];
const at = (k: string, prefix: string) => (k.startsWith('"') ? `${prefix}[${k}]` : `${prefix}.${k}`);
const REDACTED = [
  ...SECRET_KEYS.map((k) => (k.startsWith('"') ? `[${k}]` : k)),
  ...SECRET_KEYS.map((k) => at(k, '*')),
  ...SECRET_KEYS.map((k) => at(k, '*.*')),
  ...SECRET_KEYS.filter((k) => k.startsWith('"')).map((k) => at(k, '*.*.*')), // config.kafka.properties
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
];

export function createLogger(opts: { level: string; name: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      name: opts.name,
      level: opts.level,
      // Secrets never reach the logs, whichever module tries.
      redact: { paths: REDACTED, censor: '[redacted]' },
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
