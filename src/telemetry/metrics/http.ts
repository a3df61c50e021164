import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The HTTP adapter's metrics, got from `registry` or made in it: a registry may serve more than
 * one server build (tests build several on one). The keys gauge reads `apiKeys` at each scrape, so
 * it is made afresh for each build (the newest server's keys). Before 7 Dec 2026 the adapter
 * defined these itself (server.ts, api-key-reload.ts); names, labels and buckets are unchanged.
 */
export function httpMetrics(registry: Registry, apiKeys: () => number) {
  const got = <M>(name: string, make: () => M): M => (registry.getSingleMetric(name) as M | undefined) ?? make();
  const requestDuration = got('tickcast_http_request_duration_seconds', () => new Histogram({
    name: 'tickcast_http_request_duration_seconds',
    help: 'HTTP request duration by route template and status, seconds',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  }));
  const apiKeyReloads = got('tickcast_http_api_key_reloads_total', () => new Counter({
    name: 'tickcast_http_api_key_reloads_total',
    help: 'Changes of the API keys file seen while running, by result: applied, or rejected (keys in force kept)',
    labelNames: ['result'] as const,
    registers: [registry],
  }));
  registry.removeSingleMetric('tickcast_http_api_keys');
  new Gauge({ name: 'tickcast_http_api_keys', help: 'API keys the HTTP server accepts now', registers: [registry], collect() { this.set(apiKeys()); } });
  return { requestDuration, apiKeyReloads };
}

export type HttpMetrics = ReturnType<typeof httpMetrics>;
