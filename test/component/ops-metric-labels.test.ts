/**
 * The operational artefacts against what the running service exposes: the app is started (as
 * the other component tests do) and /metrics scraped; every metric the alert rules (compose,
 * fine-tuning, docs/prometheus-rules.yaml — the chart's are the compose ones, test/unit/deploy/
 * prometheus-rules.test.ts), the Grafana dashboards (compose and chart) and the selectors the docs
 * write (`tickcast_dlq_total{code="…"}`, `tickcast_anomaly_score{series}`) name is in the scrape,
 * every label they match, group by or print ($labels.x, legend {{x}}) is a label of those metrics
 * or one Prometheus adds to every target, a `le` they select is a bucket bound of the scrape, and a
 * label value they match literally is one the code writes, and each function fits the `# TYPE` of
 * what it reads (rate()/increase() of counters and histogram series, delta()/deriv() of gauges,
 * histogram_quantile() of `_bucket` summed by `le`). The name-only check in the unit tests
 * reads the source; this one reads the service.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listFiles, read, readYaml } from '../unit/deploy/repo.ts';
import { startTestApp } from '../helpers/app.ts';

/** Labels Prometheus (static config or ServiceMonitor) puts on every series of a target. */
const TARGET_LABELS = new Set(['job', 'instance', 'namespace', 'pod', 'service', 'container', 'endpoint']);
const RULE_FILES = ['deploy/prometheus/rules/tickcast.rules.yml', 'deploy/prometheus/rules-finetune/tickcast-finetune.rules.yml'];
const DASHBOARDS = ['deploy/grafana/dashboards/tickcast.json', 'helm/tickcast/dashboards/tickcast.json'];
/** Labels whose values come from data or the build (a series id, a model version), not from code. */
const DATA_LABELS = new Set(['series', 'feature', 'version', 'node_version', 'topic', 'partition']);
/** Labels whose values are bucket bounds: a histogram's `le`, the band-quality series gauges' `at_most`. */
const BOUND_LABELS = new Set(['le', 'at_most']);
const METRIC = /\b((?:tickcast|process|nodejs)_[a-z0-9_]+)(\{[^}]*\})?/g;

interface Exposed { labels: Map<string, Set<string>>; le: Map<string, Set<string>>; /** `# TYPE` of each family. */ types?: Map<string, string> }

/** Metric families of a scrape (histogram series folded to their family) with label names and the `le` values seen. */
function parseScrape(body: string, registered: Map<string, string[]>): Exposed {
  const labels = new Map<string, Set<string>>();
  const le = new Map<string, Set<string>>();
  const types = new Map<string, string>();
  for (const m of body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    labels.set(m[1], new Set(registered.get(m[1]) ?? []));
    types.set(m[1], m[2]);
  }
  for (const m of body.matchAll(/^([a-z_][a-z0-9_]*)(?:\{([^}]*)\})? \S+$/gm)) {
    const family = labels.has(m[1]) ? m[1] : m[1].replace(/_(bucket|sum|count)$/, '');
    if (!labels.has(family)) continue;
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="([^"]*)"/g)) {
      labels.get(family)!.add(k);
      if (BOUND_LABELS.has(k)) le.set(m[1], (le.get(m[1]) ?? new Set()).add(v));
    }
  }
  return { labels, le, types };
}

/** Functions that only mean something on one kind of series (PromQL docs: rate() on counters, delta() on gauges). */
const COUNTER_FUNCTIONS = new Set(['rate', 'irate', 'increase', 'resets']);
const GAUGE_FUNCTIONS = new Set(['delta', 'idelta', 'deriv', 'predict_linear']);

