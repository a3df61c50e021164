#!/usr/bin/env node
/**
 * Builds tickcast's native kernel addon (native/kernels, docs/native-kernels.md) with node-gyp
 * against the running Node's own headers, then loads it in a fresh process to prove it works.
 * Runs from the root `postinstall` and by hand: `npm run native:build`. Takes a few seconds; the
 * addon is Node-API, so one build serves every Node version.
 *
 * A failure is a warning (tickcast runs on the backends' own kernels without it, only slower to
 * train), except under CI=true where it fails the install. TICKCAST_SKIP_NATIVE=1 skips it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = join(root, 'native', 'kernels');
const addon = join(dir, 'build', 'Release', 'tickcast_kernels.node');
const strict = /^(1|true)$/i.test(process.env.CI ?? '');

function fail(msg) {
  console.error(`native-kernels: ${strict ? 'ERROR' : 'WARNING'}: ${msg}`);
  console.error('native-kernels: training runs on the wasm kernels until this is fixed; retry with: npm run native:build');
  process.exit(strict ? 1 : 0);
}

if (process.env.TICKCAST_SKIP_NATIVE === '1') process.exit(0);

// node-gyp ships with npm: next to the npm running this script, else the global one.
const candidates = [
  process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  (() => {
    const r = spawnSync('npm', ['root', '-g'], { encoding: 'utf8' });
    return r.status === 0 ? join(r.stdout.trim(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js') : undefined;
  })(),
];
const gyp = candidates.find((p) => p && existsSync(p));
if (!gyp) fail('cannot find node-gyp (it ships with npm)');

// Headers: the ones npm was told about, else the running Node's own (official builds ship
// include/node), so nothing is downloaded.
const args = [gyp, 'rebuild', '--loglevel=warn'];
if (!process.env.npm_config_nodedir) {
  const nodedir = resolve(dirname(process.execPath), '..');
  if (existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodedir}`);
}
const build = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) fail(`node-gyp rebuild failed in ${dir} (exit ${build.status}; needs python3, make and a C compiler)`);

const hint = 'native-kernels: OpenBLAS not found, using the built-in loop; training is 1.0-1.2x as fast with it, small products up to 1.4x (docs/native-kernels.md; Debian/Ubuntu: apt-get install libopenblas0-pthread)';
const check = spawnSync(process.execPath, ['-e', `const k = require(process.argv[1]); const i = k.info(); console.log('native-kernels: built; matrix products via ' + i.blas); if (i.blas === 'builtin') console.log(${JSON.stringify(hint)});`, addon], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (check.status !== 0) fail(`${addon} was built but does not load`);
