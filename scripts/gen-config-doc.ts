/**
 * Regenerates the reference table in docs/configuration.md from src/config/schema.ts and its
 * sections in src/config/schema/ (keys, env names, types, defaults and the doc comment above each
 * key). Run: npx tsx scripts/gen-config-doc.ts
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { configKeys } from '../src/config/load.ts';
import { configSchema } from '../src/config/schema.ts';

// Doc comments: the top-level keys in schema.ts, each section's keys in its file under
// src/config/schema/ (`export const <section>Section = z` starts a section; its keys are indented 4).
const read = (rel: string) => readFileSync(new URL(rel, import.meta.url), 'utf8').split('\n');
const sectionDir = new URL('../src/config/schema/', import.meta.url);
const sources = [
  { lines: read('../src/config/schema.ts'), topLevel: true },
  ...readdirSync(sectionDir)
    .filter((f) => f.endsWith('.ts'))
    .sort()
    .map((f) => ({ lines: read(`../src/config/schema/${f}`), topLevel: false })),
];
const comments = new Map<string, string>();
for (const { lines, topLevel } of sources) {
  let section = '';
  let pending: string[] = [];
  let inComment = false;
  for (const line of lines) {
    const t = line.trim();
    if (t.startsWith('/**')) {
      inComment = true;
      pending = [];
    }
    if (inComment) {
      pending.push(t.replace(/^\/\*\*|\*\/$|^\*/g, '').trim());
      if (t.endsWith('*/')) inComment = false;
      continue;
    }
    const sec = topLevel ? null : /^export const (\w+)Section = z$/.exec(line);
    const top = topLevel ? /^ {4}(\w+): z\./.exec(line) : null;
    const leaf = topLevel ? null : /^ {4}(\w+): /.exec(line);
    if (sec) section = sec[1];
    const key = top ? top[1] : leaf && section ? `${section}.${leaf[1]}` : null;
    if (key && pending.length) comments.set(key, pending.join(' ').replace(/\s+/g, ' ').trim());
    if (key || sec) pending = [];
  }
}

const defaults = configSchema.parse({}) as Record<string, any>;
const get = (path: string) => path.split('.').reduce<any>((o, k) => (o === undefined ? undefined : o[k]), defaults);
const rows = configKeys().map(({ path, kind, env }) => {
  const d = get(path);
  const shown = d === undefined ? '—' : Array.isArray(d) ? (d.length ? d.join(',') : '(empty)') : d === '' ? '(empty)' : String(d);
  return `| \`${path}\` | \`${env}\` | ${kind} | \`${shown}\` | ${(comments.get(path) ?? '').replace(/\|/g, '\\|')} |`;
});

const file = new URL('../docs/configuration.md', import.meta.url);
const doc = readFileSync(file, 'utf8');
const begin = '<!-- BEGIN GENERATED: scripts/gen-config-doc.ts -->';
const end = '<!-- END GENERATED -->';
const table = [begin, '| key | environment | type | default | meaning |', '|---|---|---|---|---|', ...rows, end].join('\n');
const out = doc.includes(begin) ? doc.slice(0, doc.indexOf(begin)) + table + doc.slice(doc.indexOf(end) + end.length) : `${doc}\n${table}\n`;
writeFileSync(file, out);
console.log(`docs/configuration.md: ${rows.length} keys`);
