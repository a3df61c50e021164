/**
 * Alert rules and dashboard queries: only metrics the service exports, the compose rules file
 * and the chart's PrometheusRule agree (thresholds = chart defaults), and the anomaly rules
 * documented in docs/prometheus-rules.yaml are carried by both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { ROOT, exportedMetricNames, getPath, metricsInExpr, read, readYaml } from './repo.ts';

interface Rule { alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }

const { names: known, source } = exportedMetricNames();
const composeRules: Rule[] = readYaml('deploy/prometheus/rules/tickcast.rules.yml').groups.flatMap((g: any) => g.rules);

/**
 * The chart's rules with `{{ $r.x.y }}` / `{{ .Values.x.y }}` replaced by values.yaml defaults.
 * The template body between `spec:` and the final end is YAML once the actions are resolved:
 * if/end lines are dropped (every rule is enabled by default — asserted below) and
 * {{`...`}} raw strings unwrapped.
 */
function chartRules(): Rule[] {
  const values = readYaml('helm/tickcast/values.yaml');
  const text = read('helm/tickcast/templates/prometheusrule.yaml');
  const body = text.slice(text.indexOf('spec:'));
  assert.equal(values.prometheusRule.runbookBaseUrl, '', 'the compose file has no runbook_url: keep the default empty');
  const resolved = body
    .replace(/\n\s*\{\{-? with \$\.Values\.prometheusRule\.runbookBaseUrl \}\}[\s\S]*?\{\{-? end \}\}/g, '')
    .split('\n')
    .filter((line) => !/^\s*\{\{-?\s*(if|end)\b.*\}\}\s*$/.test(line))
    .join('\n')
    .replace(/\{\{`([^`]*)`\}\}/g, '$1')
    .replace(/\{\{-?\s*(\$r|\.Values)\.([\w.]+)\s*-?\}\}/g, (_m, base: string, path: string) => {
      const full = base === '$r' ? `prometheusRule.rules.${path}` : path;
      const v = getPath(values, full);
      assert.notEqual(v, undefined, `template uses ${full}, missing in values.yaml`);
      return String(v);
    });
  assert.doesNotMatch(resolved, /\{\{-?\s*(\$r\.|\.Values|include|toYaml)/, 'unresolved template action left in prometheusrule.yaml');
  return parseYaml(resolved).spec.groups.flatMap((g: any) => g.rules);
}

test(`alert expressions only use metrics the service exports (${source})`, () => {
  assert.ok(known.size >= 10, `expected the metric list to be read; got ${[...known].join(', ')}`);
  const rules = [...composeRules, ...chartRules()];
  assert.ok(rules.length >= 7);
  for (const r of rules) {
    const used = metricsInExpr(r.expr, known);
    assert.ok(used.length > 0, `${r.alert}: expression uses no tickcast metric: ${r.expr}`);
    for (const m of used) assert.ok(known.has(m), `${r.alert}: ${m} is not exported (see ${source})`);
  }
});

test('the compose rules file and the chart PrometheusRule carry the same alerts and thresholds', () => {
  const values = readYaml('helm/tickcast/values.yaml');
  for (const [name, rule] of Object.entries(values.prometheusRule.rules as Record<string, { enabled: boolean }>)) {
    assert.equal(rule.enabled, true, `prometheusRule.rules.${name} should be on by default (compose loads all rules)`);
  }
  const key = (r: Rule) => JSON.stringify([r.alert, r.expr.trim(), r.for ?? null, r.labels ?? {}, r.annotations ?? {}]);
  assert.deepEqual(chartRules().map(key).sort(), composeRules.map(key).sort());
});

test('every alert has a severity and an actionable description', () => {
  for (const r of composeRules as any[]) {
    assert.ok(['warning', 'critical'].includes(r.labels?.severity), `${r.alert}: severity`);
    assert.ok(r.annotations?.summary && r.annotations?.description, `${r.alert}: annotations`);
    assert.match(r.alert, /^Tickcast[A-Z]\w+$/);
  }
  const names = composeRules.map((r) => r.alert);
  assert.equal(new Set(names).size, names.length, 'alert names must be unique');
  for (const needed of ['ConsumerLag', 'ModelStale', 'InferenceLatency', 'DeadLetter', 'CriticalAnomaly', 'AnomalyRate']) {
    assert.ok(names.some((n) => n.includes(needed)), `an alert on ${needed}`);
  }
});

const docsRules = join(ROOT, 'docs/prometheus-rules.yaml');
test('the anomaly rules of docs/prometheus-rules.yaml are in both rule sets', { skip: !existsSync(docsRules) && 'docs/prometheus-rules.yaml not written yet' }, () => {
  const doc = readYaml('docs/prometheus-rules.yaml');
  const docRules: Rule[] = (doc.groups ?? doc.spec?.groups ?? []).flatMap((g: any) => g.rules ?? []).filter((r: Rule) => r.alert);
  assert.ok(docRules.length > 0, 'docs/prometheus-rules.yaml has no alert rules');
  const chart = new Map(chartRules().map((r) => [r.alert, r]));
  const compose = new Map(composeRules.map((r) => [r.alert, r]));
  for (const r of docRules) {
    for (const [where, set] of [['compose rules', compose], ['chart', chart]] as const) {
      const got = set.get(r.alert);
      assert.ok(got, `${r.alert} (docs/prometheus-rules.yaml) is missing from the ${where}`);
      assert.equal(got.expr.trim(), r.expr.trim(), `${r.alert}: expression differs in the ${where}`);
    }
  }
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

// promtool (Debian: apt-get install prometheus) parses PromQL and evaluates the rules on synthetic
// series. Not installed by the project (CI has no need for a Prometheus server); skipped without it.
const promtool = spawnSync('promtool', ['--version'], { encoding: 'utf8' }).status === 0;
const noPromtool = !promtool && 'promtool not on PATH (apt-get install prometheus to run these)';

function runPromtool(args: string[], cwd = ROOT): { status: number | null; out: string } {
  const r = spawnSync('promtool', args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('promtool: the rules file is valid and its unit tests pass (deploy/prometheus/tests)', { skip: noPromtool }, () => {
  const check = runPromtool(['check', 'rules', 'deploy/prometheus/rules/tickcast.rules.yml']);
  assert.equal(check.status, 0, check.out);
  assert.match(check.out, new RegExp(`SUCCESS: ${composeRules.length} rules found`));
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

test('promtool: every dashboard query is valid PromQL', { skip: noPromtool }, () => {
  const dash = JSON.parse(read('deploy/grafana/dashboards/tickcast.json'));
  const rules = dash.panels.flatMap((p: any, i: number) =>
    p.targets.map((t: any, j: number) => ({ record: `dashboard:panel${i}_${j}`, expr: String(t.expr).replaceAll('$job', '.*') })));
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
