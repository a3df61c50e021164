/**
 * HTTP adapter options. The service's settings (host, port, keys, rate limit, shedding threshold…)
 * have their defaults in ONE place, src/config/schema.ts: HTTP_DEFAULTS is built from the schema's
 * defaults by httpConfigFromSchema, which is also what app.ts uses to hand the validated service
 * config to buildHttpServer. Only the adapter's own request limits that the schema does not expose
 * (ADAPTER_LIMITS below) are defined here. buildHttpServer validates the result once and freezes it.
 *
 * Auth policy (see docs/http-api.md#authentication):
 * - `apiKeys` non-empty: mutating routes (POST /v1/model/rollback, POST/DELETE
 *   /v1/anomalies/:id/feedback, the MCP tool give_alert_feedback) need a valid bearer key; reads
 *   need one only when `requireAuthForReads`. A key that is sent but wrong is always refused (401),
 *   so a caller with a typo finds out instead of silently running unauthenticated.
 * - `apiKeys` empty: reads are open; mutating routes answer 401 explaining that no keys are
 *   configured, unless `allowUnauthenticatedMutations` is true (meant for local development only).
 */
import { corsOriginProblem } from '../../config/schema/cors-origin.ts';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import { configSchema } from '../../config/schema.ts';
import type { Config } from '../../config/load.ts';

export interface HttpConfig {
  host: string;
  port: number;
  /** Accepted bearer keys. Load them from env/files; they are never logged. */
  apiKeys: readonly string[];
  /** The file the keys were read from (`TICKCAST_HTTP_API_KEYS_FILE`), re-read while running; '' none. */
  apiKeysFile: string;
  /** How often that file is re-read (ms); 0: read once, at start. */
  apiKeysReloadMs: number;
  requireAuthForReads: boolean;
  allowUnauthenticatedMutations: boolean;
  /** Largest request body accepted; larger bodies get 413 TC_HTTP_PAYLOAD_TOO_LARGE. */
  bodyLimitBytes: number;
  /** Longest time to receive a whole request, ms (408 and the connection closed beyond); 0: no limit. */
  requestTimeoutMs: number;
  /** Smallest answer sent gzip-compressed to a client that accepts it (./compression.ts); 0: never. */
  compressMinBytes: number;
  /** Token bucket per API key (or per client IP when no key is sent). */
  rateLimit: { enabled: boolean; perKeyPerSecond: number; burst: number; maxTrackedClients: number };
  /** Longest `window` accepted by POST /v1/predict (time steps). */
  maxWindowLength: number;
  /** Most features per time step accepted in a 2-D `window`. */
  maxFeatures: number;
  /** Largest `horizon` a caller may ask for (the model horizon caps it further). */
  maxHorizon: number;
  /**
   * Load shedding: work routes answer 503 + Retry-After when the event loop delay p99 over the
   * last sample interval exceeds `eventLoopDelayP99Ms`, when serving.overloaded() says so, or while
   * draining. Probes (/healthz, /readyz) and /metrics are never shed.
   */
  loadShedding: { enabled: boolean; eventLoopDelayP99Ms: number; sampleIntervalMs: number; retryAfterSeconds: number };
  dashboard: { enabled: boolean };
  mcp: { enabled: boolean };
  docs: { enabled: boolean };
  /** Server-sent events for the dashboard. */
  /** `maxPerClient`: open streams one client (API key fingerprint, else IP) may hold, so one client cannot take every slot. */
  sse: { heartbeatMs: number; maxClients: number; maxPerClient: number };
  /**
   * Trust X-Forwarded-For for the client IP (only behind a proxy you control): a number trusts that
   * many proxy hops; `true` trusts every address, so a client picks its own IP by sending the header.
   */
  trustProxy: boolean | number;
  /** Host names a request to a non-open route may name (./allowed-hosts.ts); empty: any. */
  allowedHosts: readonly string[];
  /** Origins answered with CORS headers (./cors.ts); empty: no CORS. */
  corsOrigins: readonly string[];
}

/** The schema's `http` section (validated service config). */
export type HttpSettings = Config['http'];

/**
 * Adapter limits the service config does not expose (embedders and tests may override them via
 * HttpConfigInput). They bound request size and connection counts; none duplicates a schema key.
 */
const ADAPTER_LIMITS = Object.freeze({
  maxTrackedClients: 10_000,
  maxWindowLength: 4096,
  maxFeatures: 64,
  maxHorizon: 256,
  loadSheddingSampleIntervalMs: 1000,
  retryAfterSeconds: 1,
  sse: Object.freeze({ heartbeatMs: 15_000, maxClients: 100, maxPerClient: 20 }),
});

/**
 * Map the schema's `http` section onto the adapter's options (units and grouping of the adapter).
 */
export function httpConfigFromSchema(h: HttpSettings): HttpConfig {
  const l = ADAPTER_LIMITS;
  return {
    host: h.host,
    port: h.port,
    apiKeys: [...h.apiKeys],
    apiKeysFile: h.apiKeysFile,
    apiKeysReloadMs: h.apiKeysReloadMs,
    requireAuthForReads: h.requireAuthForReads,
    allowUnauthenticatedMutations: h.allowUnauthenticatedMutations,
    bodyLimitBytes: h.bodyLimitBytes,
    requestTimeoutMs: h.requestTimeoutMs,
    compressMinBytes: h.compressMinBytes,
    rateLimit: { enabled: true, perKeyPerSecond: h.rateLimitPerSecond, burst: h.rateLimitBurst, maxTrackedClients: l.maxTrackedClients },
    maxWindowLength: l.maxWindowLength,
    maxFeatures: l.maxFeatures,
    maxHorizon: l.maxHorizon,
    loadShedding: { enabled: true, eventLoopDelayP99Ms: h.eventLoopDelayP99Ms, sampleIntervalMs: l.loadSheddingSampleIntervalMs, retryAfterSeconds: l.retryAfterSeconds },
    dashboard: { enabled: h.dashboard },
    mcp: { enabled: h.mcp },
    docs: { enabled: true },
    sse: { ...l.sse },
    trustProxy: h.trustProxyHops > 0 ? h.trustProxyHops : h.trustProxy,
    allowedHosts: [...h.allowedHosts],
    corsOrigins: [...h.corsOrigins],
  };
}

function deepFreeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) Object.freeze(v);
  return Object.freeze(o);
}

/** Defaults = the schema's defaults for `http`, mapped (no second set of numbers to drift). */
export const HTTP_DEFAULTS: HttpConfig = deepFreeze(httpConfigFromSchema(configSchema.parse({}).http));

type DeepPartial<T> = { [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? Partial<T[K]> : T[K] };
export type HttpConfigInput = DeepPartial<HttpConfig>;

/** Merge over the defaults, validate everything at once (all problems in one error), freeze. */
export function resolveHttpConfig(input: HttpConfigInput = {}): Readonly<HttpConfig> {
  const d = HTTP_DEFAULTS;
  const c: HttpConfig = {
    ...d,
    ...stripUndefined(input),
    apiKeys: [...(input.apiKeys ?? d.apiKeys)],
    allowedHosts: [...(input.allowedHosts ?? d.allowedHosts)],
    corsOrigins: [...(input.corsOrigins ?? d.corsOrigins)],
    rateLimit: { ...d.rateLimit, ...stripUndefined(input.rateLimit ?? {}) },
    loadShedding: { ...d.loadShedding, ...stripUndefined(input.loadShedding ?? {}) },
    dashboard: { ...d.dashboard, ...stripUndefined(input.dashboard ?? {}) },
    mcp: { ...d.mcp, ...stripUndefined(input.mcp ?? {}) },
    docs: { ...d.docs, ...stripUndefined(input.docs ?? {}) },
    sse: { ...d.sse, ...stripUndefined(input.sse ?? {}) },
  };
  const problems: string[] = [];
  const posInt = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v <= 0) problems.push(`http.${name} must be a positive integer; got ${String(v)}`);
  };
  if (!Number.isInteger(c.port) || c.port < 0 || c.port > 65535) problems.push(`http.port must be 0..65535; got ${String(c.port)}`);
  posInt('bodyLimitBytes', c.bodyLimitBytes);
  posInt('maxWindowLength', c.maxWindowLength);
  posInt('maxFeatures', c.maxFeatures);
  posInt('maxHorizon', c.maxHorizon);
  posInt('rateLimit.burst', c.rateLimit.burst);
  posInt('rateLimit.maxTrackedClients', c.rateLimit.maxTrackedClients);
  if (!(c.rateLimit.perKeyPerSecond > 0)) problems.push(`http.rateLimit.perKeyPerSecond must be > 0; got ${String(c.rateLimit.perKeyPerSecond)}`);
  if (!(c.loadShedding.eventLoopDelayP99Ms > 0)) problems.push('http.loadShedding.eventLoopDelayP99Ms must be > 0');
  posInt('loadShedding.sampleIntervalMs', c.loadShedding.sampleIntervalMs);
  posInt('loadShedding.retryAfterSeconds', c.loadShedding.retryAfterSeconds);
  posInt('sse.heartbeatMs', c.sse.heartbeatMs);
  posInt('sse.maxClients', c.sse.maxClients);
  posInt('sse.maxPerClient', c.sse.maxPerClient);
  if (!Number.isInteger(c.requestTimeoutMs) || c.requestTimeoutMs < 0) problems.push(`http.requestTimeoutMs must be a whole number ≥ 0; got ${String(c.requestTimeoutMs)}`);
  if (!Number.isInteger(c.compressMinBytes) || c.compressMinBytes < 0) problems.push(`http.compressMinBytes must be a whole number ≥ 0; got ${String(c.compressMinBytes)}`);
  if (!Number.isInteger(c.apiKeysReloadMs) || c.apiKeysReloadMs < 0) problems.push(`http.apiKeysReloadMs must be a whole number ≥ 0; got ${String(c.apiKeysReloadMs)}`);
  problems.push(...apiKeyProblems(c.apiKeys, c.requireAuthForReads));
  c.corsOrigins.forEach((o, i) => {
    const problem = corsOriginProblem(o);
    if (problem !== null) problems.push(`http.corsOrigins[${i}]: ${problem}`);
  });
  if (typeof c.trustProxy === 'number' && !(Number.isInteger(c.trustProxy) && c.trustProxy >= 1)) problems.push(`http.trustProxy as a hop count must be a positive integer; got ${String(c.trustProxy)}`);
  if (problems.length > 0) {
    throw new TickcastError(ErrorCodes.CONFIG_INVALID, `invalid HTTP config:\n  - ${problems.join('\n  - ')}`, {
      details: { problems },
    });
  }
  return deepFreeze(c);
}

/** What is wrong with a set of API keys (at start, and each time the keys file is re-read). */
export function apiKeyProblems(keys: readonly unknown[], requireAuthForReads: boolean): string[] {
  const problems: string[] = [];
  keys.forEach((k, i) => {
    if (typeof k !== 'string' || k.length < 16 || /\s/.test(k)) problems.push(`http.apiKeys[${i}] must be a string of at least 16 non-space characters`);
  });
  if (requireAuthForReads && keys.length === 0) {
    problems.push('http.requireAuthForReads is true but http.apiKeys is empty: nobody could read; configure at least one key');
  }
  return problems;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
