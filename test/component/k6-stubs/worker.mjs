// Runs k6 scenario functions in a worker thread: synchronous k6 requests become messages to the
// main thread, which answers through a shared buffer (Atomics.wait blocks this thread only).
import { parentPort, workerData } from 'node:worker_threads';

const { sab, env, calls } = workerData;
const state = new Int32Array(sab, 0, 2); // [0] answered?, [1] answer length
const bytes = new Uint8Array(sab, 8);
const logs = [];
globalThis.__ENV = env;
globalThis.__k6 = {
  checks: [],
  metrics: {},
  request(method, url, body, headers) {
    Atomics.store(state, 0, 0);
    parentPort.postMessage({ type: 'http', method, url, body, headers });
    Atomics.wait(state, 0, 0);
    return JSON.parse(new TextDecoder().decode(bytes.slice(0, state[1])));
  },
};
console.log = (...args) => logs.push(args.join(' '));

const results = [];
for (const { module, fn, args, random } of calls) {
  const mod = await import(module);
  const saved = Math.random;
  if (random !== undefined) Math.random = () => random;
  globalThis.__k6.checks = [];
  let error = null;
  try {
    mod[fn](...(args ?? []));
  } catch (e) {
    error = String(e?.message ?? e);
  } finally {
    Math.random = saved;
  }
  results.push({ module, fn, random, checks: globalThis.__k6.checks, error });
}
parentPort.postMessage({ type: 'done', results, logs, metrics: globalThis.__k6.metrics });
