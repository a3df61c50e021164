#!/usr/bin/env node
// `npm test`: lint (eslint + import-cycle check) → typecheck → build/locate the local Kafka broker → Chromium for the browser test → run the test files with
// Node's built-in runner. Fails fast with a message that says which step broke.
//
//   npm test                              unit + component + integration + browser + chaos (TICKCAST_CHAOS=0 leaves chaos out)
//   npm test -- --only unit               one kind (unit|component|integration|browser|chaos); repeat or comma-separate
//   npm test -- test/unit/x.test.ts       just these files
//   npm test -- --skip-checks             skip lint and typecheck (quick local iteration; CI never does this)
//   npm test -- --test-name-pattern=ring  any other argument is passed to `node --test`
//
// Ends with one plain line `tests: N passed, N failed` (failed includes cancelled tests, e.g. a file
// that crashed or timed out). Exit code is non-zero on any failure.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { watchTestFiles } from './test-watchdog.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const KINDS = ['unit', 'component', 'integration', 'browser', 'chaos'];
// The chaos suite (kill -9, outage, overload, soak: ~4–6 min) fits CI's budget, so it runs by default.
const DEFAULT_KINDS = ['unit', 'component', 'integration', 'browser', 'chaos'];
// A single test hanging must fail the run, not eat CI's 90 minutes. Override with --test-timeout=...
// Node 20 applies --test-timeout to each test file as a whole; the chaos soak file takes up to
// ~190 s on a loaded 2-core machine, so leave room.
const PER_TEST_TIMEOUT_MS = 600_000;
// Node 22+ applies --test-timeout to each test only: a file whose process never exits after its tests
// would block every later file. ./test-watchdog.mjs kills a file still running after this long
// (TICKCAST_TEST_FILE_TIMEOUT_S overrides; a longer --test-timeout given raises it).
const PER_FILE_TIMEOUT_MS = 720_000;

function usageError(msg) {
  console.error(`test: ${msg}\nusage: npm test -- [--only ${KINDS.join('|')}] [--skip-checks] [files...] [node --test flags...]`);
  process.exit(2);
}

// ---- arguments ------------------------------------------------------------------------------
const only = [];
const files = [];
const passthrough = [];
let skipChecks = false;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--only' || a.startsWith('--only=')) {
    const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
    if (!v) usageError('--only needs a value');
    for (const k of v.split(',')) {
      if (!KINDS.includes(k)) usageError(`unknown test kind "${k}"`);
      only.push(k);
    }
  } else if (a === '--skip-checks') {
    skipChecks = true;
  } else if (!a.startsWith('-') && /\.test\.[cm]?[jt]s$/.test(a)) {
    if (!existsSync(resolve(root, a))) usageError(`no such test file: ${a}`);
    files.push(relative(root, resolve(root, a)));
  } else {
    passthrough.push(a);
  }
}
let kinds = only.length > 0 ? [...new Set(only)] : [...DEFAULT_KINDS];
if (only.length === 0 && process.env.TICKCAST_CHAOS === '0') kinds = kinds.filter((k) => k !== 'chaos');

// ---- helpers --------------------------------------------------------------------------------
let step = 0;
const totalSteps = 5;
function header(title) {
  step += 1;
  console.log(`\n=== [${step}/${totalSteps}] ${title} ===`);
}
function fail(msg) {
  console.error(`\ntest: FAILED — ${msg}`);
  process.exit(1);
}
function bin(name) {
  return join(root, 'node_modules', '.bin', name);
}
function runSync(what, cmd, args, extraEnv = {}) {
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  if (r.error) fail(`${what}: could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) return { ok: false, ms: Date.now() - started };
  return { ok: true, ms: Date.now() - started };
}

/** .gitignore entries as `--ignore-pattern` arguments for eslint (negations are skipped). */
function gitignoredAsEslintPatterns() {
  const file = join(root, '.gitignore');
  if (!existsSync(file)) return [];
  const args = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const anchored = line.startsWith('/');
    const body = line.replace(/^\/+/, '').replace(/\/+$/, '');
    const pattern = `${anchored ? '' : '**/'}${body}`;
    args.push('--ignore-pattern', pattern, '--ignore-pattern', `${pattern}/**`);
  }
  return args;
}

/** Every *.test.ts / .test.mts / .test.js under `dir`, recursively, sorted, relative to the repo. */
function findTests(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      if (name === 'node_modules' || name === 'fixtures' || name === 'helpers' || name.startsWith('.')) continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.test\.[cm]?[jt]s$/.test(name)) out.push(relative(root, p));
    }
  };
  walk(abs);
  return out.sort();
}

// ---- 1. lint, 2. typecheck ------------------------------------------------------------------
if (skipChecks) {
  step = 2;
  console.log('test: --skip-checks: lint and typecheck skipped');
} else {
  header('lint: eslint .');
  // Lint what git would commit: scratch files in gitignored folders (tmp/, .cache/) are not the
  // project's and must not fail `npm test` locally. A fresh CI clone has none anyway.
  const lint = runSync('lint', bin('eslint'), ['.', ...gitignoredAsEslintPatterns()]);
  if (!lint.ok) fail('lint: fix the eslint errors above (many fix themselves with `npx eslint . --fix`)');
  console.log(`lint ok (${(lint.ms / 1000).toFixed(1)} s)`);
  // Import cycles in src/ (allowlist: lint-limits.js).
  const cycles = runSync('import cycles', process.execPath, [join(root, 'scripts', 'check-cycles.mjs')]);
  if (!cycles.ok) fail('lint: break the import cycles listed above (docs/architecture.md § Layers)');

  header('typecheck: tsc -p tsconfig.json');
  const tsc = runSync('typecheck', bin('tsc'), ['-p', 'tsconfig.json']);
  if (!tsc.ok) fail('typecheck: fix the TypeScript errors above');
  console.log(`typecheck ok (${(tsc.ms / 1000).toFixed(1)} s)`);
}

