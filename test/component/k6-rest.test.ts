/**
 * The REST k6 scenarios (load/k6/rest-*.js) run against the real app: their request functions
 * execute in a worker thread with stand-ins for k6's modules (./k6-stubs), every request they make
 * is served by the app, and every k6 check they declare must pass on a service that is healthy and
 * not overloaded. A renamed route, a body the API rejects (a 4xx) or a response field a check reads
 * that the API no longer has fails here, not in a load test someone runs before a release.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TEST_WINDOW, startTestApp } from '../helpers/app.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const K6_DIR = resolve(HERE, '../../load/k6');
const STUBS: Record<string, string> = { 'k6/http': 'http.js', k6: 'k6.js', 'k6/metrics': 'metrics.js' };

/** Copies of the k6 scripts whose k6 imports name the stand-ins. */
function stubbedScripts(dir: string): void {
  for (const name of readdirSync(K6_DIR).filter((n) => n.endsWith('.js'))) {
    const src = readFileSync(join(K6_DIR, name), 'utf8').replace(/from '(k6(?:\/[a-z]+)?)';/g, (m, spec: string) =>
      STUBS[spec] ? `from '${pathToFileURL(join(HERE, 'k6-stubs', STUBS[spec])).href}';` : m);
    writeFileSync(join(dir, name), src);
  }
}

interface Call { module: string; fn: string; args?: unknown[]; random?: number }
interface Result { module: string; fn: string; random?: number; checks: Array<{ name: string; ok: boolean }>; error: string | null }
interface Request { method: string; url: string; status: number }

/** Runs the calls in a worker; each k6 request is made here with fetch, the answer handed back. */
function runK6(calls: Call[], env: Record<string, string>): Promise<{ results: Result[]; logs: string[]; requests: Request[] }> {
  const sab = new SharedArrayBuffer(8 + 4 * 1024 * 1024);
  const state = new Int32Array(sab, 0, 2);
  const bytes = new Uint8Array(sab, 8);
  const requests: Request[] = [];
  const worker = new Worker(join(HERE, 'k6-stubs/worker.mjs'), { workerData: { sab, env, calls } });
  return new Promise((done, fail) => {
    worker.on('error', fail);
    worker.on('message', (msg: any) => {
      if (msg.type === 'done') {
        void worker.terminate();
        done({ results: msg.results, logs: msg.logs, requests });
        return;
      }
      void (async () => {
        let answer: { status: number; body: string; headers: Record<string, string> };
        try {
          const res = await fetch(msg.url, { method: msg.method, body: msg.body ?? undefined, headers: msg.headers });
          const headers: Record<string, string> = {};
          res.headers.forEach((v, k) => { headers[k] = v; });
          answer = { status: res.status, body: await res.text(), headers };
        } catch (e) {
          answer = { status: 0, body: String(e), headers: {} };
        }
        requests.push({ method: msg.method, url: msg.url, status: answer.status });
        const encoded = new TextEncoder().encode(JSON.stringify(answer));
        assert.ok(encoded.length <= bytes.length, `answer to ${msg.method} ${msg.url} too large for the test's buffer`);
        bytes.set(encoded);
        Atomics.store(state, 1, encoded.length);
        Atomics.store(state, 0, 1);
        Atomics.notify(state, 0);
      })();
    });
  });
}

test('the REST k6 scenarios call real routes with bodies the API takes, and all their checks pass', async () => {
  const app = await startTestApp({ embedded: { series: 2, ticksPerSecond: 0, maxTicks: 2 * 40 }, telemetry: { defaultMetrics: true } });
  const dir = mkdtempSync(join(tmpdir(), 'tickcast-k6-'));
  try {
    // A server-held series with a full window, for the scripts' SERIES option.
    let series = '';
    for (const t0 = Date.now(); !series && Date.now() - t0 < 30_000; await new Promise((r) => setTimeout(r, 100))) {
      const list = await (await fetch(`${app.address()}/v1/series?limit=5`)).json() as { items: Array<{ id: string; ready: boolean }> };
      series = list.items.find((s) => s.ready)?.id ?? '';
    }
    assert.ok(series, 'no embedded series filled its window');
    stubbedScripts(dir);
    const mod = (name: string) => pathToFileURL(join(dir, name)).href;
    const { results, logs, requests } = await runK6([
      { module: mod('rest-common.js'), fn: 'predict', random: 0.5 }, // a window of WINDOW values
      { module: mod('rest-common.js'), fn: 'predict', random: 0.05 }, // the SERIES path (10% of requests)
      { module: mod('rest-common.js'), fn: 'browse' },
      { module: mod('rest-spike.js'), fn: 'recoveryScenario', random: 0.5 },
      { module: mod('rest-soak.js'), fn: 'teardown', args: [{ rssStart: 1e15 }] },
    ], { BASE_URL: app.address()!, WINDOW: String(TEST_WINDOW), SERIES: series });

    for (const r of results) {
      assert.equal(r.error, null, `${r.module.split('/').pop()} ${r.fn}() threw`);
      for (const c of r.checks) assert.ok(c.ok, `${r.fn}() (random ${r.random}): k6 check "${c.name}" failed`);
    }
    assert.ok(results.flatMap((r) => r.checks).length >= 8, 'expected the scripts\' checks to run');
    const routes = new Set(requests.map((q) => `${q.method} ${new URL(q.url).pathname}`));
    for (const r of ['POST /v1/predict', 'GET /v1/series', 'GET /readyz', 'GET /healthz', 'GET /metrics']) assert.ok(routes.has(r), `no ${r} made`);
    for (const q of requests) assert.ok(q.status < 400, `${q.method} ${q.url}: ${q.status}`);
    // The soak's leak check read process_resident_memory_bytes from /metrics (else it checks nothing).
    assert.ok(logs.some((l) => /^resident memory: \d+ MiB after warm-up → \d+ MiB at the end$/.test(l)), `rest-soak.js teardown read no resident memory: ${logs.join('\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await app.stop();
  }
});
