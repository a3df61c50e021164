/**
 * Shared readers for the deployment tests: repository paths, YAML/values access and the list of
 * metric names the service exports (read from the source so the checks follow it).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { parse as parseYaml } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CHART = join(ROOT, 'helm/tickcast');

export function read(rel: string): string {
  return readFileSync(join(ROOT, rel), 'utf8');
}

export function readYaml(rel: string): any {
  return parseYaml(read(rel));
}

export function listFiles(relDir: string, filter: (name: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(ROOT, rel), { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (filter(e.name)) out.push(child);
    }
  };
  walk(relDir);
  return out.sort();
}

/** Value at a dotted path, or undefined when any segment is missing. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: any = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(seg in cur)) return undefined;
    cur = cur[seg];
  }
  return cur;
}

export function hasPath(obj: unknown, path: string): boolean {
  let cur: any = obj;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(seg in cur)) return false;
    cur = cur[seg];
  }
  return true;
}

/**
 * Metric names the service registers. Authoritative source: src/telemetry/metrics.ts (the
 * entry point, createMetrics) and the files of src/telemetry/metrics/ (one per area; until
 * 7 Dec 2026 every name was in metrics.ts), plus any other src file that imports prom-client.
 * Until metrics.ts exists the names agreed for the telemetry module are used, so the rule files
 * can be checked from day one.
 */
const AGREED_METRICS = [
  'tickcast_ticks_total', 'tickcast_forecasts_total', 'tickcast_dlq_total', 'tickcast_anomalies_total',
  'tickcast_anomaly_score', 'tickcast_inference_seconds', 'tickcast_batch_size', 'tickcast_tick_to_forecast_seconds',
  'tickcast_consumer_lag', 'tickcast_model_info', 'tickcast_model_last_promotion_timestamp_seconds',
  'tickcast_series_active', 'tickcast_paused', 'tickcast_http_request_duration_seconds', 'tickcast_inference_queue',
  'tickcast_finetune_rounds_total',
];

export const METRICS_SOURCE = 'src/telemetry/metrics.ts';
export const METRICS_DIR = 'src/telemetry/metrics/';

export function exportedMetricNames(): { names: Set<string>; source: string } {
  const written = existsSync(join(ROOT, METRICS_SOURCE));
  const files = written ? listFiles('src', (n) => n.endsWith('.ts')).filter((rel) => rel === METRICS_SOURCE || rel.startsWith(METRICS_DIR) || /from ['"]prom-client['"]/.test(read(rel))) : [];
  const names = new Set<string>(written ? [] : AGREED_METRICS);
  // prom-client's default process/runtime metrics: registered under their standard names
  // (process_*, nodejs_*) or, in older builds, with a prefix; whatever metrics.ts passes.
  let defaults: string | null = written ? null : '';
  for (const rel of files) {
    const src = read(rel);
    for (const m of src.matchAll(/['"`](tickcast_[a-z0-9_]+)['"`]/g)) names.add(m[1]);
    const call = /collectDefaultMetrics\(([^)]*)\)/.exec(src);
    if (call) defaults = /prefix:\s*['"`]([a-z_]+)['"`]/.exec(call[1])?.[1] ?? '';
  }
  if (defaults !== null) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: defaults });
    for (const m of registry.getMetricsAsArray()) names.add(m.name);
    registry.clear();
  }
  return { names, source: written ? files.join(', ') : 'agreed list (metrics.ts not written yet)' };
}

/** tickcast_* metric names (and Node default ones: process_..., nodejs_...) used in a PromQL expression, histogram/summary suffixes folded. */
export function metricsInExpr(expr: string, known: Set<string>): string[] {
  const out = new Set<string>();
  for (const m of expr.matchAll(/\b((?:tickcast|process|nodejs)_[a-z0-9_]+)/g)) {
    let name = m[1];
    const base = name.replace(/_(bucket|sum|count)$/, '');
    if (!known.has(name) && known.has(base)) name = base;
    out.add(name);
  }
  return [...out];
}
