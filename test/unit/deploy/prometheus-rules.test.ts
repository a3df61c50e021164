/**
 * Alert rules and dashboard queries: only metrics the service exports, the compose rules files
 * and the chart's PrometheusRule agree (thresholds = chart defaults), and the rules of
 * docs/prometheus-rules.yaml are carried by both, in the same groups.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { ROOT, exportedMetricNames, getPath, metricsInExpr, read, readYaml } from './repo.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';

interface Rule { alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }

const { names: known, source } = exportedMetricNames();
/** Loaded by the compose Prometheus (rules/*.yml). */
const COMPOSE_RULES = 'deploy/prometheus/rules/tickcast.rules.yml';
/** TickcastModelStale: only with fine-tuning on, loaded when enabled in prometheus.yml. */
const FINETUNE_RULES = 'deploy/prometheus/rules-finetune/tickcast-finetune.rules.yml';
const rulesOf = (rel: string): Rule[] => readYaml(rel).groups.flatMap((g: any) => g.rules);
/** Every compose rule, whether loaded by default or not. */
const composeRules: Rule[] = [...rulesOf(COMPOSE_RULES), ...rulesOf(FINETUNE_RULES)];
/** The compose job name (prometheus.yml), which TickcastTargetDown selects. */
const composeJob: string = readYaml('deploy/prometheus/prometheus.yml').scrape_configs.find((c: any) => String(c.static_configs?.[0]?.targets?.[0]).startsWith('tickcast:')).job_name;

/**
 * The chart's rules with `{{ $r.x.y }}` / `{{ .Values.x.y }}` replaced by values.yaml defaults.
 * The template body between `spec:` and the final end is YAML once the actions are resolved:
 * if/end and comment lines are dropped (every rule is enabled by default — asserted below — and
 * TickcastModelStale, gated by fine-tuning, is compared with the rules-finetune file),
 * {{`...`}} raw strings unwrapped, and the scrape selector `{{ $up }}` (job = Service name,
 * namespace = release namespace) written as the compose job's.
 */
