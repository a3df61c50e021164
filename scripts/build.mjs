#!/usr/bin/env node
// `npm run build`: compile src/ to dist/ with tsc (tsconfig.build.json) and copy the non-TypeScript
// assets the service reads at run time (dashboard static files, the embedded sample CSV and its
// licence) to the same relative paths, so `new URL('./x', import.meta.url)` finds them from dist/.
//
//   node scripts/build.mjs             always rebuild (dist/ is emptied first: no stale modules)
//   node scripts/build.mjs --if-stale  rebuild only when dist/ is missing or older than src/ (prestart)
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, relative } from 'node:path';
import { DIST, ROOT, STAMP, distState } from '../bin/dist-state.js';

const ifStale = process.argv.includes('--if-stale');
if (ifStale) {
  const state = distState();
  if (state === 'fresh') process.exit(0);
  console.error(`build: dist/ is ${state}; compiling src/ (npm run build)`);
}

const started = Date.now();
rmSync(DIST, { recursive: true, force: true });
const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
if (r.error || r.status !== 0) {
  console.error(`build: tsc failed${r.error ? ` (${r.error.message}; is typescript installed? npm ci installs it)` : ''}`);
  process.exit(1);
}

/** Copy every file under src/ that tsc does not emit (anything but .ts) to dist/. */
let assets = 0;
const copyAssets = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) copyAssets(p);
    else if (extname(entry.name) !== '.ts') {
      const to = join(DIST, relative(join(ROOT, 'src'), p));
      mkdirSync(dirname(to), { recursive: true });
      cpSync(p, to);
      assets += 1;
    }
  }
};
copyAssets(join(ROOT, 'src'));
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
console.error(`build: dist/ ready (${assets} assets copied, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
