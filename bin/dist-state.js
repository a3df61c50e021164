// Is dist/ (the compiled service, `npm run build`) present and at least as new as every source
// file? Shared by bin/tickcast.js (run dist/ when fresh, else the sources through tsx) and
// scripts/build.mjs --if-stale (the `prestart` step). Plain JavaScript: it runs before anything
// is compiled. In a production image src/ is absent: dist/ is then fresh by definition.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
/** Written last by scripts/build.mjs; its mtime is the build time. */
export const STAMP = join(DIST, '.build-stamp');
/** Inputs besides src/ whose change must trigger a rebuild. */
const EXTRA_INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function newestMtimeMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtimeMs(p) : statSync(p).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** 'missing' | 'stale' | 'fresh' */
export function distState(root = ROOT) {
  const stamp = join(root, 'dist', '.build-stamp');
  if (!existsSync(stamp)) return 'missing';
  const src = join(root, 'src');
  if (!existsSync(src)) return 'fresh';
  const built = statSync(stamp).mtimeMs;
  const inputs = [newestMtimeMs(src), ...EXTRA_INPUTS.map((f) => join(root, f)).filter(existsSync).map((f) => statSync(f).mtimeMs)];
  return Math.max(...inputs) > built ? 'stale' : 'fresh';
}
