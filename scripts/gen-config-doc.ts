/**
 * Regenerates the reference table in docs/configuration.md from src/config/schema.ts (keys,
 * env names, types, defaults and the doc comment above each key). Run: npx tsx scripts/gen-config-doc.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { configKeys } from '../src/config/load.ts';
import { configSchema } from '../src/config/schema.ts';

const schemaSrc = readFileSync(new URL('../src/config/schema.ts', import.meta.url), 'utf8').split('\n');
const comments = new Map<string, string>();
let section = '';
let pending: string[] = [];
let inComment = false;
for (const line of schemaSrc) {
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
  const sec = /^ {4}(\w+): z$/.exec(line);
  const top = /^ {4}(\w+): z\./.exec(line);
  const leaf = /^ {8}(\w+): /.exec(line);
  if (sec) section = sec[1];
  const key = top ? top[1] : leaf ? `${section}.${leaf[1]}` : null;
  if (key && pending.length) comments.set(key, pending.join(' ').replace(/\s+/g, ' ').trim());
  if (key || sec) pending = [];
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
