/**
 * Regenerates the reference table in docs/configuration.md from src/config/schema.ts and its
 * sections in src/config/schema/ (keys, env names, types, defaults and the doc comment above each
 * key), and the table of TICKCAST_* variables that are not settings (NON_CONFIG_VARIABLES in
 * src/config/load.ts). Run: npx tsx scripts/gen-config-doc.ts (imported, it writes nothing:
 * `renderConfigDoc` is what the test compares the file with).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configKeys, NON_CONFIG_VARIABLES } from '../src/config/load.ts';
import { configSchema } from '../src/config/schema.ts';
import { DEFAULT_ANOMALY_CONFIG } from '../src/domain/anomaly/config.ts';

// Doc comments: the top-level keys in schema.ts, each section's keys in its file under
// src/config/schema/ (`export const <section>Section = z` starts a section; its keys are indented 4,
// the keys of an object under one of them 8).
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
  let parent = '';
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
    // A key of an object inside a section (kafka.sasl.mechanism) is indented 8, under its parent's.
    const nested = topLevel ? null : /^ {8}(\w+): /.exec(line);
    if (sec) section = sec[1];
    if (leaf) parent = leaf[1];
    const key = top ? top[1] : leaf && section ? `${section}.${leaf[1]}` : nested && section && parent ? `${section}.${parent}.${nested[1]}` : null;
    if (key && pending.length) comments.set(key, pending.join(' ').replace(/\s+/g, ' ').trim());
    if (key || sec) pending = [];
  }
}

const defaults = configSchema.parse({}) as Record<string, any>;
const get = (path: string) => path.split('.').reduce<any>((o, k) => (o === undefined ? undefined : o[k]), defaults);
/**
 * The default a key takes when unset: the schema's, or for the detector's settings, which the
 * schema leaves optional so that an unset one means "the detector's tuned default", the
 * detector's (src/domain/anomaly/config.ts; src/pipeline/scorer.ts passes them by the same name).
 */
/** Keys whose unset value follows another key (src/app.ts passes that one), not a fixed default. */
const FOLLOWS: Record<string, string> = { 'anomaly.staleFeatureMs': 'windows.idleEvictMs' };
const defaultOf = (path: string): unknown => {
  if (FOLLOWS[path]) return `= ${FOLLOWS[path]}`;
  const d = get(path);
  const [section, key] = path.split('.');
  return d === undefined && section === 'anomaly' ? (DEFAULT_ANOMALY_CONFIG as Record<string, unknown>)[key] : d;
};
const show = (d: unknown) =>
  d === undefined ? '—' : Array.isArray(d) ? (d.length ? d.join(',') : '(empty)') : d === '' ? '(empty)' : typeof d === 'object' ? JSON.stringify(d) : String(d);
const rows = configKeys().map(({ path, kind, env }) => {
  return `| \`${path}\` | \`${env}\` | ${kind} | \`${show(defaultOf(path))}\` | ${(comments.get(path) ?? '').replace(/\|/g, '\\|')} |`;
});
const nonConfig = Object.entries(NON_CONFIG_VARIABLES).map(([name, reader]) => `| \`${name}\` | ${reader.replace(/\|/g, '\\|')} |`);

/**
 * docs/configuration.md with its two generated tables rewritten from the schema (the rest of the
 * text as it is). test/unit/config/config-doc-generated.test.ts checks the file equals this.
 */
export function renderConfigDoc(text: string): string {
  let doc = text;
  /** Replaces the block between `begin` and its end marker (or appends one) with `lines`. */
  const fill = (begin: string, end: string, lines: string[]) => {
    const block = [begin, ...lines, end].join('\n');
    doc = doc.includes(begin) ? doc.slice(0, doc.indexOf(begin)) + block + doc.slice(doc.indexOf(end, doc.indexOf(begin)) + end.length) : `${doc}\n${block}\n`;
  };
  fill('<!-- BEGIN GENERATED: scripts/gen-config-doc.ts -->', '<!-- END GENERATED -->', ['| key | environment | type | default | meaning |', '|---|---|---|---|---|', ...rows]);
  fill('<!-- BEGIN GENERATED: non-config variables (scripts/gen-config-doc.ts) -->', '<!-- END GENERATED: non-config variables -->', ['| variable | read by |', '|---|---|', ...nonConfig]);
  return doc;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const file = new URL('../docs/configuration.md', import.meta.url);
  writeFileSync(file, renderConfigDoc(readFileSync(file, 'utf8')));
  console.log(`docs/configuration.md: ${rows.length} keys, ${nonConfig.length} non-config variables`);
}