/** Each function applied to a series of the wrong kind, and a histogram_quantile() not over `_bucket` grouped by `le`. */
function typeProblems(q: Query, types: Map<string, string>): string[] {
  const out: string[] = [];
  const kindOf = (name: string): string | undefined => {
    const family = name.replace(/_(bucket|sum|count)$/, '');
    return types.get(name) ?? (types.get(family) === 'histogram' ? 'counter' : undefined); // a histogram's series are counters
  };
  for (const [, fn, name] of q.expr.matchAll(/\b(\w+)\(\s*([a-z_:][a-z0-9_:]*)\s*[{[]/g)) {
    const kind = kindOf(name);
    if (kind === undefined) continue; // not in the scrape: reported above
    if (COUNTER_FUNCTIONS.has(fn) && kind !== 'counter') out.push(`${q.where}: ${fn}() of ${name}, a ${kind} (only counters)`);
    if (GAUGE_FUNCTIONS.has(fn) && kind !== 'gauge') out.push(`${q.where}: ${fn}() of ${name}, a ${kind} (only gauges)`);
  }
  if (q.expr.includes('histogram_quantile(') && !(/_bucket\b/.test(q.expr) && /\bby\s*\([^)]*\ble\b/.test(q.expr))) out.push(`${q.where}: histogram_quantile() needs _bucket series summed by (le)`);
  return out;
}

interface Query { where: string; expr: string; printed: string[] }

function queries(): Query[] {
  const out: Query[] = [];
  const ruleFiles = [...RULE_FILES.map((f) => [f, readYaml(f).groups] as const), ['docs/prometheus-rules.yaml', readYaml('docs/prometheus-rules.yaml').spec.groups] as const];
  for (const [file, groups] of ruleFiles) {
    for (const r of groups.flatMap((g: any) => g.rules)) {
      const printed = [...JSON.stringify(r.annotations ?? {}).matchAll(/\$labels\.(\w+)/g)].map((m) => m[1]);
      out.push({ where: `${file} ${r.alert ?? r.record}`, expr: r.expr, printed });
    }
  }
  for (const file of DASHBOARDS) {
    const dash = JSON.parse(read(file));
    for (const p of dash.panels) {
      for (const t of p.targets ?? []) {
        out.push({ where: `${file} "${p.title}"`, expr: t.expr, printed: [...String(t.legendFormat ?? '').matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]) });
      }
    }
    for (const v of dash.templating?.list ?? []) {
      const q = /label_values\((\w+),\s*(\w+)\)/.exec(v.definition ?? '');
      if (q) out.push({ where: `${file} variable ${v.name}`, expr: `max by (${q[2]}) (${q[1]})`, printed: [] });
    }
  }
  // Operator docs name series as PromQL selectors, or list a metric's labels in braces ({series}).
  for (const file of ['README.md', ...listFiles('docs', (n) => n.endsWith('.md')), 'helm/tickcast/values.yaml']) {
    for (const m of read(file).matchAll(/\b(?:tickcast|process|nodejs)_[a-z0-9_]+\{[^}\n]*\}/g)) out.push({ where: file, expr: m[0], printed: [] });
  }
  return out;
}

/** String literals of src/: where a label value an expression matches must come from. */
const sourceLiterals = new Set(listFiles('src', (n) => n.endsWith('.ts')).flatMap((f) => [...read(f).matchAll(/['"`]([\w.+-]+)['"`]/g)].map((m) => m[1])));

/** What is wrong with one query against the scrape. */
function problems(q: Query, exposed: Exposed): string[] {
  const out: string[] = [];
  const used = [...q.expr.matchAll(METRIC)];
  if (used.length === 0) return q.expr.includes('up{') ? [] : [`${q.where}: no tickcast metric in ${q.expr}`];
  const labelsOfExpr = new Set(TARGET_LABELS);
  for (const [, name, matchers] of used) {
    const family = exposed.labels.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    const own = exposed.labels.get(family);
    if (!own) {
      out.push(`${q.where}: ${name} is not in the /metrics scrape`);
      continue;
    }
    own.forEach((l) => labelsOfExpr.add(l));
    // {series} or {version, engine}: the labels a doc says the metric has.
    for (const [, label] of (matchers ?? '').matchAll(/[{,]\s*(\w+)\s*(?=[,}])/g)) {
      if (!own.has(label) && !TARGET_LABELS.has(label)) out.push(`${q.where}: ${name} has no label ${label} (it has: ${[...own].join(', ') || 'none'})`);
    }
    for (const [, label, op, value] of (matchers ?? '').matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
      if (!own.has(label) && !TARGET_LABELS.has(label)) out.push(`${q.where}: ${name} has no label ${label} (it has: ${[...own].join(', ') || 'none'})`);
      else if (BOUND_LABELS.has(label) && !exposed.le.get(name)?.has(value)) out.push(`${q.where}: ${name}{${label}="${value}"} is no bucket bound of the scrape (${[...(exposed.le.get(name) ?? [])].join(', ')})`);
      else if (op === '=' && !TARGET_LABELS.has(label) && !DATA_LABELS.has(label) && !BOUND_LABELS.has(label) && !sourceLiterals.has(value)) out.push(`${q.where}: ${name}{${label}="${value}"}: the code never writes that value`);
    }
  }
  if (exposed.types) out.push(...typeProblems(q, exposed.types));
  const grouped = [...q.expr.matchAll(/\b(by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[2].split(',').map((s) => s.trim()).filter(Boolean));
  for (const l of grouped) if (!labelsOfExpr.has(l)) out.push(`${q.where}: groups by ${l}, a label of none of its metrics`);
  // What the result carries: the outer grouping when there is one, else the series' own labels.
  const outer = /^\s*(?:\w+\s*\(\s*(?:[\d.]+\s*,\s*)?)?(?:sum|max|min|avg|count|topk\([^,]+,)\s*by\s*\(([^)]*)\)/.exec(q.expr);
  const carried = outer ? new Set(outer[1].split(',').map((s) => s.trim())) : /\b(sum|max|min|avg|count)\b(?!_)/.test(q.expr) && !/\bby\s*\(/.test(q.expr) ? new Set<string>() : labelsOfExpr;
  for (const l of q.printed) if (!carried.has(l)) out.push(`${q.where}: prints ${l}, which the result does not carry (${[...carried].join(', ') || 'no labels'})`);
  return out;
}

test('rules and dashboards query only metrics, labels, buckets and label values the running service exposes', async () => {
  const app = await startTestApp({ embedded: { series: 2, ticksPerSecond: 0, maxTicks: 2 * 40 }, telemetry: { defaultMetrics: true } });
  let body: string;
  const registered = new Map<string, string[]>();
  try {
    await (await fetch(`${app.address()}/healthz`)).text();
    body = await (await fetch(`${app.address()}/metrics`)).text();
    // Label names of families with no series yet (a counter nothing has counted): the registry's.
    for (const m of app.metrics.registry.getMetricsAsArray()) registered.set(m.name, [...((m as unknown as { labelNames?: string[] }).labelNames ?? [])]);
  } finally {
    await app.stop();
  }
  const exposed = parseScrape(body, registered);
  assert.ok(exposed.labels.has('tickcast_ticks_total') && exposed.labels.has('process_resident_memory_bytes'), 'the scrape has the service and default metrics');
  // Embedded mode has no brokers: a tickcast_kafka_up 0 here fired TickcastKafkaUnreachable (critical) 5 minutes after every start.
  assert.doesNotMatch(body, /^tickcast_kafka_up /m, 'embedded mode: no tickcast_kafka_up sample');
  const qs = queries();
  assert.ok(qs.length >= 60, `expected the rules' and dashboards' queries; got ${qs.length}`);
  assert.deepEqual(qs.flatMap((q) => problems(q, exposed)), []);
});

test('the label checks catch a wrong label, bucket, value or printed label', () => {
  const exposed: Exposed = {
    labels: new Map([['tickcast_x_total', new Set(['reason'])], ['tickcast_h', new Set(['le'])]]),
    le: new Map([['tickcast_h', new Set(['0.5', '+Inf'])]]),
  };
  const q = (expr: string, printed: string[] = []) => problems({ where: 'q', expr, printed }, exposed);
  assert.deepEqual(q('sum by (job, reason) (rate(tickcast_x_total{reason="cap"}[5m]))', ['reason']), []);
  assert.equal(q('sum by (job) (tickcast_x_total{kind="cap"})').length, 1);
  assert.equal(q('sum by (job) (tickcast_x_total{reason="no-such-reason-anywhere"})').length, 1);
  assert.equal(q('sum by (job, feature) (tickcast_x_total)').length, 1);
  assert.equal(q('sum(tickcast_h{le="0.6"})').length, 1);
  assert.equal(q('sum by (job) (tickcast_x_total)', ['reason']).length, 1);
  assert.equal(q('tickcast_y_total').length, 1);
  assert.deepEqual(q('tickcast_x_total{reason}'), []);
  assert.equal(q('tickcast_x_total{reason, code}').length, 1);
});

test("the type checks catch rate() of a gauge, delta() of a counter, a quantile without le", () => {
  const types = new Map([['tickcast_x_total', 'counter'], ['tickcast_g', 'gauge'], ['tickcast_h', 'histogram']]);
  const exposed: Exposed = { labels: new Map([...types.keys()].map((k) => [k, new Set(k === 'tickcast_h' ? ['le'] : [])])), le: new Map(), types };
  const q = (expr: string) => problems({ where: 'q', expr, printed: [] }, exposed);
  assert.deepEqual(q('sum(rate(tickcast_x_total[5m])) + sum(delta(tickcast_g[10m])) + sum(increase(tickcast_h_count[5m]))'), []);
  assert.deepEqual(q('histogram_quantile(0.99, sum by (job, le) (rate(tickcast_h_bucket{job=~"a"}[5m])))'), []);
  assert.equal(q('sum(rate(tickcast_g[5m]))').length, 1);
  assert.equal(q('sum(delta(tickcast_x_total[5m]))').length, 1);
  assert.equal(q('histogram_quantile(0.99, sum(rate(tickcast_h_bucket[5m])))').length, 1);
});
