/**
 * deploy/docker/entrypoint.sh under fake cgroup files: the V8 heap flag it adds for cgroup v2 and
 * v1 limits, what it leaves alone (no limit, operator's own flag, disabled), its refusal of bad
 * knobs, and that it execs the command (same PID, arguments intact) so tini's SIGTERM reaches node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, read, readYaml } from './repo.ts';

const SCRIPT = join(ROOT, 'deploy/docker/entrypoint.sh');
const MiB = 1024 * 1024;

function withCgroup(files: Record<string, string>, fn: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'tickcast-cgroup-'));
  try {
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(join(root, rel, '..'), { recursive: true });
      writeFileSync(join(root, rel), content + '\n');
    }
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Runs the entrypoint (with /bin/sh, as in the image) and returns NODE_OPTIONS as the command sees it. */
function run(root: string, env: Record<string, string> = {}, cmd = ['sh', '-c', 'printf "%s" "$NODE_OPTIONS"']) {
  const r = spawnSync('/bin/sh', [SCRIPT, ...cmd], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CONTAINER_CGROUP_ROOT: root, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('cgroup v2: 60% of memory.max by default, percentage configurable', () => {
  withCgroup({ 'memory.max': String(1024 * MiB) }, (root) => {
    assert.equal(run(root).out, '--max-old-space-size=614');
    assert.equal(run(root, { CONTAINER_HEAP_PERCENT: '75' }).out, '--max-old-space-size=768');
  });
  withCgroup({ 'memory.max': String(4 * 1024 * MiB) }, (root) => {
    assert.equal(run(root).out, '--max-old-space-size=2457');
  });
});

test('cgroup v1: memory.limit_in_bytes is used when memory.max is absent; v1 "unlimited" is ignored', () => {
  withCgroup({ 'memory/memory.limit_in_bytes': String(2048 * MiB) }, (root) => {
    assert.equal(run(root).out, '--max-old-space-size=1228');
  });
  withCgroup({ 'memory/memory.limit_in_bytes': '9223372036854771712' }, (root) => {
    assert.equal(run(root).out, '');
  });
});

test('no limit ("max"), no cgroup files, or percent 0: NODE_OPTIONS untouched', () => {
  withCgroup({ 'memory.max': 'max' }, (root) => assert.equal(run(root, { NODE_OPTIONS: '--enable-source-maps' }).out, '--enable-source-maps'));
  withCgroup({}, (root) => assert.equal(run(root).out, ''));
  withCgroup({ 'memory.max': String(1024 * MiB) }, (root) => assert.equal(run(root, { CONTAINER_HEAP_PERCENT: '0' }).out, ''));
});

test('existing NODE_OPTIONS are kept; an explicit --max-old-space-size wins', () => {
  withCgroup({ 'memory.max': String(1024 * MiB) }, (root) => {
    assert.equal(run(root, { NODE_OPTIONS: '--enable-source-maps' }).out, '--enable-source-maps --max-old-space-size=614');
    assert.equal(run(root, { NODE_OPTIONS: '--max-old-space-size=300' }).out, '--max-old-space-size=300');
  });
});

test('tiny limits get the floor (CONTAINER_HEAP_MIN_MB, default 96)', () => {
  withCgroup({ 'memory.max': String(128 * MiB) }, (root) => {
    assert.equal(run(root).out, '--max-old-space-size=96');
    assert.equal(run(root, { CONTAINER_HEAP_MIN_MB: '64' }).out, '--max-old-space-size=76');
  });
});

test('bad knobs stop the container with exit 78 and a message naming the variable', () => {
  withCgroup({ 'memory.max': String(1024 * MiB) }, (root) => {
    for (const bad of ['abc', '150', '-5']) {
      const r = run(root, { CONTAINER_HEAP_PERCENT: bad });
      assert.equal(r.code, 78, `percent ${bad}`);
      assert.match(r.err, /CONTAINER_HEAP_PERCENT must be an integer 0-100/);
    }
    const r = run(root, { CONTAINER_HEAP_MIN_MB: '1g' });
    assert.equal(r.code, 78);
    assert.match(r.err, /CONTAINER_HEAP_MIN_MB/);
  });
});

test('the command is exec-ed: same PID, arguments passed through untouched, exit code propagated', () => {
  withCgroup({ 'memory.max': String(1024 * MiB) }, (root) => {
    // $$ inside the final command equals the entrypoint's PID only if the script used exec.
    const r = spawnSync('/bin/sh', ['-c', `echo "$$"; exec /bin/sh "${SCRIPT}" sh -c 'echo "$$"; printf "[%s]" "$@"; exit 7' argv0 "a b" c`], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CONTAINER_CGROUP_ROOT: root },
      encoding: 'utf8',
    });
    const [outerPid, innerPid, args] = r.stdout.split('\n');
    assert.equal(innerPid, outerPid);
    assert.equal(args, '[a b][c]');
    assert.equal(r.status, 7);
  });
});

test('npm run bench:memory-fit runs under the heap flag the image sets at the chart\'s default memory limit', () => {
  // README: the bench measures peak RSS "against the Helm chart's memory limit … under the heap flag
  // the image sets". The chart's limit went from 2Gi to 2560Mi on 6 Dec 2026 and the bench kept
  // 2 GiB's flag (1228) until 7 Dec 2026; this ties the two together.
  const values = readYaml('helm/tickcast/values.yaml');
  const limit = String(values.resources.limits.memory);
  const m = /^(\d+)(Mi|Gi)$/.exec(limit);
  assert.ok(m, `resources.limits.memory "${limit}": this test reads Mi or Gi`);
  const bytes = Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1) * MiB;
  const script = JSON.parse(read('package.json')).scripts['bench:memory-fit'] as string;
  withCgroup({ 'memory.max': String(bytes) }, (root) => {
    const flag = run(root, { CONTAINER_HEAP_PERCENT: String(values.heapPercent) }).out;
    assert.match(flag, /^--max-old-space-size=\d+$/);
    assert.ok(script.includes(` ${flag} `), `package.json bench:memory-fit (${script}) should run with ${flag}, what the entrypoint sets for the chart's ${limit} at heapPercent ${values.heapPercent}`);
  });
});
