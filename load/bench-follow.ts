/**
 * Follower stall benchmark (npm run bench:follow): how long a replica following the model
 * directory (model.dir, model.followIntervalMs) blocks its serving thread when it switches to a
 * version another replica promoted, with the default model and engine (ONNX, serving threads auto).
 *
 * One follower service (the real createModelService on a temp model.dir); the "leader" saves each
 * new version (random weights) and records it in current.json, as a promotion does. Versions
 * alternate between the two paths, in the same run:
 *  - export: a version directory without model.onnx (today's path for directories written before,
 *    or by `tickcast train`): the follower exports the ONNX graph and runs the parity check;
 *  - stored: the leader saved the graph it checked (model.onnx + its manifest entry,
 *    src/model/stored-graph.ts): the follower loads it, no export, no parity check.
 * Reported per path: the longest event-loop block during `followOnce()` (what a forecast waits,
 * measured by a 1 ms timer), the serving thread's busy time (event-loop utilisation) and the wall time of the whole follow, first switch and the rest;
 * `idle`: the same timer while nothing is followed (the shared machine's own scheduling noise).
 * Options (env): BENCH_ROUNDS (8 per path).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/load.ts';
import type { ConfigInput } from '../src/config/schema.ts';
import { CheckpointStore } from '../src/model/checkpoints.ts';
import { resolveHybridConfig } from '../src/model/config.ts';
import { HybridModel } from '../src/model/hybrid-model.ts';
import { createModelService, specFromConfig } from '../src/model/model-service.ts';
import { exportOnnx } from '../src/model/onnx/export-hybrid.ts';
import { writeCurrent } from '../src/model/shared-dir/current-pointer.ts';
import { saveGraph } from '../src/model/stored-graph.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import { createMetrics } from '../src/telemetry/metrics.ts';
import { initBackend } from '../src/model/backend.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const dir = mkdtempSync(path.join(tmpdir(), 'tc-bench-follow-'));
const config = loadConfig({
  env: {},
  overrides: { logLevel: 'warn', model: { dir, bootstrapEpochs: 0, followIntervalMs: 0 }, finetune: { enabled: false }, http: { enabled: false }, telemetry: { defaultMetrics: false } } as ConfigInput,
});
const spec = specFromConfig(config);
const patch = config.model.patchLength || config.model.patchStride ? { length: config.model.patchLength || undefined, stride: config.model.patchStride || undefined } : undefined;
const hybrid = resolveHybridConfig({ dModel: config.model.dModel, ...(patch ? { patch } : {}) });
await initBackend({ prefer: config.model.backend });
const store = new CheckpointStore({ dir, keep: 1_000 });

/** What the leader writes for one promotion: the version, its graph when `withGraph`, current.json. */
async function leaderPromotes(seed: number, withGraph: boolean): Promise<void> {
  const m = HybridModel.create(hybrid, spec, seed);
  const weights = m.getWeights();
  m.dispose();
  const version = await store.save({ config: hybrid, spec, weights, meta: { seed } });
  if (withGraph) await saveGraph(path.join(dir, version), exportOnnx(weights, hybrid, spec, { version }));
  await writeCurrent(dir, version, 'bench-leader');
}

/** Longest gap between 1 ms timer callbacks while `fn` runs, the serving thread's busy time (event-loop utilisation, timer callbacks included) and fn's wall time. */
async function stall(fn: () => Promise<void>): Promise<{ blockMs: number; busyMs: number; wallMs: number }> {
  let last = performance.now();
  let worst = 0;
  const t = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  const elu = performance.eventLoopUtilization();
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 5));
  const busyMs = performance.eventLoopUtilization(elu).active;
  clearInterval(t);
  return { blockMs: Math.max(0, worst - 1), busyMs, wallMs };
}

await leaderPromotes(1, false);
const svc = await createModelService(config, createLogger({ level: 'warn', name: 'bench' }), createMetrics({ defaultMetrics: false }));
await svc.start();
const results: Record<'export' | 'stored' | 'idle', { blockMs: number; busyMs: number; wallMs: number }[]> = { export: [], stored: [], idle: [] };
for (let r = 0; r < ROUNDS; r++) {
  // Control: the same timer while nothing is followed, as long as a follow takes (the machine's own noise).
  results.idle.push(await stall(() => new Promise((res) => setTimeout(res, Math.max(100, results.stored.at(-1)?.wallMs ?? 500)))));
  for (const path_ of r % 2 === 0 ? (['export', 'stored'] as const) : (['stored', 'export'] as const)) {
    await leaderPromotes(100 + r * 2 + (path_ === 'stored' ? 1 : 0), path_ === 'stored');
    const before = svc.info().version;
    results[path_].push(await stall(() => svc.coordinator!.followOnce()));
    if (svc.info().version === before) throw new Error(`the follower did not switch (${path_})`);
    await new Promise((res) => setTimeout(res, 50));
  }
}
await svc.stop();
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => `first ${xs[0].toFixed(0)}, median of the rest ${median(xs.slice(1)).toFixed(0)}, max of the rest ${Math.max(...xs.slice(1)).toFixed(0)}`;
console.log(`follower switch, ${ROUNDS} per path, engine ${svc.info().engine}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg()[0].toFixed(1)}, window ${spec.window}, dModel ${hybrid.dModel}`);
for (const p of ['export', 'stored', 'idle'] as const) {
  console.log(`${p.padEnd(6)} longest block ms: ${fmt(results[p].map((x) => x.blockMs))}; serving thread busy ms: ${fmt(results[p].map((x) => x.busyMs))}; wall ms: ${fmt(results[p].map((x) => x.wallMs))}`);
}
const ratio = (k: 'blockMs' | 'busyMs') => (median(results.export.slice(1).map((x) => x[k])) / Math.max(1e-9, median(results.stored.slice(1).map((x) => x[k])))).toFixed(1);
console.log(`medians, export path / stored path: longest block ${ratio('blockMs')}×, busy ${ratio('busyMs')}×`);
