#!/usr/bin/env node
// Import cycles in src/: a cycle is a design bug (docs/architecture.md § Layers). Reads every
// static `import … from '…'` / `export … from '…'` and `import('…')` (type-only imports included: they still say two
// modules know each other) between files under src/, finds strongly connected components
// (Tarjan) and fails with each cycle's files unless the cycle is allowlisted in lint-limits.js.
//
//   node scripts/check-cycles.mjs        exit 1 and a list when a cycle exists; run by `npm test`.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMPORT_CYCLES } from '../lint-limits.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const files = walk(src);
const known = new Set(files);
const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
/** @type {Map<string, string[]>} */
const graph = new Map();
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const deps = new Set();
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2];
    if (!spec.startsWith('.')) continue;
    const target = resolve(dirname(f), spec);
    if (known.has(target)) deps.add(target);
  }
  graph.set(f, [...deps]);
}

// Tarjan's strongly connected components.
let index = 0;
const stack = [];
const onStack = new Set();
const idx = new Map();
const low = new Map();
const components = [];
function connect(v) {
  idx.set(v, index);
  low.set(v, index);
  index++;
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v)) {
    if (!idx.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const comp = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1 || graph.get(v).includes(v)) components.push(comp.map((p) => relative(root, p)).sort());
  }
}
for (const f of files) if (!idx.has(f)) connect(f);

const allowed = new Set(IMPORT_CYCLES.map((c) => [...c.files].sort().join(' ')));
const bad = components.filter((c) => !allowed.has(c.join(' ')));
if (bad.length > 0) {
  console.error(`import cycles in src/ (${bad.length}); break them (a port in pipeline/ports.ts, or move the shared part down):`);
  for (const c of bad) console.error(`  ${c.join(' ↔ ')}`);
  process.exit(1);
}
console.log(`no import cycles in src/ (${files.length} files${allowed.size ? `, ${allowed.size} allowlisted` : ''})`);
