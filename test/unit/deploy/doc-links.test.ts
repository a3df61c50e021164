/**
 * The docs stay navigable: every relative link in README.md, CONTRIBUTING.md and docs/*.md names a file or folder
 * of the repository and, with a `#fragment`, a heading of that markdown file (GitHub's anchors);
 * every prose cross-reference "<file>.md § <Heading>" in the docs and in src/ comments names a docs
 * file with a heading that starts so; every repository path the docs name in prose or code
 * (`src/…`, `test/…`, `scripts/…`, `helm/…`, …) exists, and every `npm run <script>` is a script of
 * package.json. A renamed heading or moved file fails here, not in a reader's browser or shell.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ROOT, listFiles, read } from './repo.ts';
import { anchors, headings, plainHeading } from './markdown.ts';

const DOCS = ['README.md', 'CONTRIBUTING.md', ...listFiles('docs', (n) => n.endsWith('.md'))];

interface Link { file: string; line: number; target: string }

/** Inline links `[text](target)` outside code fences and code spans; external ones (scheme:) left out. */
export function relativeLinks(file: string, markdown: string): Link[] {
  const out: Link[] = [];
  let fenced = false;
  markdown.split('\n').forEach((raw, i) => {
    if (/^\s*(```|~~~)/.test(raw)) {
      fenced = !fenced;
      return;
    }
    if (fenced) return;
    const line = raw.replace(/`[^`]*`/g, '');
    for (const m of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      if (!/^[a-z][a-z0-9+.-]*:/i.test(m[1])) out.push({ file, line: i + 1, target: m[1] });
    }
  });
  return out;
}

/** What is wrong with a link, or null. */
function brokenLink(l: Link, anchorsOf: (abs: string) => Set<string>): string | null {
  const [path, fragment] = l.target.split('#');
  const abs = path ? join(dirname(join(ROOT, l.file)), decodeURIComponent(path)) : join(ROOT, l.file);
  if (!abs.startsWith(ROOT)) return 'points outside the repository';
  if (!existsSync(abs)) return `no file ${relative(ROOT, abs)}`;
  if (fragment === undefined) return null;
  if (statSync(abs).isDirectory() || !abs.endsWith('.md')) return 'a #fragment on something that is not a markdown file';
  return anchorsOf(abs).has(fragment) ? null : `no heading with anchor #${fragment} in ${relative(ROOT, abs)}`;
}

test('relative links are found outside code; external ones are not checked', () => {
  const md = 'see [a](docs/a.md#x) and [b](https://x.org/y)\n```\n[c](nowhere.md)\n```\n`[d](nowhere.md)` [e](f.md "title")\n';
  assert.deepEqual(relativeLinks('README.md', md).map((l) => `${l.line}:${l.target}`), ['1:docs/a.md#x', '5:f.md']);
});

test('every relative link in README.md and docs/*.md resolves to a file and, for #anchors, a heading', () => {
  const cache = new Map<string, Set<string>>();
  const anchorsOf = (abs: string) => {
    if (!cache.has(abs)) cache.set(abs, anchors(read(relative(ROOT, abs))));
    return cache.get(abs)!;
  };
  const links = DOCS.flatMap((f) => relativeLinks(f, read(f)));
  assert.ok(links.length >= 50, `expected the docs' links; found ${links.length}`);
  const broken = links.flatMap((l) => {
    const why = brokenLink(l, anchorsOf);
    return why ? [`${l.file}:${l.line} (${l.target}): ${why}`] : [];
  });
  assert.deepEqual(broken, []);
});

/** "docs/x.md § Heading words" references: the file and the words up to the first punctuation that ends them. */
export function sectionRefs(text: string): Array<{ line: number; file: string; words: string }> {
  const out: Array<{ line: number; file: string; words: string }> = [];
  text.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/([a-z0-9-]+\.md) ?§ ?["“]?([A-Za-z`](?:[^§\]();,.:"”\n]|\.(?=\S))*)/g)) {
      const words = m[2].replace(/`/g, '').trim();
      if (words) out.push({ line: i + 1, file: m[1], words });
    }
  });
  return out;
}

test('section references are read up to their end', () => {
  assert.deepEqual(sectionRefs('see docs/a.md § Event time). And b.md §"Why a process": x; c.md § `x.y` thing, z.md §2'),
    [{ line: 1, file: 'a.md', words: 'Event time' }, { line: 1, file: 'b.md', words: 'Why a process' }, { line: 1, file: 'c.md', words: 'x.y thing' }]);
});

test('every "<doc>.md § <Heading>" cross-reference in the docs and src/ names a heading of that doc', () => {
  const files = [...DOCS, ...listFiles('src', (n) => n.endsWith('.ts'))];
  const headingsOf = new Map<string, string[]>();
  for (const d of DOCS) headingsOf.set(d.replace(/^docs\//, ''), headings(read(d)).map((h) => plainHeading(h.text).toLowerCase()));
  let checked = 0;
  const broken: string[] = [];
  for (const f of files) {
    for (const r of sectionRefs(read(f))) {
      const hs = headingsOf.get(r.file);
      if (!hs) continue; // README.md, STYLE.md and other files outside docs/
      checked++;
      // A reference may run on into the sentence: it is good when some heading starts with its first word(s).
      const words = r.words.toLowerCase().split(/\s+/);
      const ok = words.some((_, k) => hs.some((h) => h.startsWith(words.slice(0, words.length - k).join(' '))));
      if (!ok) broken.push(`${f}:${r.line}: ${r.file} § ${r.words}`);
    }
  }
  assert.ok(checked >= 30, `expected the docs' section references; found ${checked}`);
  assert.deepEqual(broken, [], 'no heading of the named doc starts with these words');
});

