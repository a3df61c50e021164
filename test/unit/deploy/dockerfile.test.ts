/**
 * Dockerfile checks without a Docker engine: COPY sources exist and are not excluded by
 * .dockerignore, stage references resolve, only config-schema env names are set, the
 * non-root/tini/healthcheck contract holds, and the HEALTHCHECK one-liner really reports a
 * healthy, an unhealthy and an unreachable service.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, posix } from 'node:path';
import { ROOT, listFiles, read } from './repo.ts';
import { unknownTickcastEnv } from './env-names.ts';

const dockerfile = read('Dockerfile');
/** Instructions with continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

const stages = instructions.filter((l) => /^FROM\s/i.test(l)).map((l) => l.match(/\sAS\s+(\S+)/i)?.[1]).filter(Boolean) as string[];

function dockerignorePatterns(): string[] {
  return read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** True when .dockerignore excludes the path (the subset of its syntax used in this repo). */
function ignored(path: string, patterns: string[]): boolean {
  let out = false;
  for (const raw of patterns) {
    const neg = raw.startsWith('!');
    const p = (neg ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const re = new RegExp('^' + p.split('**/').map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')).join('(?:.*/)?') + '(?:/.*)?$');
    if (re.test(path)) out = !neg;
  }
  return out;
}

test('every COPY source exists in the repository and is not excluded by .dockerignore', () => {
  const patterns = dockerignorePatterns();
  const copies = instructions.filter((l) => /^COPY\s/i.test(l) && !/--from=/.test(l));
  assert.ok(copies.length >= 8, `expected the COPY lines of all targets; found ${copies.length}`);
  for (const line of copies) {
    const args = line.split(/\s+/).slice(1).filter((a) => !a.startsWith('--'));
    for (const src of args.slice(0, -1)) {
      assert.ok(existsSync(join(ROOT, src)), `${line}: ${src} does not exist`);
      assert.equal(ignored(src, patterns), false, `${line}: ${src} is excluded by .dockerignore`);
    }
  }
  // Sanity of the matcher itself: things that must stay out of the context.
  for (const p of ['node_modules', '.git', 'test/unit/x.test.ts', '.env']) assert.ok(ignored(p, patterns), `${p} should be ignored`);
});

test('COPY --from and FROM reference earlier stages; the targets compose builds exist', () => {
  for (const line of instructions) {
    const from = line.match(/--from=(\S+)/)?.[1];
    if (from) assert.ok(stages.includes(from), `${line}: unknown stage ${from}`);
  }
  for (const t of ['deps', 'build', 'runtime', 'replay', 'deps-gpu', 'gpu']) assert.ok(stages.includes(t), `stage ${t}`);
  assert.match(dockerfile, /^ARG NODE_VERSION=24$/m, 'Node.js 24 LTS base images');
  assert.match(dockerfile, /AS build\n[\s\S]*?npm ci --ignore-scripts\n[\s\S]*?RUN npm run build/, 'the build stage compiles with npm run build');
  const compose = read('deploy/compose/docker-compose.yml');
  for (const m of compose.matchAll(/target:\s*(\S+)/g)) assert.ok(stages.includes(m[1]), `compose builds unknown target ${m[1]}`);
});

test('a build without --target gives the CPU image: the last stage is the runtime image', () => {
  // docs/deployment.md and the Dockerfile's header: `docker build -t tickcast:0.1.0 .` is the CPU
  // image (default target "runtime"). Docker builds the last stage when no --target is given, and
  // until 7 Dec 2026 that was `gpu` (the CUDA image, several GB), so the documented command built
  // the GPU image.
  const froms = instructions.filter((l) => /^FROM\s/i.test(l));
  const last = froms[froms.length - 1];
  const base = last.split(/\s+/)[1];
  assert.ok(base === 'runtime' || stages[stages.length - 1] === 'runtime', `the last stage (${last}) is not the runtime image: \`docker build .\` builds it`);
});

test("every npm ci either skips install scripts or has copied the root postinstall's script first", () => {
  // The root postinstall (the Kafka client's and the native kernels' addon builds) runs on every
  // `npm ci`; a stage that has not copied its scripts fails the image build with "Cannot find
  // module" (the build stage did). The native build also needs the addon's sources.
  const postinstall = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.postinstall;
  const scripts = postinstall.split('&&').map((part) => part.trim().match(/^node (\S+)$/)?.[1]);
  assert.ok(scripts.length >= 2 && scripts.every((f) => f && existsSync(join(ROOT, f))), `postinstall runs files in the repo: ${postinstall}`);
  const needed = [...(scripts as string[]), 'native/kernels/binding.gyp', 'native/kernels/src/kernels.c'];
  let copied: string[] = [];
  let ciRuns = 0;
  for (const line of instructions) {
    if (/^FROM\s/i.test(line)) copied = [];
    if (/^COPY\s/i.test(line) && !/--from=/.test(line)) copied.push(...line.split(/\s+/).slice(1, -1).filter((a) => !a.startsWith('--')));
    if (/^RUN\s.*\bnpm ci\b/.test(line)) {
      ciRuns++;
      const skips = /npm ci\b[^&]*--ignore-scripts/.test(line);
      const missing = needed.filter((file) => !copied.some((src) => file === src || file.startsWith(src.replace(/\/?$/, '/'))));
      assert.ok(skips || missing.length === 0, `${line}: runs the postinstall without having copied ${missing.join(', ')}`);
    }
  }
  assert.ok(ciRuns >= 3, `expected npm ci in deps, build and deps-gpu; found ${ciRuns}`);
});

test('runtime images run as uid 1000 under tini with the sizing entrypoint and a healthcheck', () => {
  for (const target of ['runtime', 'gpu']) {
    const start = instructions.findIndex((l) => new RegExp(`\\sAS\\s+${target}$`, 'i').test(l));
    const end = instructions.findIndex((l, i) => i > start && /^FROM\s/i.test(l));
    const stage = instructions.slice(start, end === -1 ? undefined : end);
    assert.ok(stage.includes('USER 1000:1000'), `${target}: USER 1000:1000`);
    assert.ok(stage.some((l) => l.startsWith('ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/tickcast-entrypoint"]')), `${target}: tini entrypoint`);
    assert.ok(stage.some((l) => l.startsWith('HEALTHCHECK')), `${target}: HEALTHCHECK`);
    assert.ok(stage.some((l) => /apt-get install .*\btini\b/.test(l)), `${target}: installs tini`);
    assert.ok(stage.some((l) => l.startsWith('CMD ["node", "dist/main.js"]')), `${target}: runs the compiled dist/main.js with plain node`);
    assert.ok(stage.includes('COPY --from=build /app/dist ./dist'), `${target}: takes dist/ from the build stage`);
    assert.ok(!stage.some((l) => /^COPY\s+src\b/.test(l)), `${target}: ships no TypeScript sources`);
    assert.ok(stage.some((l) => l.includes('chmod=0755 deploy/docker/entrypoint.sh')), `${target}: entrypoint executable`);
  }
  // CPU deps never download the CUDA provider; the GPU deps must.
  assert.match(dockerfile, /AS npm-base\n[\s\S]*?ONNXRUNTIME_NODE_INSTALL=skip[\s\S]*?FROM npm-base AS deps\n[\s\S]*?npm ci --omit=dev/);
  assert.match(dockerfile, /AS deps-gpu[\s\S]*?ONNXRUNTIME_NODE_INSTALL=cuda12[\s\S]*?tfjs-node-gpu/);
  // Both dependency stages drop onnxruntime's macOS/Windows binaries; the Linux ones they load stay.
  const prunes = dockerfile.match(/rm -rf node_modules\/onnxruntime-node\/bin\/napi-v6\/darwin node_modules\/onnxruntime-node\/bin\/napi-v6\/win32/g) ?? [];
  assert.equal(prunes.length, 2);
  assert.ok(existsSync(join(ROOT, 'node_modules/onnxruntime-node/bin/napi-v6/linux')), 'the Linux binaries live where the prune expects');
});

/**
 * Files the compiled service reads beside the repository's src/ (`new URL('../../x', import.meta.url)`
 * in src/: the shipped pretrained model, package.json). dist/ mirrors src/, so from dist/ they
 * resolve to the same paths under /app: each runtime image must copy them there.
 */
function filesReadOutsideSrc(): string[] {
  const out = new Set<string>();
  for (const rel of listFiles('src', (n) => n.endsWith('.ts'))) {
    for (const m of read(rel).matchAll(/new URL\(\s*['"`]([^'"`]+)['"`]\s*,\s*import\.meta\.url\s*\)/g)) {
      const target = posix.normalize(posix.join(posix.dirname(rel), m[1])).replace(/\/+$/, '');
      if (!target.startsWith('src/')) out.add(target);
    }
  }
  return [...out].sort();
}

test('runtime images copy the files the service reads outside dist/ (the shipped pretrained model)', () => {
  const outside = filesReadOutsideSrc();
  assert.ok(outside.includes('models/pretrained'), `expected src/model/pretrained.ts's models/pretrained among ${outside.join(', ')}`);
  for (const target of ['runtime', 'gpu']) {
    const start = instructions.findIndex((l) => new RegExp(`\\sAS\\s+${target}$`, 'i').test(l));
    const end = instructions.findIndex((l, i) => i > start && /^FROM\s/i.test(l));
    const copies = instructions.slice(start, end === -1 ? undefined : end).filter((l) => /^COPY\s/i.test(l) && !/--from=/.test(l));
    for (const rel of outside) {
      const copied = copies.some((l) => {
        const args = l.split(/\s+/).slice(1).filter((a) => !a.startsWith('--'));
        const dest = args.at(-1)!.replace(/^\.\//, '').replace(/\/+$/, '');
        // To the same relative path: `COPY package.json ./` (a top-level name) or `COPY models/pretrained ./models/pretrained`.
        const samePath = (src: string) => dest === src || ((dest === '.' || dest === '') && !src.includes('/'));
        return args.slice(0, -1).some((src) => (src === rel || rel.startsWith(`${src}/`)) && samePath(src));
      });
      assert.ok(copied, `${target}: the service reads ${rel} (new URL(..., import.meta.url) in src/) but the image does not COPY it to ./${rel}`);
    }
  }
});

test('the Dockerfile sets only environment names the config loader accepts', () => {
  assert.deepEqual(unknownTickcastEnv(dockerfile), []);
});

function healthcheckScript(): string {
  const line = instructions.find((l) => l.startsWith('HEALTHCHECK'))!;
  const json = line.slice(line.indexOf('CMD') + 3).trim();
  const argv = JSON.parse(json) as string[];
  assert.deepEqual(argv.slice(0, 2), ['node', '-e']);
  return argv[2];
}

function runHealthcheck(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', healthcheckScript()], { env: { ...process.env, TICKCAST_HTTP_PORT: String(port) }, stdio: 'ignore' });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('healthcheck hung')); }, 10_000);
    child.on('exit', (code) => { clearTimeout(timer); resolve(code ?? -1); });
  });
}

test('the HEALTHCHECK one-liner exits 0 on a 200 /healthz, 1 on 503 and 1 when nothing listens', async () => {
  let status = 200;
  const paths: string[] = [];
  const server: Server = createServer((req, res) => { paths.push(req.url ?? ''); res.statusCode = status; res.end('{}'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  try {
    assert.equal(await runHealthcheck(port), 0);
    status = 503;
    assert.equal(await runHealthcheck(port), 1);
    assert.deepEqual(paths, ['/healthz', '/healthz']);
  } finally {
    await new Promise<void>((r) => server.close(() => r()));
  }
  assert.equal(await runHealthcheck(port), 1, 'connection refused must be unhealthy');
});
