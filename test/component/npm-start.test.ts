/**
 * `npm start` as a supervisor runs it: spawn the real `npm start` (prestart compiles dist/ when it
 * is stale, then plain `node dist/main.js`), wait for /healthz, send SIGTERM to the npm process
 * only, and check that the signal reached the service: it drained and logged "stopped", exited 0
 * (npm passes the service's exit code on), no tickcast process is left behind, the port is free.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { alive } from '../helpers/process.ts';

import { freePort, smallServiceEnv, waitFor } from '../helpers/spawned-service.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

function portIsFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => res(false));
    s.listen(port, '127.0.0.1', () => s.close(() => res(true)));
  });
}



test('SIGTERM to `npm start` reaches the service: it drains, exits 0 and frees its port', { timeout: 240_000 }, async () => {
  const port = await freePort();
  const modelDir = mkdtempSync(join(tmpdir(), 'tc-npm-start-'));
  const env = smallServiceEnv(port, modelDir, { TICKCAST_MODEL_ENGINE: 'onnx' });
  delete env.npm_lifecycle_event; // not a nested script of `npm test`: a plain `npm start`
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  npm.stdout.on('data', (c) => (out += String(c)));
  npm.stderr.on('data', (c) => (out += String(c)));
  const npmExit = new Promise<{ code: number | null; signal: string | null }>((res) => npm.once('exit', (code, signal) => res({ code, signal })));
  let servicePid = 0;
  try {
    // prestart may compile dist/ first (tens of seconds on a loaded 2-core machine).
    await waitFor('GET /healthz', 180_000, async () => {
      if (npm.exitCode !== null) throw new Error(`npm start exited early (${npm.exitCode}):\n${out.slice(-3000)}`);
      const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      return r?.ok ? true : undefined;
    });
    servicePid = await waitFor('the service pid in its log', 10_000, () => {
      const m = /"pid":(\d+),"name":"tickcast","module":"app"/.exec(out);
      return m ? Number(m[1]) : undefined;
    });
    assert.notEqual(servicePid, npm.pid, 'the service runs in its own node process under npm');
    // The replay logs its file when it starts, which may be just after /healthz first answers.
    await waitFor('the bundled sample in the log', 30_000, () => (/dist\/adapters\/embedded\/sample\/nyc_taxi\.csv/.test(out) ? true : undefined));
    assert.match(out, /dist\/adapters\/embedded\/sample\/nyc_taxi\.csv/, 'the service runs the compiled dist/ and finds its bundled sample there');

    // Assets and JSON read at run time are found from dist/ too: dashboard page and static files,
    // uPlot from node_modules, the package version (package.json) in tickcast_build_info.
    const base = `http://127.0.0.1:${port}`;
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    for (const f of ['dashboard.js', 'dashboard.css', 'uPlot.iife.min.js']) assert.equal((await fetch(`${base}/static/${f}`)).status, 200, f);
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    assert.match(await (await fetch(`${base}/metrics`)).text(), new RegExp(`tickcast_build_info\\{version="${version.replace(/\./g, '\\.')}"`));

    assert.ok(npm.kill('SIGTERM'));
    const { code, signal } = await npmExit;
    assert.equal(signal, null, 'npm exited on its own, passing the service exit code on');
    assert.equal(code, 0, `exit code 0 after a clean drain; log:\n${out.slice(-3000)}`);
    assert.match(out, /"msg":"draining"/);
    assert.match(out, /"msg":"stopped"/);
    await waitFor('the service process to be gone', 10_000, () => (alive(servicePid) ? undefined : true));
    assert.ok(await portIsFree(port), `port ${port} is free again`);
  } finally {
    if (npm.exitCode === null) npm.kill('SIGKILL');
    if (servicePid && alive(servicePid)) process.kill(servicePid, 'SIGKILL');
    rmSync(modelDir, { recursive: true, force: true });
  }
});