function chartRules(): Rule[] {
  const values = readYaml('helm/tickcast/values.yaml');
  const text = read('helm/tickcast/templates/prometheusrule.yaml');
  const body = text.slice(text.indexOf('spec:'));
  assert.equal(values.prometheusRule.runbookBaseUrl, '', 'the compose file has no runbook_url: keep the default empty');
  assert.equal(values.prometheusRule.dashboardUrl, '', 'the compose file has no dashboard_url: keep the default empty');
  const resolved = body
    .replace(/\n\s*\{\{-? with \$\.Values\.prometheusRule\.runbookBaseUrl \}\}[\s\S]*?\{\{-? end \}\}/g, '')
    .split('\n')
    .filter((line) => !/^\s*\{\{-?\s*(if\b|end\b|\/\*|include "tickcast\.alertDashboardUrl").*\}\}\s*$/.test(line))
    .join('\n')
    .replace(/\{\{`([^`]*)`\}\}/g, '$1')
    .replaceAll('{{ $up }}', `up{job="${composeJob}"}`)
    .replace(/\{\{-?\s*(\$r|\.Values)\.([\w.]+)\s*-?\}\}/g, (_m, base: string, path: string) => {
      const full = base === '$r' ? `prometheusRule.rules.${path}` : path;
      const v = getPath(values, full);
      assert.notEqual(v, undefined, `template uses ${full}, missing in values.yaml`);
      return String(v);
    });
  assert.doesNotMatch(resolved, /\{\{-?\s*(\$r\.|\$up|\.Values|include|toYaml)/, 'unresolved template action left in prometheusrule.yaml');
  return parseYaml(resolved).spec.groups.flatMap((g: any) => g.rules);
}

test(`alert expressions only use metrics the service exports (${source})`, () => {
  assert.ok(known.size >= 10, `expected the metric list to be read; got ${[...known].join(', ')}`);
  const rules = [...composeRules, ...chartRules()];
  assert.ok(rules.length >= 7);
  for (const r of rules) {
    const used = metricsInExpr(r.expr, known);
    // TickcastTargetDown reads Prometheus' own `up` of the scrape job: no tickcast metric exists when the target is down.
    if (r.alert === 'TickcastTargetDown') {
      assert.match(r.expr, /^up\{job="[^"]+"\} == 0 or absent\(up\{job="[^"]+"\}\)$/);
      continue;
    }
    assert.ok(used.length > 0, `${r.alert}: expression uses no tickcast metric: ${r.expr}`);
    for (const m of used) assert.ok(known.has(m), `${r.alert}: ${m} is not exported (see ${source})`);
  }
});

test('the compose rules files and the chart PrometheusRule carry the same alerts and thresholds', () => {
  const values = readYaml('helm/tickcast/values.yaml');
  for (const [name, rule] of Object.entries(values.prometheusRule.rules as Record<string, { enabled: boolean }>)) {
    assert.equal(rule.enabled, true, `prometheusRule.rules.${name} should be on by default (compose loads all rules)`);
  }
  const key = (r: Rule) => JSON.stringify([r.alert, r.expr.trim(), r.for ?? null, r.labels ?? {}, r.annotations ?? {}]);
  assert.deepEqual(chartRules().map(key).sort(), composeRules.map(key).sort());
});

/** The groups of data alerts (what the model saw in users' series); every other group is the service's health. */
const DATA_GROUPS = new Set(['tickcast.anomalies', 'tickcast.band-quality']);

test('every alert has a category to route on: data for the anomaly and band-quality groups, service for the rest', () => {
  // Until 7 Dec 2026 the alerts had only `severity`, so a route on severity="critical" paged the
  // service's on-call for TickcastCriticalAnomaly, a critical anomaly in a user's series.
  let data = 0;
  for (const rel of [COMPOSE_RULES, FINETUNE_RULES]) {
    for (const g of readYaml(rel).groups) {
      for (const r of g.rules as Rule[]) {
        const want = DATA_GROUPS.has(g.name) ? 'data' : 'service';
        assert.equal(r.labels?.category, want, `${rel} ${r.alert} (group ${g.name}): category`);
        if (want === 'data') data++;
      }
    }
  }
  assert.equal(data, 3, 'CriticalAnomaly, AnomalyRateHigh, BandMiscalibrated');
  // The chart and docs/prometheus-rules.yaml carry the same labels (compared with these above and below).
  assert.ok(chartRules().every((r) => r.labels?.category), 'the chart\'s rules carry category');
});

/** Alertmanager's routing (first matching child, no `continue`) over `label="v"` / `label=~"re"` matchers. */
function routeOf(route: any, labels: Record<string, string>): string {
  const matches = (m: string): boolean => {
    const [, name, op, value] = /^(\w+)(=~|=)"(.*)"$/.exec(m) ?? assert.fail(`matcher ${m} not understood`);
    const v = labels[name] ?? '';
    return op === '=' ? v === value : new RegExp(`^(?:${value})$`).test(v);
  };
  for (const child of route.routes ?? []) {
    assert.equal(child.continue, undefined, 'the example uses no continue');
    if ((child.matchers as string[]).every(matches)) return routeOf(child, labels) ?? child.receiver;
  }
  return route.receiver;
}

test("docs/runbook.md's Alertmanager example pages the on-call for critical service alerts only", () => {
  const block = /Route on `category` before `severity`[\s\S]*?```yaml\n([\s\S]*?)```/.exec(read('docs/runbook.md'));
  assert.ok(block, 'docs/runbook.md: the routing example was not found');
  const tree = parseYaml(block[1]).route;
  for (const r of composeRules) {
    const got = routeOf(tree, { alertname: r.alert, ...r.labels! });
    const want = r.labels!.category === 'data' ? 'series-owners' : r.labels!.severity === 'critical' ? 'oncall-pager' : 'oncall-chat';
    assert.equal(got, want, `${r.alert} (${JSON.stringify(r.labels)})`);
  }
  // Without the category route, the critical anomaly would page: the example must keep it first.
  assert.equal(routeOf({ ...tree, routes: tree.routes.slice(1) }, { alertname: 'TickcastCriticalAnomaly', severity: 'critical' }), 'oncall-pager');
});

test('every alert has a severity and an actionable description', () => {
  for (const r of composeRules as any[]) {
    assert.ok(['warning', 'critical'].includes(r.labels?.severity), `${r.alert}: severity`);
    assert.ok(r.annotations?.summary && r.annotations?.description, `${r.alert}: annotations`);
    assert.match(r.alert, /^Tickcast[A-Z]\w+$/);
  }
  const names = composeRules.map((r) => r.alert);
  assert.equal(new Set(names).size, names.length, 'alert names must be unique');
  // ModelStale fires a day after every start without fine-tuning (its metric is the load time), and
  // without fine-tuning no pod holds the lease: not loaded by default.
  assert.deepEqual(rulesOf(FINETUNE_RULES).map((r) => r.alert), ['TickcastModelStale', 'TickcastFinetuneLeaseUnheld']);
  assert.ok(!rulesOf(COMPOSE_RULES).some((r) => r.alert === 'TickcastModelStale'));
  const prom = readYaml('deploy/prometheus/prometheus.yml');
  assert.deepEqual(prom.rule_files, ['/etc/prometheus/rules/*.yml'], 'rules-finetune stays commented out in prometheus.yml');
  assert.match(read('deploy/prometheus/prometheus.yml'), /^ {2}# - \/etc\/prometheus\/rules-finetune\/\*\.yml$/m);
  // What tells a user to load rules-finetune names every alert it holds (it once named only the first).
  const promComment = read('deploy/prometheus/prometheus.yml').split('\n').find((l) => /^\s*#.*only with fine-tuning on/.test(l)) ?? '';
  const composeRow = read('docs/deployment.md').split('\n').find((l) => l.startsWith('| `prometheus` |')) ?? '';
  for (const a of rulesOf(FINETUNE_RULES).map((r) => r.alert)) {
    assert.ok(promComment.includes(a), `prometheus.yml's comment on rules-finetune should name ${a}: ${promComment}`);
    assert.ok(composeRow.includes(a), `docs/deployment.md's compose table (prometheus row) should name ${a}`);
  }
  const target = composeRules.find((r) => r.alert === 'TickcastTargetDown')!;
  assert.ok(target.expr.includes(`up{job="${composeJob}"}`), `TickcastTargetDown must select the compose job ${composeJob}`);
  for (const needed of ['ConsumerLag', 'ModelStale', 'InferenceLatency', 'DeadLetter', 'CriticalAnomaly', 'AnomalyRate', 'TargetDown', 'StalledWithLag', 'IntakePaused', 'ProduceFailing']) {
    assert.ok(names.some((n) => n.includes(needed)), `an alert on ${needed}`);
  }
});

