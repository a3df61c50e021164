// The process around the pipeline: HTTP, embedded mode, shutdown, telemetry.
// Part of the one configuration schema (src/config/schema.ts assembles it; docs/configuration.md
// is generated from the doc comments here by scripts/gen-config-doc.ts).
import { z } from 'zod';
import { positiveInt, nonNegInt, timerMs } from './primitives.ts';
import { corsOriginProblem } from './cors-origin.ts';
import { parseResourceAttributes } from '../otel-env.ts';

export const httpSection = z
  .object({
    /** Run the HTTP server: REST API, probes (/healthz, /readyz), /metrics, dashboard, MCP. false → no listener at all, so nothing answers probes or scrapes (embedding, batch tools). */
    enabled: z.boolean().default(true),
    /** Address to listen on. `::` takes IPv6 and IPv4 (dual stack: IPv6-only and dual-stack Kubernetes clusters reach it); where the kernel has no IPv6 the service falls back to `0.0.0.0`. `127.0.0.1` keeps it local. */
    host: z.string().default('::'),
    /** TCP port of the HTTP server (0: any free port, for tests). The Helm chart takes its container port and probes from it. */
    port: nonNegInt.max(65535).default(8080),
    /** Bearer keys (`Authorization: Bearer <key>`, ≥ 16 characters each; comma-separated in the variable, best from a secret via TICKCAST_HTTP_API_KEYS_FILE). With keys, the mutating routes need one; empty → reads are open and mutating routes answer 401 (docs/http-api.md § Authentication). Never logged. */
    apiKeys: z.array(z.string().min(16, 'API keys must be at least 16 characters')).default([]),
    /** File holding the bearer keys (comma-separated, a mounted Kubernetes Secret): read at start in place of http.apiKeys, and again every http.apiKeysReloadMs. The variable TICKCAST_HTTP_API_KEYS_FILE sets it. Empty: the keys are http.apiKeys as given. */
    apiKeysFile: z.string().default(''),
    /** With the keys given as a file (`TICKCAST_HTTP_API_KEYS_FILE`, a mounted Kubernetes Secret), how often it is read again, ms: a changed set applies without a restart (a removed key is refused from then on and its live event streams end); a file that cannot be read or fails the rules is logged (TC_HTTP_API_KEYS_REJECTED) and the keys in force stay. 0: read once, at start. */
    apiKeysReloadMs: timerMs(0).default(30_000),
    /** Need a valid key on every route but the probes, the dashboard page and its files, and /docs: reads and /metrics included (Prometheus then needs a bearer key). Needs http.apiKeys. */
    requireAuthForReads: z.boolean().default(false),
    /** With no API keys configured, allow every mutating route anyway: POST /v1/model/rollback, POST and DELETE /v1/anomalies/:id/feedback, the MCP tool give_alert_feedback (local development only; a browser request from another site (Origin) still needs a key). */
    allowUnauthenticatedMutations: z.boolean().default(false),
    /** Longest time to receive a whole request (headers and body), ms: a client sending slower gets 408 TC_HTTP_REQUEST_TIMEOUT and its connection is closed, so a slow or stalled upload cannot hold a connection and a request open for ever. Checked every quarter of it (at most every 30 s) while the server runs; once shutdown has begun, shutdown.graceMs bounds it. 0: no limit on the body (fastify's default); the headers must still arrive within Node's headersTimeout, 60 s, or the same 408. */
    requestTimeoutMs: timerMs(0).default(30_000),
    /** Largest request body in bytes; a larger one gets 413 TC_HTTP_PAYLOAD_TOO_LARGE before it is parsed. Raise it for POST /v1/predict with long multivariate windows. */
    bodyLimitBytes: positiveInt.default(1024 * 1024),
    /** Answers of at least this many bytes are sent gzip-compressed to clients that accept it (Accept-Encoding: gzip — Prometheus scrapes, browsers): JSON, /metrics, /docs, the dashboard's files; never event streams or MCP. 0: never compress (a proxy in front compresses). */
    compressMinBytes: nonNegInt.default(1024),
    /** Requests per second each client may make on average (token bucket refill): a client is its API key, else its IP. Over the limit: 429 TC_HTTP_RATE_LIMITED with Retry-After. Probes, the dashboard page and its files, and /docs are not counted; an MCP batch costs one per call. */
    rateLimitPerSecond: positiveInt.default(200),
    /** Requests a client may make at once before the per-second refill limits it (token bucket size). */
    rateLimitBurst: positiveInt.default(400),
    /** Shed work requests (503 + Retry-After) when event-loop delay p99 exceeds this. */
    eventLoopDelayP99Ms: positiveInt.default(200),
    /** Host names a request may name (DNS rebinding guard): a request to the API whose Host header is not listed — nor an IP address or localhost — gets 403 TC_HTTP_HOST_NOT_ALLOWED. `.example.com` allows the domain and its subdomains. Empty (default): any Host. Probes, static files and /docs are never checked. */
    allowedHosts: z.array(z.string().min(1)).default([]),
    /** Origins whose pages may call the API and /mcp from a browser (CORS; `https://console.example.com`: scheme, host, port, exactly): their preflights are answered and every answer to them names the origin. Also let past the MCP Origin check. `*` is refused: list each origin. Empty (default): no CORS, a browser refuses cross-origin answers. */
    corsOrigins: z.array(z.string().superRefine((s, ctx) => {
      const problem = corsOriginProblem(s);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
    })).default([]),
    /** Believe every address in X-Forwarded-For: the client IP (and its rate-limit bucket) is the leftmost, which any client can write. Prefer trustProxyHops. */
    trustProxy: z.boolean().default(false),
    /** Proxies in front of tickcast (1: one ingress or load balancer): the client IP is the address the farthest of them saw, not what the client wrote into X-Forwarded-For. Over 0 it takes the place of trustProxy. */
    trustProxyHops: nonNegInt.max(10).default(0),
    /** Serve the live dashboard at GET / (and its files under /static/). false → 404 there; the API is unchanged. */
    dashboard: z.boolean().default(true),
    /** Serve the MCP tool server at /mcp (streamable HTTP; the same tools as GET /v1/tools). false → /mcp is 404 and GET /v1/tools names no MCP URL. */
    mcp: z.boolean().default(true),
  })
  .strict()
  .default({});