/** Paths under the repository's own folders, as the docs write them in prose, code spans and code blocks. */
export function repoPaths(text: string): Array<{ line: number; path: string }> {
  const out: Array<{ line: number; path: string }> = [];
  text.split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/(?<![\w./-])((?:src|test|scripts|load|docs|helm|deploy|native|bin)\/[\w./{}*-]*[\w/])/g)) {
      if (!/[{}*]/.test(m[1])) out.push({ line: i + 1, path: m[1] }); // a glob or brace list is not one path
    }
  });
  return out;
}

/** Paths the docs name on purpose that do not exist: placeholders in examples. */
const EXAMPLE_PATHS = new Set(['test/integration/x.test.ts']);

/**
 * A path git ignores is a build output (native/kernels/build/…, written by `npm run native:build`):
 * named on purpose, present only where it was built, so a fresh clone's run does not fail on it.
 */
function ignoredByGit(path: string): boolean {
  return spawnSync('git', ['check-ignore', '-q', '--no-index', path], { cwd: ROOT }).status === 0;
}

test('repository paths are found in prose and code; globs and brace lists are left out', () => {
  assert.deepEqual(repoPaths('see src/a.ts, (test/b/) and `scripts/c.sh`; src/config/schema/{kafka,model}.ts, test/*.ts, my-src/x'), [
    { line: 1, path: 'src/a.ts' }, { line: 1, path: 'test/b/' }, { line: 1, path: 'scripts/c.sh' },
  ]);
});

test('every repository path README.md and docs/*.md name exists', () => {
  const found = DOCS.flatMap((f) => repoPaths(read(f)).map((p) => ({ ...p, file: f })));
  assert.ok(found.length >= 200, `expected the docs' paths; found ${found.length}`);
  const missing = found.filter((p) => !EXAMPLE_PATHS.has(p.path) && !existsSync(join(ROOT, p.path)) && !ignoredByGit(p.path)).map((p) => `${p.file}:${p.line}: ${p.path}`);
  assert.deepEqual(missing, [], 'no such file or folder in the repository');
});

test('every `npm run <script>` in README.md and docs/*.md is a script of package.json', () => {
  const scripts = new Set(Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts));
  const runs = DOCS.flatMap((f) => read(f).split('\n').flatMap((l, i) => [...l.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => ({ where: `${f}:${i + 1}`, script: m[1] }))));
  assert.ok(runs.length >= 30, `expected the docs' npm scripts; found ${runs.length}`);
  assert.deepEqual(runs.filter((r) => !scripts.has(r.script)).map((r) => `${r.where}: npm run ${r.script}`), []);
});

test('every bench:* and load:* script of package.json has its row in README.md § Benchmarks and evaluation', () => {
  const scripts = Object.keys(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts).filter((s) => /^(bench|load):/.test(s));
  const readme = read('README.md');
  const table = readme.slice(readme.indexOf('## Benchmarks and evaluation'), readme.indexOf('## Documentation'));
  const named = new Set([...table.matchAll(/`(?:npm run )?((?:bench|load):[\w:-]+)`/g)].map((m) => m[1]));
  assert.ok(scripts.length >= 20, `expected package.json's benchmark scripts; found ${scripts.length}`);
  assert.deepEqual(scripts.filter((s) => !named.has(s)), [], 'a benchmark script README.md does not list (add a row: what it measures)');
});

test('README.md § Documentation links every doc in docs/ (the index a newcomer reads)', () => {
  // Until 7 Dec 2026 benchmarks.md, gpu.md and kafka-client.md were linked only from elsewhere.
  const readme = read('README.md');
  const index = readme.slice(readme.indexOf('## Documentation'), readme.indexOf('\n## ', readme.indexOf('## Documentation') + 1));
  const docs = listFiles('docs', (n) => n.endsWith('.md'));
  assert.ok(docs.length >= 15, `expected docs/*.md; found ${docs.length}`);
  assert.deepEqual(docs.filter((d) => !index.includes(`](${d})`) && !index.includes(`](${d}#`)), [], 'docs/*.md without a link in README.md § Documentation');
});

test("CONTRIBUTING.md's config-key recipe names every section file of src/config/schema/", () => {
  // A newcomer picks the file from this list; a section file added later must be listed.
  const sections = listFiles('src/config/schema', (n) => n.endsWith('.ts'))
    .filter((f) => /export const \w+Section\b/.test(read(f)))
    .map((f) => f.slice('src/config/schema/'.length));
  assert.ok(sections.length >= 5, `expected the schema's section files; found ${sections.length}`);
  const contributing = read('CONTRIBUTING.md');
  const recipe = contributing.slice(contributing.indexOf('**A configuration key.**'), contributing.indexOf('**A metric.**'));
  const listed = [...recipe.matchAll(/`(\w[\w-]*\.ts)`/g)].map((m) => m[1]);
  assert.deepEqual(sections.filter((f) => !listed.includes(f)), [], 'section files of src/config/schema/ the recipe does not list');
});
