/**
 * bin/tickcast.js runs the compiled dist/ only when it is at least as new as every source; the same
 * check decides whether `npm start`'s prestart recompiles. Checked on a scratch tree, and the real
 * dist/ is compiled and run once: `bin/tickcast.js --help` from dist/ (no tsx loader involved).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distState } from '../../../bin/dist-state.js';

test('dist state: missing without a build stamp, stale when a source is newer, fresh otherwise, fresh without src/ (image)', () => {
  const root = mkdtempSync(join(tmpdir(), 'tc-dist-'));
  try {
    mkdirSync(join(root, 'src', 'a'), { recursive: true });
    writeFileSync(join(root, 'src', 'a', 'x.ts'), 'export {}');
    assert.equal(distState(root), 'missing');
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', '.build-stamp'), 'now');
    const t = Date.now() / 1000;
    utimesSync(join(root, 'src', 'a', 'x.ts'), t - 100, t - 100);
    utimesSync(join(root, 'dist', '.build-stamp'), t - 50, t - 50);
    assert.equal(distState(root), 'fresh');
    utimesSync(join(root, 'src', 'a', 'x.ts'), t - 10, t - 10);
    assert.equal(distState(root), 'stale', 'a nested source edited after the build');
    utimesSync(join(root, 'src', 'a', 'x.ts'), t - 100, t - 100);
    writeFileSync(join(root, 'tsconfig.build.json'), '{}');
    assert.equal(distState(root), 'stale', 'the build config changed');
    rmSync(join(root, 'src'), { recursive: true });
    rmSync(join(root, 'tsconfig.build.json'));
    assert.equal(distState(root), 'fresh');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the CLI runs from the compiled dist/ with plain node', { timeout: 180_000 }, () => {
  const root = join(import.meta.dirname, '..', '..', '..');
  const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: root, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  assert.equal(distState(root), 'fresh');
  const r = spawnSync(process.execPath, ['bin/tickcast.js', '--help'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout + r.stderr, /train/);
  const direct = spawnSync(process.execPath, ['dist/cli/main.js', '--help'], { cwd: root, encoding: 'utf8' });
  assert.equal(direct.status, 0, direct.stderr);
});
