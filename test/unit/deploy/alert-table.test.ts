/**
 * docs/deployment.md's alert table (| Alert | Expression | Severity | Category | First look at |) against the
 * rule files: one row per alert the compose rules, the fine-tuning rules and the chart template
 * define, with the rule's severity and category, and the rule's `for` stated as "for <duration>".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { read, readYaml } from './repo.ts';

interface Rule { alert: string; for?: string; labels: { severity: string; category: string } }

const RULE_FILES = ['deploy/prometheus/rules/tickcast.rules.yml', 'deploy/prometheus/rules-finetune/tickcast-finetune.rules.yml'];

function tableRows(): Map<string, { condition: string; severity: string; category: string }> {
  const lines = read('docs/deployment.md').split('\n');
  const start = lines.findIndex((l) => /^\| Alert \| Expression/.test(l));
  assert.ok(start >= 0, 'docs/deployment.md has no alert table');
  const rows = new Map<string, { condition: string; severity: string; category: string }>();
  for (const l of lines.slice(start + 2)) {
    if (!l.startsWith('|')) break;
    // Cells split on pipes outside code spans (expressions hold `a | b`-free PromQL, but be safe).
    const cells = l.replace(/`[^`]*`/g, (c) => c.replaceAll('|', '\u0000')).split('|').slice(1, -1).map((c) => c.replaceAll('\u0000', '|').trim());
    rows.set(cells[0].replace(/`/g, ''), { condition: cells[1], severity: cells[2], category: cells[3] });
  }
  return rows;
}

test("docs/deployment.md's alert table has a row per alert, with the rule's severity, category and `for`", () => {
  const rules: Rule[] = RULE_FILES.flatMap((f) => readYaml(f).groups.flatMap((g: any) => g.rules));
  const template = new Set([...read('helm/tickcast/templates/prometheusrule.yaml').matchAll(/- alert: (\w+)/g)].map((m) => m[1]));
  const rows = tableRows();
  const names = new Set([...rules.map((r) => r.alert), ...template]);
  assert.deepEqual([...names].filter((n) => !rows.has(n)).sort(), [], 'alerts without a row in docs/deployment.md');
  assert.deepEqual([...rows.keys()].filter((n) => !names.has(n)).sort(), [], 'rows for alerts no rule file defines');
  for (const r of rules) {
    const row = rows.get(r.alert)!;
    assert.equal(row.severity, r.labels.severity, `${r.alert}: severity`);
    assert.equal(row.category, r.labels.category, `${r.alert}: category (what to route on besides severity)`);
    if (r.for) assert.match(row.condition, new RegExp(`\\bfor ${r.for}\\b`), `${r.alert}: the row should say "for ${r.for}"`);
  }
});
