import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configKeys, loadConfig, NON_CONFIG_VARIABLES } from '../../../src/config/load.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('build, test and tool variables the docs tell users to set do not stop the service from starting', () => {
  const c = loadConfig({ env: { TICKCAST_CACHE_DIR: '/tmp/tc-cache', TICKCAST_NATIVE_BLAS: '0', TICKCAST_CHAOS: '0', TICKCAST_SKIP_NATIVE: '1', TICKCAST_HTTP_PORT: '9001' } });
  assert.equal(c.http.port, 9001);
});

test('a misspelt setting is still refused beside them, with the setting it most likely meant', () => {
  assert.throws(
    () => loadConfig({ env: { TICKCAST_CACHE_DIR: '/tmp/tc-cache', TICKCAST_WINDOWS_LENGHT: '32' } }),
    (err: { code: string; details: { problems: string[] } }) => {
      assert.equal(err.code, 'TC_CONFIG_INVALID');
      assert.deepEqual(err.details.problems, ['TICKCAST_WINDOWS_LENGHT: unknown setting; did you mean TICKCAST_WINDOWS_LENGTH?']);
      return true;
    },
  );
});

/** Files under `dir` (relative to the repository root) whose name ends with one of `exts`. */
function sources(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(join(root, rel), { withFileTypes: true })) {
      const p = join(rel, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && e.name !== 'build' && e.name !== 'results') walk(p);
      } else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
    }
  };
  walk(dir);
  return out;
}

test('every TICKCAST_ variable read outside the config loader is a setting or a listed non-config variable', () => {
  const settings = new Set(configKeys().flatMap((k) => [k.env, `${k.env}_FILE`]));
  // process.env.X / env.X / env: { X: … } in JS/TS, getenv("X") in C, ${X…} in shell.
  const read = /(?:process\.env\.|env\.|getenv\(")(TICKCAST_[A-Z0-9_]+)|\$\{(TICKCAST_[A-Z0-9_]+)/g;
  const files = [
    ...sources('scripts', ['.mjs', '.ts', '.sh', '.js']),
    ...sources('load', ['.ts', '.mjs', '.js', '.sh']),
    ...sources('test/helpers', ['.ts']),
    ...sources('native/kernels/src', ['.c', '.h']),
    ...sources('src', ['.ts']).filter((f) => !f.startsWith(join('src', 'config'))),
  ];
  const unlisted: string[] = [];
  for (const f of files) {
    for (const m of readFileSync(join(root, f), 'utf8').matchAll(read)) {
      const name = m[1] ?? m[2];
      if (!settings.has(name) && !(name in NON_CONFIG_VARIABLES)) unlisted.push(`${f}: ${name}`);
    }
  }
  assert.deepEqual(unlisted, [], 'add these to NON_CONFIG_VARIABLES in src/config/load.ts');
  assert.ok(files.some((f) => f.endsWith('gemm.c')) && files.some((f) => f.endsWith('bench-accuracy.ts')), 'the scan reaches the addon and the benches');
});

test('docs/configuration.md lists every non-config variable', () => {
  const doc = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
  assert.deepEqual(Object.keys(NON_CONFIG_VARIABLES).filter((n) => !doc.includes(`\`${n}\``)), []);
});
