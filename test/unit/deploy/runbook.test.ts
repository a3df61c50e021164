/**
 * docs/runbook.md against the rule files and the config: every alert of every rule file (compose
 * rules, the fine-tuning rules, the chart's PrometheusRule template, docs/prometheus-rules.yaml)
 * has a `### <AlertName>` section, every runbook_url those files carry names an existing docs file
 * and a heading anchor in it (GitHub's slugs) — the alert's own section — and every section is
 * for an alert that exists. Config keys the runbook names exist (docs/configuration.md lists every
 * key), and the metric names the operator docs tell people to query are exported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, exportedMetricNames, hasPath, metricsInExpr, read, readYaml } from './repo.ts';
import { anchors, headings } from './markdown.ts';

const RULE_FILES = ['deploy/prometheus/rules/tickcast.rules.yml', 'deploy/prometheus/rules-finetune/tickcast-finetune.rules.yml'];
const TEMPLATE = 'helm/tickcast/templates/prometheusrule.yaml';
const DOC_RULES = 'docs/prometheus-rules.yaml';

test('anchors follow GitHub: case, punctuation, code spans, repeats', () => {
  assert.deepEqual([...anchors('# A\n## Local stack: docker compose\n### `TickcastX`\n```\n# not a heading\n```\n## A\n')],
    ['a', 'local-stack-docker-compose', 'tickcastx', 'a-1']);
});

interface Alert { alert: string; runbookUrl: string | null; runbook: string | null; where: string }

function ruleFileAlerts(): Alert[] {
  const out: Alert[] = [];
  for (const rel of RULE_FILES) {
    for (const g of readYaml(rel).groups) for (const r of g.rules) if (r.alert) out.push({ alert: r.alert, runbookUrl: r.annotations?.runbook_url ?? null, runbook: r.annotations?.runbook ?? null, where: rel });
  }
  for (const g of readYaml(DOC_RULES).spec.groups) for (const r of g.rules) if (r.alert) out.push({ alert: r.alert, runbookUrl: r.annotations?.runbook_url ?? null, runbook: r.annotations?.runbook ?? null, where: DOC_RULES });
  // The template: each `- alert:` block up to the next one; runbook_url is `"{{ . }}/<file>#<anchor>"`.
  const blocks = read(TEMPLATE).split(/(?=^\s*- alert: )/m).slice(1);
  for (const b of blocks) {
    const name = /- alert: (\w+)/.exec(b)![1];
    const url = /runbook_url: "\{\{ \. \}\}\/([^"]+)"/.exec(b)?.[1] ?? null;
    // Outside the runbookBaseUrl block: rendered whatever the values.
    const plain = b.replace(/\{\{-? with \$\.Values\.prometheusRule\.runbookBaseUrl \}\}[\s\S]*?\{\{-? end \}\}/, '');
    out.push({ alert: name, runbookUrl: url, runbook: /^\s*runbook: "([^"]+)"$/m.exec(plain)?.[1] ?? null, where: TEMPLATE });
  }
  return out;
}

const runbook = read('docs/runbook.md');

test('every alert of every rule file has a runbook section, and every section an alert', () => {
  const alerts = ruleFileAlerts();
  const names = new Set(alerts.map((a) => a.alert));
  assert.ok(names.size >= 11, `expected the alerts of all rule files; got ${[...names].join(', ')}`);
  for (const where of [...RULE_FILES, TEMPLATE, DOC_RULES]) assert.ok(alerts.some((a) => a.where === where), `no alert read from ${where}`);
  // Sections: level-3 headings under "## Alerts".
  const hs = headings(runbook);
  const start = hs.findIndex((h) => h.level === 2 && h.text === 'Alerts');
  assert.ok(start >= 0, 'docs/runbook.md needs an "## Alerts" section');
  const end = hs.findIndex((h, i) => i > start && h.level <= 2);
  const sections = hs.slice(start + 1, end < 0 ? undefined : end).filter((h) => h.level === 3).map((h) => h.text);
  for (const n of names) assert.ok(sections.includes(n), `docs/runbook.md has no "### ${n}" section`);
  for (const s of sections) assert.ok(names.has(s), `docs/runbook.md section "${s}" is for no alert of the rule files`);
});

test('every runbook_url names an existing docs file and heading anchor: the alert\'s own runbook section', () => {
  const cache = new Map<string, Set<string>>();
  const anchorsOf = (file: string): Set<string> => {
    if (!cache.has(file)) cache.set(file, anchors(read(`docs/${file}`)));
    return cache.get(file)!;
  };
  let checked = 0;
  for (const a of ruleFileAlerts()) {
    if (a.where.startsWith('deploy/') || a.where === DOC_RULES) {
      // The compose stack and the plain PrometheusRule have no docs URL to link to; the chart adds
      // them from prometheusRule.runbookBaseUrl. Until 7 Dec 2026 docs/prometheus-rules.yaml carried
      // https://github.com/your-org/… placeholders: applied as documented, every page linked a
      // repository that is not the user's (a 404, or a stranger's organisation).
      assert.equal(a.runbookUrl, null, `${a.where}: ${a.alert}: runbook_url`);
      continue;
    }
    assert.ok(a.runbookUrl, `${a.where}: ${a.alert} has no runbook_url`);
    const [file, anchor] = a.runbookUrl.split('#');
    assert.ok(existsSync(join(ROOT, 'docs', file)), `${a.where}: ${a.alert}: docs/${file} does not exist`);
    assert.ok(anchor, `${a.where}: ${a.alert}: runbook_url ${a.runbookUrl} has no anchor`);
    assert.ok(anchorsOf(file).has(anchor), `${a.where}: ${a.alert}: docs/${file} has no heading with anchor #${anchor}`);
    assert.equal(`${file}#${anchor}`, `runbook.md#${a.alert.toLowerCase()}`, `${a.where}: ${a.alert} should link its runbook section`);
    checked++;
  }
  assert.ok(checked >= 14, `expected the chart's alerts; got ${checked}`);
});

test('every alert of every rule file names its runbook section in a `runbook` annotation, link or no link', () => {
  // The chart's runbook_url needs prometheusRule.runbookBaseUrl (no public URL to default to) and the
  // compose rules have none: until 7 Dec 2026 their alerts then reached the on-call with no pointer
  // to the runbook at all. `runbook` is a repository path, never a broken link.
  const sections = anchors(runbook);
  let checked = 0;
  for (const a of ruleFileAlerts()) {
    assert.equal(a.runbook, `docs/runbook.md#${a.alert.toLowerCase()}`, `${a.where}: ${a.alert}: runbook annotation`);
    assert.ok(sections.has(a.alert.toLowerCase()), `${a.where}: ${a.alert}: docs/runbook.md has no such heading`);
    checked++;
  }
  assert.ok(checked >= 30, `expected every rule file's alerts; got ${checked}`);
});

test('config keys named in docs/runbook.md exist (docs/configuration.md)', () => {
  const listed = new Set([...read('docs/configuration.md').matchAll(/^\| `([a-zA-Z][\w.]*)` \|/gm)].map((m) => m[1]));
  assert.ok(listed.size > 100, `expected the configuration reference table; got ${listed.size} keys`);
  const sections = new Set([...listed].map((k) => k.split('.')[0]));
  const values = readYaml('helm/tickcast/values.yaml');
  const named = [...runbook.matchAll(/`([a-z][a-zA-Z]*(?:\.[a-zA-Z][a-zA-Z0-9]*)+)(?::[^`]*)?`/g)].map((m) => m[1]).filter((k) => sections.has(k.split('.')[0]));
  assert.ok(named.length >= 20, `expected the runbook to name config keys; found ${named.length}`);
  // A chart value with a config section's name (snapshots.mountPath) is fine too.
  const unknown = [...new Set(named)].filter((k) => !listed.has(k) && !hasPath(values, k));
  assert.deepEqual(unknown, [], 'docs/runbook.md names config keys that do not exist (docs/configuration.md)');
});

test('metric names in the operator docs (runbook, errors, deployment) are exported', () => {
  const { names, source } = exportedMetricNames();
  for (const rel of ['docs/runbook.md', 'docs/errors.md', 'docs/deployment.md']) {
    const used = metricsInExpr(read(rel), names).filter((m) => m.startsWith('tickcast_'));
    assert.ok(used.length > 0, rel);
    assert.deepEqual(used.filter((m) => !names.has(m)), [], `${rel} names metrics that are not exported (${source})`);
  }
});
