/**
 * Range windows against scrape intervals. rate()/increase()/delta() need at least two samples in
 * their window and are only steady with about four, and the chart lets the scrape interval be
 * anything (serviceMonitor.interval; Prometheus' own default is 1m, kube-prometheus-stack's 30s):
 * a fixed window in a rule or the shipped dashboard must span four scrapes at 1m, or be Grafana's
 * `$__rate_interval` (four scrapes of the data source's interval, whatever it is). The compose
 * stack's Grafana data source states the scrape interval prometheus.yml uses, so that
 * `$__rate_interval` is computed from the real one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { read, readYaml } from './repo.ts';

/** The longest scrape interval the shipped queries must work with (Prometheus' default). */
const LONGEST_SCRAPE_S = 60;
const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };

function seconds(d: string): number {
  let total = 0;
  for (const [, n, u] of d.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * UNIT_S[u];
  return total;
}

/** Range selectors `[5m]` / `[$__rate_interval]` of an expression (subquery steps `[1h:5m]` give their range). */
const ranges = (expr: string): string[] => [...expr.matchAll(/\[([^\]:]+)(?::[^\]]*)?\]/g)].map((m) => m[1]);

function tooShort(where: string, expr: string): string[] {
  return ranges(expr).filter((r) => r !== '$__rate_interval' && !(seconds(r) >= 4 * LONGEST_SCRAPE_S)).map((r) => `${where}: [${r}] in ${expr}`);
}

test('ranges are read from expressions, durations in seconds', () => {
  assert.deepEqual(ranges('rate(a[1m]) / max_over_time(b[$__rate_interval]) + c[1h:5m]'), ['1m', '$__rate_interval', '1h']);
  assert.equal(seconds('1m30s'), 90);
  assert.deepEqual(tooShort('x', 'rate(a[1m])').length, 1);
  assert.deepEqual(tooShort('x', 'rate(a[5m]) + rate(b[$__rate_interval])'), []);
});

test('every range window of the rules and the shipped dashboards spans four scrapes at a 1m scrape interval, or is $__rate_interval', () => {
  const short: string[] = [];
  for (const rel of ['deploy/prometheus/rules/tickcast.rules.yml', 'deploy/prometheus/rules-finetune/tickcast-finetune.rules.yml']) {
    for (const r of readYaml(rel).groups.flatMap((g: any) => g.rules)) short.push(...tooShort(`${rel} ${r.alert}`, r.expr));
  }
  for (const r of readYaml('docs/prometheus-rules.yaml').spec.groups.flatMap((g: any) => g.rules)) short.push(...tooShort(`docs/prometheus-rules.yaml ${r.alert}`, r.expr));
  // The chart's rule ranges are literal in the template or values (minutes): the same check on the text.
  for (const m of read('helm/tickcast/templates/prometheusrule.yaml').matchAll(/\[(\d+(?:ms|s|m|h|d))\]/g)) short.push(...tooShort('helm/tickcast/templates/prometheusrule.yaml', m[0]));
  for (const rel of ['deploy/grafana/dashboards/tickcast.json', 'helm/tickcast/dashboards/tickcast.json']) {
    for (const p of JSON.parse(read(rel)).panels) for (const t of p.targets ?? []) short.push(...tooShort(`${rel} "${p.title}"`, t.expr));
  }
  assert.deepEqual(short, [], 'a window this short is empty or jumps between 0 and 2× with a 1m (or 30s) scrape interval');
});

test("the compose Grafana data source states prometheus.yml's scrape interval (what $__rate_interval is computed from)", () => {
  const scrape: string = readYaml('deploy/prometheus/prometheus.yml').global.scrape_interval;
  const ds = readYaml('deploy/grafana/provisioning/datasources/prometheus.yml').datasources.find((d: any) => d.type === 'prometheus');
  assert.equal(ds?.jsonData?.timeInterval, scrape, 'datasources/prometheus.yml: jsonData.timeInterval should be the scrape interval');
});

/** rate()/irate() ranges of an expression: `rate(x{...}[5m])` gives `5m`. */
const rateRanges = (expr: string): string[] => [...expr.matchAll(/\b(?:rate|irate)\(\s*[a-zA-Z_:][\w:]*(?:\{[^}]*\})?\[([^\]]+)\]/g)].map((m) => m[1]);
/** increase() ranges of an expression. */
const increaseRanges = (expr: string): string[] => [...expr.matchAll(/\bincrease\(\s*[a-zA-Z_:][\w:]*(?:\{[^}]*\})?\[([^\]]+)\]/g)].map((m) => m[1]);

test('rate and increase ranges are read from a dashboard expression', () => {
  assert.deepEqual(rateRanges('sum(rate(a{job=~"$job"}[5m])) + irate(b[$__rate_interval]) + increase(c[15m])'), ['5m', '$__rate_interval']);
  assert.deepEqual(increaseRanges('sum(increase(c{x="y"}[15m])) + rate(a[5m])'), ['15m']);
});

test('dashboards: every rate()/irate() uses $__rate_interval; a fixed increase() window is stated on the panel', () => {
  // Until 7 Dec 2026 three panels (anomalies, dead letters, HTTP p99) used [5m]: a fixed window
  // ignores the data source's scrape interval, and zoomed out past a 5m step the points skip the
  // samples between windows. Grafana's $__rate_interval is max(4 × scrape interval, step + scrape interval).
  const wrong: string[] = [];
  for (const rel of ['deploy/grafana/dashboards/tickcast.json', 'helm/tickcast/dashboards/tickcast.json']) {
    for (const p of JSON.parse(read(rel)).panels) {
      for (const t of p.targets ?? []) {
        for (const r of rateRanges(t.expr)) if (r !== '$__rate_interval') wrong.push(`${rel} "${p.title}" ${t.refId}: rate over [${r}]`);
        // A count over a fixed window ("rounds per 15 minutes") is a choice, but the reader must be told it.
        for (const r of increaseRanges(t.expr)) {
          if (r === '$__rate_interval') continue;
          const minutes = seconds(r) / 60;
          const stated = new RegExp(`\\b(${r}|${minutes} ?min(ute)?s?)\\b`).test(`${p.title} ${p.description ?? ''}`);
          if (!stated) wrong.push(`${rel} "${p.title}" ${t.refId}: increase over [${r}] not stated in the title or description`);
        }
      }
    }
  }
  assert.deepEqual(wrong, []);
});