// ---- 3. local broker ------------------------------------------------------------------------
const testFiles = files.length > 0 ? files : kinds.flatMap((k) => findTests(join('test', k)));
const needsBroker = files.length > 0 ? !files.every((f) => f.startsWith('test/unit/')) : kinds.some((k) => k !== 'unit');
const env = { ...process.env };
header('local Kafka broker: scripts/broker/build.sh');
if (!needsBroker) {
  console.log('not needed for unit tests only; skipped');
} else {
  const started = Date.now();
  const r = spawnSync('bash', [join(root, 'scripts/broker/build.sh')], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const brokerBin = (r.stdout ?? '').trim().split('\n').pop();
  if (r.status !== 0 || !brokerBin || !existsSync(brokerBin)) {
    fail('local broker: scripts/broker/build.sh failed (its messages are above); see docs/local-broker.md');
  }
  env.TICKCAST_BROKER_BIN = brokerBin;
  console.log(`broker binary: ${brokerBin} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

// ---- 4. browser for the dashboard test ------------------------------------------------------
header('Chromium for test/browser: scripts/ensure-chromium.sh');
if (!testFiles.some((f) => f.startsWith('test/browser/'))) {
  console.log('no browser tests selected; skipped');
} else {
  spawnSync('bash', [join(root, 'scripts/ensure-chromium.sh')], { cwd: root, stdio: 'inherit' });
}

// ---- 5. tests -------------------------------------------------------------------------------
header(`tests: ${files.length > 0 ? `${files.length} file(s) given` : kinds.join(', ')}`);
if (testFiles.length === 0) fail(`no test files found (looked for *.test.ts under ${kinds.map((k) => `test/${k}/`).join(', ')})`);
console.log(testFiles.map((f) => `  ${f}`).join('\n'));

const nodeArgs = [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=1',
  '--test-reporter=spec',
  `--test-timeout=${PER_TEST_TIMEOUT_MS}`,
  ...passthrough,
  ...testFiles,
];
// Own process group, so a Ctrl-C or CI cancellation takes down every test file process and the
// brokers they spawned (which also die with their parent: --die-with-parent).
const child = spawn(process.execPath, nodeArgs, {
  cwd: root,
  env: process.stdout.isTTY ? { ...env, FORCE_COLOR: env.FORCE_COLOR ?? '1' } : env,
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
});
const killGroup = (sig) => {
  try {
    process.kill(-child.pid, sig);
  } catch {
    /* already gone */
  }
};
let interrupted = '';
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    interrupted = sig;
    killGroup('SIGTERM');
    setTimeout(() => killGroup('SIGKILL'), 3000).unref();
    process.exitCode = 130;
  });
}
process.on('exit', () => killGroup('SIGKILL'));
const givenTimeout = Number(/^--test-timeout=(\d+)$/.exec(passthrough.findLast((a) => a.startsWith('--test-timeout=')) ?? '')?.[1] ?? 0);
const fileLimitMs = process.env.TICKCAST_TEST_FILE_TIMEOUT_S
  ? Number(process.env.TICKCAST_TEST_FILE_TIMEOUT_S) * 1000
  : Math.max(PER_FILE_TIMEOUT_MS, givenTimeout + 120_000);
const watchdog = watchTestFiles(child.pid, testFiles, fileLimitMs);

const totals = {};
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const text = tail + chunk.toString('utf8');
  const lines = text.split('\n');
  tail = lines.pop() ?? '';
  for (const line of lines) scan(line);
});
function scan(line) {
  // spec prints "ℹ pass 12", tap prints "# pass 12"; only the final summary starts a line this way.
  // eslint-disable-next-line no-control-regex
  const m = /^(?:\u001b\[[0-9;]*m)*[ℹ#] (tests|pass|fail|cancelled|skipped|todo) (\d+)/.exec(line);
  if (m) totals[m[1]] = Number(m[2]);
}

child.on('close', (code, signal) => {
  if (tail) scan(tail);
  watchdog.stop();
  const passed = totals.pass ?? 0;
  const failed = (totals.fail ?? 0) + (totals.cancelled ?? 0); // a killed file is among them (the runner fails it)
  const slow = watchdog.slowest(5);
  if (slow.length > 0) console.log(`\nlongest test files (wall time, up to 2 s short): ${slow.map(([f, ms]) => `${f} ${Math.round(ms / 1000)} s`).join(', ')}`);
  if (watchdog.killed.length > 0) {
    console.log(`\ntest files killed after ${Math.round(fileLimitMs / 1000)} s (the runner counts each as failed):\n${watchdog.killed.map((f) => `  ${f}`).join('\n')}`);
  }
  console.log(`\ntests: ${passed} passed, ${failed} failed`);
  if (interrupted) fail(`interrupted by ${interrupted}; test processes and brokers were stopped`);
  if (totals.pass === undefined) {
    fail(`the test runner exited (code ${code}, signal ${signal}) without printing its totals`);
  }
  if (failed > 0 || code !== 0) {
    fail(`${failed} test(s) failed or were cancelled; the failing tests are listed above`);
  }
  process.exit(0);
});