export const embeddedSection = z
  .object({
    /** CSV replayed in embedded mode (timestamp,value; for a model of several features, the time first and a column named as each feature: a file without them is not replayed, said once at start), and the data a model trained at start learns from. Default: the bundled NAB sample. Checked at start: a file that cannot be read is a configuration error. */
    dataFile: z.string().default(''),
    /** Replay speed in ticks per second per series (0 = as fast as possible). */
    ticksPerSecond: z.number().nonnegative().default(50),
    /** Series replayed: the sample is shifted and scaled into this many series, named after the data file (nyc_taxi-0 … for the bundled sample, ETTh1-0 … for ETTh1.csv; until 7 Dec 2026 always nyc_taxi-N). */
    series: positiveInt.default(4),
    /** Stop after this many ticks in total (0 = loop forever). */
    maxTicks: nonNegInt.default(0),
  })
  .strict()
  .default({});

export const shutdownSection = z
  .object({
    /** Time given to drain in-flight work on SIGTERM before forcing exit. */
    graceMs: timerMs(1).default(25_000),
    /** Longest the drain waits for the outputs of chunks in flight to be acknowledged (the brokers down or unreachable), ms; at most half of shutdown.graceMs is used. Past it those chunks are given up — their input offsets stay uncommitted, so they are processed again after the restart — and the drain goes on: the series-state snapshot is written without their partitions, and the exit code is 1 (docs/reliability.md § Shutdown with the brokers unreachable). */
    flushMs: timerMs(1).default(10_000),
  })
  .strict()
  .default({});

export const telemetrySection = z
  .object({
    /**
     * OTLP traces URL, used as is (e.g. http://collector:4318/v1/traces; over grpc the collector's address, http://collector:4317); empty → tracing off.
     * Also set by OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces (as is over grpc).
     */
    otlpEndpoint: z.string().default(''),
    /**
     * Wire format of the OTLP trace export: `http/protobuf` (the OTLP default), `http/json`, or `grpc` (then otlpEndpoint is
     * the collector's gRPC address, e.g. http://collector:4317; a path is ignored). Also OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
     * else OTEL_EXPORTER_OTLP_PROTOCOL. Before 7 Dec 2026 always http/json, whatever these said.
     */
    otlpProtocol: z.enum(['http/protobuf', 'http/json', 'grpc']).default('http/protobuf'),
    /** Extra OTel resource attributes, `k=v,k2=v2` (percent-encoded values); also OTEL_RESOURCE_ATTRIBUTES. */
    resourceAttributes: z
      .string()
      .superRefine((s, ctx) => {
        // Checked here as OTEL_RESOURCE_ATTRIBUTES is (otel-env.ts): until 7 Dec 2026 a malformed value from the file
        // or TICKCAST_TELEMETRY_RESOURCE_ATTRIBUTES passed and main.ts then threw a plain Error naming no key.
        try {
          parseResourceAttributes(s);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: `${(err as Error).message} (expected k=v,k2=v2 with percent-encoded values)` });
        }
      })
      .default(''),
    /** Export prom-client's process and Node.js metrics (process_cpu_seconds_total, process_resident_memory_bytes, nodejs_heap_size_used_bytes, nodejs_eventloop_lag_*, …) on /metrics beside tickcast_*; the bundled dashboard reads some of them (no alert needs them). false → tickcast_* only. */
    defaultMetrics: z.boolean().default(true),
  })
  .strict()
  .default({});
