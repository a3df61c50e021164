/**
 * docs/deployment.md "Values reference": the defaults it states are values.yaml's. helm-chart.test.ts
 * checks that the table lists every key; this checks the Default column where it is written as code:
 * `a` / `b` for keys `x` / `.y`, or `key: value` pairs for a section (`records: 10000`, `for: 10m`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPath, read, readYaml } from './repo.ts';

const values = readYaml('helm/tickcast/values.yaml');

/** A value as the table writes it: strings bare, {} and [] for empty maps and lists. */
function shown(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.join(', ')}]`;
  if (v && typeof v === 'object') return Object.keys(v).length === 0 ? '{}' : JSON.stringify(v);
  return String(v);
}

function rows(): Array<{ keys: string[]; defaults: string }> {
  const doc = read('docs/deployment.md');
  const start = doc.indexOf('### Values reference');
  const table = doc.slice(start, doc.indexOf('\n### ', start + 1));
  return table.split('\n').filter((l) => l.startsWith('| `')).map((l) => {
    const cells = l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
    return { keys: cells[0].split(' / ').map((k) => k.replace(/`/g, '').trim()), defaults: cells[1] };
  });
}

test('the Values reference states the defaults of values.yaml', () => {
  const wrong: string[] = [];
  let checked = 0;
  for (const { keys, defaults } of rows()) {
    const parts = defaults.split(' / ').map((d) => d.trim());
    const pairs = keys.length === 1 && /^`\w+: /.test(defaults);
    if (!pairs && parts.length === keys.length && parts.every((d) => /^`[^`]*`/.test(d))) {
      let base = '';
      keys.forEach((k, i) => {
        const key = k.startsWith('.') ? `${base}${k}` : k;
        if (!k.startsWith('.')) base = key.includes('.') ? key.slice(0, key.lastIndexOf('.')) : key;
        const v = getPath(values, key);
        if (v === undefined || /[<{*]/.test(key)) return;
        const stated = /^`([^`]*)`/.exec(parts[i])![1].replace(/^"(.*)"$/, '$1');
        checked++;
        // A map written as its one entry: `grafana_dashboard: "1"`.
        const entry = /^(\w+): "?([^"]*)"?$/.exec(stated);
        if (entry && v && typeof v === 'object' && !Array.isArray(v)) {
          if (shown(getPath(v, entry[1])) !== entry[2]) wrong.push(`${key}.${entry[1]}: the table says ${entry[2]}, values.yaml ${shown(getPath(v, entry[1]))}`);
          return;
        }
        if (stated !== shown(v)) wrong.push(`${key}: the table says ${stated}, values.yaml ${shown(v)}`);
      });
      continue;
    }
    // `key: value` pairs of one section.
    const section = keys[0].replace(/\.\*$/, '');
    if (keys.length !== 1 || /[<{]/.test(section)) continue;
    for (const m of defaults.matchAll(/`(\w+): ([^`]*)`/g)) {
      const v = getPath(values, `${section}.${m[1]}`);
      if (v === undefined || (v !== null && typeof v === 'object')) continue;
      checked++;
      const stated = m[2].replace(/^"(.*)"$/, '$1');
      if (stated !== shown(v)) wrong.push(`${section}.${m[1]}: the table says ${stated}, values.yaml ${shown(v)}`);
    }
  }
  assert.ok(checked >= 60, `expected the table's defaults; compared ${checked}`);
  assert.deepEqual(wrong, []);
});
