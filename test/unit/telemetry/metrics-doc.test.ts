import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMetrics, httpMetrics } from '../../../src/telemetry/metrics.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every metric registered in src/ is documented in docs/metrics.md, and vice versa', async () => {
  const doc = readFileSync(join(root, 'docs/metrics.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\| `(tickcast_[a-z_]+)`/gm)].map((m) => m[1]));
  const m = createMetrics({ defaultMetrics: false });
  const registered = new Set((await m.registry.getMetricsAsJSON()).map((x) => x.name));
  for (const f of sources(join(root, 'src'))) {
    for (const mm of readFileSync(f, 'utf8').matchAll(/name = '(tickcast_[a-z_]+)'|name: '(tickcast_[a-z_]+)'/g)) registered.add(mm[1] ?? mm[2]);
  }
  assert.deepEqual([...registered].filter((n) => !documented.has(n)).sort(), [], 'registered but undocumented');
  assert.deepEqual([...documented].filter((n) => !registered.has(n)).sort(), [], 'documented but not registered');
});

test('docs/metrics.md gives each metric of the registry its type and every label it carries', async () => {
  const doc = readFileSync(join(root, 'docs/metrics.md'), 'utf8');
  // Cells split on unescaped '|' (a cell may hold `a \| b`).
  const rows = new Map(doc.split('\n').filter((l) => /^\| `tickcast_/.test(l)).map((l) => {
    const c = l.split(/(?<!\\)\|/).map((x) => x.trim());
    return [c[1].slice(1, -1), { type: c[2], labels: new Set([...c[3].matchAll(/`([a-z_]+)`/g)].map((x) => x[1])) }] as const;
  }));
  const m = createMetrics({ defaultMetrics: false });
  httpMetrics(m.registry, () => 0); // the HTTP adapter's, made on the app's registry when the server is built
  const wrong: string[] = [];
  let checked = 0;
  for (const j of await m.registry.getMetricsAsJSON()) {
    const row = rows.get(j.name);
    if (!row) continue; // the test above reports it
    checked++;
    if (row.type !== String(j.type)) wrong.push(`${j.name}: documented as ${row.type}, registered as ${j.type}`);
    const labels: string[] = (m.registry.getSingleMetric(j.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
    for (const l of labels) if (!row.labels.has(l)) wrong.push(`${j.name}: label ${l} not documented`);
    if (labels.length === 0 && row.labels.size > 0) wrong.push(`${j.name}: documents labels ${[...row.labels].join(', ')} but has none`);
  }
  assert.ok(checked >= 40, `expected the registry's metrics; checked ${checked}`);
  assert.deepEqual(wrong, []);
});

test('src/telemetry/metrics.ts and src/telemetry/metrics/ define every tickcast_ metric (the one owner; docs/metrics.md names it)', () => {
  // Until 7 Dec 2026 the HTTP adapter defined its three (tickcast_http_*) in server.ts and api-key-reload.ts.
  // Since then metrics.ts keeps createMetrics and each area's metrics are a file of ./metrics/.
  // A metric class of src (StatusGauge extends Gauge) takes its name as an argument, not `name:`:
  // until 7 Dec 2026 (night) `new StatusGauge(r, read, 'tickcast_x', …)` anywhere in src/ passed.
  const owner = (f: string) => f === join(root, 'src/telemetry/metrics.ts') || f.startsWith(join(root, 'src/telemetry/metrics/'));
  const files = sources(join(root, 'src'));
  const classes = ['Counter', 'Gauge', 'Histogram', 'Summary'];
  for (const f of files) for (const c of readFileSync(f, 'utf8').matchAll(/class (\w+)(?:<[^>]*>)? extends (?:Counter|Gauge|Histogram|Summary)\b/g)) classes.push(c[1]);
  const made = new RegExp(`name = ['"\`](tickcast_[a-z_]+)['"\`]|name: ['"\`](tickcast_[a-z_]+)['"\`]|new (?:\\w+\\.)?(?:${classes.join('|')})\\b`, 'g');
  const elsewhere: string[] = [];
  for (const f of files) {
    if (owner(f)) continue;
    for (const mm of readFileSync(f, 'utf8').matchAll(made)) elsewhere.push(`${f.slice(root.length)}: ${mm[1] ?? mm[2] ?? mm[0]}`);
  }
  assert.ok(classes.includes('StatusGauge'), `the metric classes of src/ were not found: ${classes.join(', ')}`);
  assert.deepEqual(elsewhere, []);
});

test('every file of src/telemetry/metrics/ is wired into metrics.ts (no group registered by nobody)', () => {
  const entry = readFileSync(join(root, 'src/telemetry/metrics.ts'), 'utf8');
  const imported = new Set([...entry.matchAll(/from '\.\/metrics\/([a-z-]+\.ts)'/g)].map((m) => m[1]));
  const dir = join(root, 'src/telemetry/metrics');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ts')) : [];
  assert.deepEqual(files.filter((f) => !imported.has(f)), []);
});
