/**
 * What `GET /metrics` answers: the Prometheus text format 0.0.4 or OpenMetrics 1.0.0, chosen from
 * the scraper's `Accept` header. Prometheus (2.x and 3.x) asks for OpenMetrics first, with q-values
 * (2.x: `application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,
 * text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`); curl and a missing header get the text format.
 * Exemplars, should a metric carry them, appear only in OpenMetrics (prom-client writes them there
 * only), so the text format stays parseable by every scraper; such a metric is made with
 * `registers: []` and added with `registry.registerMetric()`, since prom-client's constructor refuses
 * exemplars on a text-format registry. Before 7 Dec 2026 the answer was always the text format.
 *
 * prom-client (15.1.3) renders OpenMetrics by renaming each Counter in place (`x_total` → `x`, so
 * its samples read `x_total`) and never renames it back: a text scrape after an OpenMetrics one
 * would list every counter without `_total` (prometheus/client_js#829). So one registry is rendered
 * at a time here, OpenMetrics through a throwaway registry of the same metric objects (the app's
 * registry keeps its content type for every other reader), and the names are put back after.
 */
import { Registry, type Metric, type OpenMetricsContentType } from 'prom-client';

export type ExpositionFormat = 'openmetrics' | 'prometheus';

export interface Exposition {
  contentType: string;
  body: string;
}

/** OpenMetrics versions prom-client's output is (1.0.0); a range without a version means any. */
const OPENMETRICS_VERSIONS = new Set(['1.0.0']);
const TEXT_RANGES = new Set(['text/plain', 'text/*', '*/*']);

/**
 * The format an `Accept` header prefers: the media range with the highest q (the first of equal
 * ones) among OpenMetrics 1.0.0 and text/plain (or a wildcard). Nothing acceptable, or no header:
 * the text format — as client_golang does, a scrape gets metrics rather than a 406.
 */
export function negotiateExposition(accept: string | undefined): ExpositionFormat {
  let best: { format: ExpositionFormat; q: number } | null = null;
  for (const range of (accept ?? '').split(',')) {
    const [media, ...rest] = range.split(';').map((s) => s.trim());
    const params = new Map(rest.map((p) => [p.slice(0, Math.max(0, p.indexOf('='))).trim().toLowerCase(), p.slice(p.indexOf('=') + 1).trim().replace(/^"(.*)"$/, '$1')]));
    const q = params.has('q') ? Number(params.get('q')) : 1;
    if (!(q > 0)) continue;
    const type = media.toLowerCase();
    const format: ExpositionFormat | null =
      type === 'application/openmetrics-text' && (!params.has('version') || OPENMETRICS_VERSIONS.has(params.get('version')!)) ? 'openmetrics' : TEXT_RANGES.has(type) ? 'prometheus' : null;
    if (format !== null && (best === null || q > best.q)) best = { format, q };
  }
  return best?.format ?? 'prometheus';
}

/** A renderer for one registry that runs one scrape at a time (see the file comment). */
export function metricsExposition(registry: Registry): (format: ExpositionFormat) => Promise<Exposition> {
  let last: Promise<unknown> = Promise.resolve();
  return (format) => {
    const run = last.then(() => (format === 'openmetrics' ? renderOpenMetrics(registry) : renderText(registry)));
    last = run.catch(() => undefined);
    return run;
  };
}

async function renderText(registry: Registry): Promise<Exposition> {
  return { contentType: Registry.PROMETHEUS_CONTENT_TYPE, body: await registry.metrics() };
}

async function renderOpenMetrics(registry: Registry): Promise<Exposition> {
  const metrics = registry.getMetricsAsArray();
  const names = metrics.map((m) => m.name);
  const om = new Registry<OpenMetricsContentType>();
  om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const m of metrics) om.registerMetric(m as unknown as Metric);
  try {
    return { contentType: Registry.OPENMETRICS_CONTENT_TYPE, body: await om.metrics() };
  } finally {
    metrics.forEach((m, i) => (m.name = names[i]));
  }
}