test('alerts whose value is a count (increase, delta) print it as an integer', () => {
  // increase() and delta() extrapolate to the window's edges: until 7 Dec 2026 `$value | humanize`
  // paged "1.012 series were evicted" and "1.053 critical anomaly alert(s)". The chart's rules and
  // docs/prometheus-rules.yaml equal these (compared above and below).
  const counts = composeRules.filter((r) => /\b(increase|delta)\(/.test(r.expr));
  assert.deepEqual(counts.map((r) => r.alert).sort(), ['TickcastCriticalAnomaly', 'TickcastKafkaCommitsFailing', 'TickcastProduceFailing', 'TickcastSeriesCapEvictions', 'TickcastStalledWithLag']);
  for (const r of counts) {
    assert.ok(r.annotations!.description.includes('{{ $value | printf "%.0f" }}'), `${r.alert}: print the count with printf "%.0f"`);
    assert.doesNotMatch(r.annotations!.description, /\$value \| humanize/, `${r.alert}: humanize prints the extrapolated fraction`);
  }
});

test('the Kafka failure alerts open with the first check to run', () => {
  // Until 7 Dec 2026 TickcastKafkaCommitsFailing named its first check after ~500 characters and
  // TickcastProduceFailing at its end: a page read on a phone showed the mechanism, not where to look.
  for (const name of ['TickcastProduceFailing', 'TickcastKafkaCommitsFailing']) {
    const d = composeRules.find((r) => r.alert === name)!.annotations!.description;
    assert.match(d, /^First check: [^.]*(TC_PRODUCE_FAILED|`offset commit failed`)[^.]*\. /, `${name}: ${d.slice(0, 80)}`);
  }
});

const docsRules = join(ROOT, 'docs/prometheus-rules.yaml');
/** alert name → group name, for a file of groups. */
const groupOf = (groups: any[]): Map<string, string> => new Map(groups.flatMap((g) => (g.rules ?? []).filter((r: Rule) => r.alert).map((r: Rule) => [r.alert, g.name])));

test('the rules of docs/prometheus-rules.yaml are in both rule sets, in the same groups, and its header counts them', { skip: !existsSync(docsRules) && 'docs/prometheus-rules.yaml not written yet' }, () => {
  const doc = readYaml('docs/prometheus-rules.yaml');
  const docGroups: any[] = doc.groups ?? doc.spec?.groups ?? [];
  const docRules: Rule[] = docGroups.flatMap((g: any) => g.rules ?? []).filter((r: Rule) => r.alert);
  assert.ok(docRules.length > 0, 'docs/prometheus-rules.yaml has no alert rules');
  const chart = new Map(chartRules().map((r) => [r.alert, r]));
  const compose = new Map(composeRules.map((r) => [r.alert, r]));
  const template = read('helm/tickcast/templates/prometheusrule.yaml');
  const chartGroups = groupOf(parseYaml(template.slice(template.indexOf('spec:')).split('\n').filter((l) => !/^\s*\{\{/.test(l)).join('\n').replace(/\{\{[^}]*\}\}/g, 'x')).spec.groups);
  const composeGroups = new Map([...groupOf(readYaml(COMPOSE_RULES).groups), ...groupOf(readYaml(FINETUNE_RULES).groups)]);
  const docGroupOf = groupOf(docGroups);
  for (const r of docRules) {
    for (const [where, set] of [['compose rules', compose], ['chart', chart]] as const) {
      const got = set.get(r.alert);
      assert.ok(got, `${r.alert} (docs/prometheus-rules.yaml) is missing from the ${where}`);
      assert.equal(got.expr.trim(), r.expr.trim(), `${r.alert}: expression differs in the ${where}`);
      assert.equal(got.for ?? null, r.for ?? null, `${r.alert}: 'for' differs in the ${where}`);
      assert.deepEqual(got.labels, r.labels, `${r.alert}: labels differ in the ${where}`);
      const { runbook_url: _url, ...docAnnotations } = r.annotations ?? {};
      assert.deepEqual(got.annotations, docAnnotations, `${r.alert}: summary/description differ in the ${where}`);
    }
    assert.equal(chartGroups.get(r.alert), docGroupOf.get(r.alert), `${r.alert}: group differs from the chart's`);
    assert.equal(composeGroups.get(r.alert), docGroupOf.get(r.alert), `${r.alert}: group differs from the compose rules'`);
  }
  // The header says how many rules the file holds ("these four").
  const header = read('docs/prometheus-rules.yaml').split('\n').filter((l) => l.startsWith('#')).join(' ');
  const words = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
  assert.match(header, new RegExp(`\\b${words[docRules.length - 1]}\\b`), `the header should count ${docRules.length} rules`);
});

test('Grafana dashboard: valid JSON, every panel queries exported metrics, required panels present', () => {
  const dash = JSON.parse(read('deploy/grafana/dashboards/tickcast.json'));
  assert.equal(dash.uid, 'tickcast-overview');
  const ids = dash.panels.map((p: any) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids must be unique');
  const used = new Set<string>();
  for (const p of dash.panels) {
    assert.ok(p.targets?.length > 0, `${p.title}: no query`);
    for (const t of p.targets) {
      const ms = metricsInExpr(t.expr, known);
      assert.ok(ms.length > 0, `${p.title}: query uses no tickcast metric`);
      for (const m of ms) {
        assert.ok(known.has(m), `${p.title}: ${m} is not exported (see ${source})`);
        used.add(m);
      }
    }
  }
  for (const m of ['tickcast_ticks_total', 'tickcast_forecasts_total', 'tickcast_tick_to_forecast_seconds', 'tickcast_inference_seconds',
    'tickcast_batch_size', 'tickcast_anomalies_total', 'tickcast_dlq_total', 'tickcast_consumer_lag', 'tickcast_model_info']) {
    assert.ok(used.has(m), `the dashboard should chart ${m}`);
  }
});

test('Grafana dashboard: every query selects the release by $namespace and $job, as the rules aggregate, and the pod by $instance', () => {
  // The rules aggregate by (namespace, job) so several releases can share one Prometheus; the job is
  // the Service name, the same for a release "tickcast" in two namespaces. Until 7 Dec 2026 the
  // dashboard had only $job, and summed a staging release into production's panels.
  const dash = JSON.parse(read('deploy/grafana/dashboards/tickcast.json'));
  const vars = new Map<string, any>(dash.templating.list.map((v: any) => [v.name, v]));
  const ns = vars.get('namespace');
  assert.ok(ns, 'the dashboard needs a namespace variable');
  assert.equal(ns.type, 'query');
  assert.match(String(ns.definition), /^label_values\(tickcast_model_info, namespace\)$/);
  // "All" must also match series without the label (the compose stack has no namespace).
  assert.equal(ns.includeAll, true);
  assert.equal(ns.allValue, '.*');
  assert.match(String(vars.get('job')?.definition), /^label_values\(tickcast_model_info\{namespace=~"\$namespace"\}, job\)$/, 'the job list should follow the namespace chosen');
  // An alert's dashboard_url (prometheusRule.dashboardUrl) opens the dashboard on the pod it names
  // (var-instance); until 7 Dec 2026 there was no Pod variable, and a per-pod alert's link showed the release.
  const pod = vars.get('instance');
  assert.ok(pod, 'the dashboard needs an instance (Pod) variable');
  assert.match(String(pod.definition), /^label_values\(tickcast_model_info\{namespace=~"\$namespace",job=~"\$job"\}, instance\)$/, 'the pod list should follow the release chosen');
  assert.equal(pod.includeAll, true);
  assert.equal(pod.allValue, '.*');
  for (const p of dash.panels) {
    for (const t of p.targets) {
      for (const m of String(t.expr).matchAll(/\b(?:tickcast|process|nodejs)_[a-z0-9_]+(\{[^}]*\})?/g)) {
        assert.match(m[1] ?? '', /namespace=~"\$namespace"/, `${p.title} ${t.refId}: ${m[0]} should select namespace=~"$namespace"`);
        assert.match(m[1] ?? '', /job=~"\$job"/, `${p.title} ${t.refId}: ${m[0]} should select job=~"$job"`);
        assert.match(m[1] ?? '', /instance=~"\$instance"/, `${p.title} ${t.refId}: ${m[0]} should select instance=~"$instance"`);
      }
    }
  }
});

// promtool (Debian: apt-get install prometheus) parses PromQL and evaluates the rules on synthetic
// series. Not installed by the project (CI has no need for a Prometheus server); skipped without it.
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
const noPromtool = !promtool && 'promtool not on PATH (apt-get install prometheus to run these)';

function runPromtool(args: string[], cwd = ROOT): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('promtool: the rules files are valid and their unit tests pass (deploy/prometheus/tests)', { skip: noPromtool }, () => {
  for (const rel of [COMPOSE_RULES, FINETUNE_RULES]) {
    const check = runPromtool(['check', 'rules', rel]);
    assert.equal(check.status, 0, check.out);
    assert.match(check.out, new RegExp(`SUCCESS: ${rulesOf(rel).length} rules found`));
  }
  const unit = runPromtool(['test', 'rules', 'tickcast.rules.test.yml'], join(ROOT, 'deploy/prometheus/tests'));
  assert.equal(unit.status, 0, unit.out);
  // Every alert has at least one firing and one quiet case in the unit tests.
  const tests = readYaml('deploy/prometheus/tests/tickcast.rules.test.yml').tests as any[];
  const cases = tests.flatMap((t) => t.alert_rule_test ?? []);
  for (const r of composeRules) {
    assert.ok(cases.some((c) => c.alertname === r.alert && c.exp_alerts.length > 0), `${r.alert}: no firing case`);
    assert.ok(cases.some((c) => c.alertname === r.alert && c.exp_alerts.length === 0), `${r.alert}: no quiet case`);
  }
});

test('promtool: the chart\'s rules (values defaults) and docs/prometheus-rules.yaml are valid rule files', { skip: noPromtool }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tickcast-rules-'));
  try {
    const doc = readYaml('docs/prometheus-rules.yaml');
    const files: Array<[string, unknown, number]> = [
      ['docs.yml', { groups: doc.spec.groups }, doc.spec.groups.flatMap((g: any) => g.rules).length],
      ['chart.yml', { groups: [{ name: 'chart', rules: chartRules() }] }, chartRules().length],
    ];
    for (const [name, content, count] of files) {
      writeFileSync(join(dir, name), toYaml(content));
      const r = runPromtool(['check', 'rules', join(dir, name)]);
      assert.equal(r.status, 0, `${name}: ${r.out}`);
      assert.match(r.out, new RegExp(`SUCCESS: ${count} rules found`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('promtool: every dashboard query is valid PromQL', { skip: noPromtool }, () => {
  const dash = JSON.parse(read('deploy/grafana/dashboards/tickcast.json'));
  const rules = dash.panels.flatMap((p: any, i: number) =>
    p.targets.map((t: any, j: number) => ({ record: `dashboard:panel${i}_${j}`, expr: String(t.expr).replaceAll('$job', '.*').replaceAll('$namespace', '.*').replaceAll('$instance', '.*').replaceAll('$__rate_interval', '1m') })));
  const dir = mkdtempSync(join(tmpdir(), 'tickcast-dash-'));
  try {
    writeFileSync(join(dir, 'dash.yml'), toYaml({ groups: [{ name: 'dashboard', rules }] }));
    const r = runPromtool(['check', 'rules', join(dir, 'dash.yml')]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, new RegExp(`SUCCESS: ${rules.length} rules found`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Grafana dashboard: queries of a histogram that carries exemplars ask for them', async () => {
  // Until 7 Dec 2026 the tick→forecast panel did not: its trace ids reached Prometheus and stayed there,
  // as a provisioned dashboard keeps no toggle a user flips in the editor.
  const withExemplars = createMetrics({ defaultMetrics: false }).registry.getMetricsAsArray()
    .filter((m) => (m as unknown as { enableExemplars?: boolean }).enableExemplars === true).map((m) => m.name);
  assert.deepEqual(withExemplars, ['tickcast_tick_to_forecast_seconds']);
  for (const file of ['deploy/grafana/dashboards/tickcast.json', 'helm/tickcast/dashboards/tickcast.json']) {
    const targets = JSON.parse(read(file)).panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => ({ ...t, panel: p.title })));
    const asking = targets.filter((t: any) => withExemplars.some((n) => String(t.expr).includes(`${n}_bucket`)));
    assert.ok(asking.length > 0, `${file}: no panel charts ${withExemplars.join(', ')}`);
    for (const t of asking) assert.equal(t.exemplar, true, `${file} "${t.panel}" ${t.refId}: set "exemplar": true`);
  }
});

test("docs/deployment.md's counts of the optional checks (rules, dashboard queries, render tests) are the files' counts", () => {
  // It said "10 rules" and "24 dashboard queries" when the files held 13 and 30 (7 Dec 2026).
  const text = read('docs/deployment.md').replace(/\s+/g, ' ');
  const m = /— (\d+) rules found in the compose rules, (\d+) in rules-finetune, all rule unit tests pass, the (\d+) dashboard queries parse; .*? all (\d+) render tests pass/.exec(text);
  assert.ok(m, 'docs/deployment.md: the sentence on the optional checks (promtool, helm-render) was not found');
  const queries = JSON.parse(read('deploy/grafana/dashboards/tickcast.json')).panels.flatMap((p: any) => p.targets ?? []).length;
  const renderTests = [...read('test/unit/deploy/helm-render.test.ts').matchAll(/^test\(/gm)].length;
  assert.deepEqual(m.slice(1).map(Number), [rulesOf(COMPOSE_RULES).length, rulesOf(FINETUNE_RULES).length, queries, renderTests],
    'docs/deployment.md: compose rules, rules-finetune rules, dashboard queries, render tests');
});
