import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMetrics } from '../../../src/telemetry/metrics.ts';

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
