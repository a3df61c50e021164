/**
 * docs/architecture.md against src/: a new engineer finds every folder and root file of src/ in
 * the layer table (and ESLint's layer rules know every folder, so a new one is not left
 * unrestricted), and finds every per-series state holder in "Who owns which state", with what the
 * series-state snapshot carries said to survive in it. The holders are read from the code: the
 * parts the snapshot captures (`SeriesStateParts`, src/pipeline/snapshot/series-state.ts) and the
 * per-series maps the soak harness samples (`stateSizes`, src/app-state-sizes.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, read } from './repo.ts';

const doc = read('docs/architecture.md');

/** The table rows of the section that starts with `heading`, split into trimmed cells. */
function tableRows(heading: string): string[][] {
  const start = doc.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `docs/architecture.md has no heading "${heading}"`);
  const rest = doc.slice(start + heading.length + 2);
  const end = rest.search(/\n#{1,3} /);
  return (end < 0 ? rest : rest.slice(0, end))
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|[-| ]+\|$/.test(l))
    .slice(1)
    .map((l) => l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
}

const SRC = join(ROOT, 'src');
const dirs = (rel: string) => readdirSync(join(SRC, rel), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
/** src/'s folders as the layer table names them (each adapter on its own), and its root files. */
const folders = dirs('.').flatMap((d) => (d === 'adapters' ? dirs('adapters').map((a) => `adapters/${a}`) : [d]));
const rootFiles = readdirSync(SRC).filter((f) => f.endsWith('.ts'));

test('the layer table names every folder and root file of src/, and ESLint has a layer rule for every folder', () => {
  const named = new Set(tableRows('## Layers and import direction').flatMap((c) => [...c[0].matchAll(/`(?:src\/)?([^`]+?)\/?`/g)].map((m) => m[1])));
  assert.deepEqual(folders.filter((f) => !named.has(f)), [], 'folders of src/ without a row in docs/architecture.md § Layers and import direction');
  assert.deepEqual(rootFiles.filter((f) => !named.has(f)), [], 'root files of src/ the layer table does not name');
  const eslint = read('eslint.config.js');
  const adapters = /const ADAPTERS = \[([^\]]*)\]/.exec(eslint)?.[1] ?? '';
  const unruled = folders.filter((f) => (f.startsWith('adapters/') ? !adapters.includes(`'${f.slice('adapters/'.length)}'`) : !eslint.includes(`layer(['src/${f}/**/*.ts']`)));
  assert.deepEqual(unruled, [], 'folders of src/ with no layer(...) rule in eslint.config.js (their imports are not checked)');
});

/** Every folder under src/ that holds TypeScript, relative to src/ (`model/onnx`, `adapters/http/routes`). */
function tsFolders(rel = ''): string[] {
  const entries = readdirSync(join(SRC, rel), { withFileTypes: true });
  const here = rel && entries.some((e) => e.isFile() && e.name.endsWith('.ts')) ? [rel] : [];
  return [...here, ...entries.filter((e) => e.isDirectory()).flatMap((e) => tsFolders(rel ? `${rel}/${e.name}` : e.name))];
}

test('docs/architecture.md names every folder of src/ that holds TypeScript, subfolders included', () => {
  // The layer table names the top-level folders; a subfolder (model/onnx, eval/nab) needs a mention
  // somewhere (the file map), or a newcomer does not know it exists. Five did not before 7 Dec 2026.
  const found = tsFolders();
  assert.ok(found.length >= 20, `expected src/'s folders; found ${found.length}`);
  const unnamed = found.filter((f) => !new RegExp(`(?<![\\w-])${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:/|\`)`).test(doc));
  assert.deepEqual(unnamed, [], 'folders of src/ docs/architecture.md never names (as `folder/` or `src/folder`): add them to § File map');
});

/**
 * Owner each state holder is listed under in § Who owns which state. A holder added to the
 * snapshot or to stateSizes() without a row fails here: add the row, then the name.
 */
const OWNER: Record<string, string> = {
  // SeriesStateParts (what the snapshot captures)
  store: 'WindowStore',
  outlook: 'SeriesOutlook',
  detector: 'AnomalyDetector',
  homes: 'SeriesHomes',
  units: 'SeriesUnits',
  fusion: 'ForecastFusion',
  incidents: 'IncidentGrouper',
  alertIndex: 'AlertIndex',
  gate: 'FeedbackGate',
  // stateSizes() (per-series maps of a running instance)
  registry: 'SeriesRegistry',
  windows: 'WindowStore',
  bandQuality: 'BandQualityTracker',
  feedbackGate: 'FeedbackGate',
  incidentsOpen: 'IncidentGrouper',
  incidentsClosed: 'IncidentGrouper',
  incidentsSeen: 'IncidentGrouper',
  incidentsFiringSeries: 'IncidentGrouper',
  recentAnomalies: 'RecentAnomalies',
};

const snapshotParts = (): string[] => {
  const body = /export interface SeriesStateParts \{([\s\S]*?)\n\}/.exec(read('src/pipeline/snapshot/series-state.ts'))?.[1] ?? '';
  return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
};
const sizeKeys = (): string[] => {
  const body = /return \{([\s\S]*?)\n {2}\};/.exec(read('src/app-state-sizes.ts'))?.[1] ?? '';
  return [...body.matchAll(/^ {4}(\w+):/gm)].map((m) => m[1]);
};

test('§ Who owns which state has a row for every holder, and says the snapshot keeps what it captures', () => {
  const rows = tableRows('### Who owns which state');
  const rowOf = (owner: string) => rows.find((c) => new RegExp(`\`${owner}\``).test(c[1]));
  const parts = snapshotParts();
  const sizes = sizeKeys();
  assert.ok(parts.length >= 6 && sizes.length >= 8, `expected to read the holders; got ${parts.join(', ')} / ${sizes.join(', ')}`);
  assert.deepEqual([...parts, ...sizes].filter((k) => !OWNER[k]), [], 'new state holders: add a row to § Who owns which state and their owner to OWNER here');
  const missing = [...new Set([...parts, ...sizes].map((k) => OWNER[k]))].filter((o) => !rowOf(o));
  assert.deepEqual(missing, [], 'owners without a row in § Who owns which state');
  const notSnapshot = parts.map((k) => OWNER[k]).filter((o) => !/^snapshot/.test(rowOf(o)![2]));
  assert.deepEqual(notSnapshot, [], 'captured by the series-state snapshot, but the table says they do not survive in it');
});
