/**
 * The ONNX graph saved with a version (src/model/stored-graph.ts): the replica that records a
 * version saves the graph that passed its parity check; a replica following the directory serves
 * it without exporting or checking again; a damaged, edited or foreign graph is refused with a
 * code (logged once) and the version is exported as before; version directories without a graph
 * load as they always did.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ErrorCodes, type TickcastError } from '../../../src/errors/index.ts';
import { initBackend } from '../../../src/model/backend.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { engineBuilder } from '../../../src/model/engine-builder.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { createModelService } from '../../../src/model/model-service.ts';
import { GRAPH_FILE, dirGraphs, loadGraph } from '../../../src/model/stored-graph.ts';
import { VersionRegistry, type ModelVersion } from '../../../src/model/version-registry.ts';
import type { WeightMap } from '../../../src/model/weight-names.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { FT_HYBRID, FT_SPEC, ftConfig } from '../finetune/helpers.ts';
import { sineWindows } from '../onnx/fixtures.ts';

const config = ftConfig({ model: { engine: 'onnx', onnxWorkers: 0 }, finetune: { enabled: false } });

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-graph-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function saveVersion(store: CheckpointStore, seed: number): Promise<string> {
  await initBackend();
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, seed);
  const v = await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: { seed } });
  m.dispose();
  return v;
}

/** A replica's engine builder on `dir`, with its log lines. */
async function replica(dir: string) {
  const lines: { msg?: string; code?: string }[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) });
  const logger = createLogger({ level: 'info', name: 't', destination: sink });
  const backend = await initBackend();
  const build = engineBuilder(config, backend, logger, undefined, dirGraphs(dir, (level, msg, fields) => logger[level](fields, msg)));
  const registry = new VersionRegistry(new CheckpointStore({ dir, keep: 10 }), 3);
  return { build, registry, lines, said: (re: RegExp) => lines.filter((l) => re.test(String(l.msg))).length };
}

/** `v` whose weights count their reads: an ONNX export or a tfjs model (the parity referee) reads every one. */
function counted(v: ModelVersion): { v: ModelVersion; reads: () => number } {
  let n = 0;
  const weights = new Proxy(v.weights, {
    get(t, k, r) {
      if (typeof k === 'string' && Object.hasOwn(t, k)) n++;
      return Reflect.get(t, k, r) as unknown;
    },
  }) as WeightMap;
  return { v: { ...v, weights }, reads: () => n };
}

const PARITY = /parity max/;
const STORED = /loaded from model\.dir/;

test('the replica that records a version saves the graph it checked; a follower serves that graph without exporting it or running the parity check', async (t) => {
  const dir = tmp(t);
  const store = new CheckpointStore({ dir, keep: 10 });
  const v1 = await saveVersion(store, 1);
  const leader = await replica(dir);
  const led = await leader.build(await leader.registry.find(v1), undefined, { keepGraph: true });
  t.after(() => led.dispose());
  assert.equal(led.engine, 'onnx');
  assert.equal(leader.said(PARITY), 1, 'the leader checked parity');
  const manifest = JSON.parse(readFileSync(path.join(dir, v1, 'model.json'), 'utf8'));
  assert.equal(manifest.onnx.file, GRAPH_FILE);
  assert.equal(manifest.onnx.byteLength, readFileSync(path.join(dir, v1, GRAPH_FILE)).byteLength);
  assert.equal((await store.load(v1)).meta.seed, 1, 'the version still loads and verifies');

  const follower = await replica(dir);
  const { v, reads } = counted(await follower.registry.find(v1));
  const followed = await follower.build(v);
  t.after(() => followed.dispose());
  assert.equal(followed.engine, 'onnx');
  assert.equal(reads(), 0, 'no export and no tfjs referee: the weights were not read');
  assert.equal(follower.said(PARITY), 0, 'no parity check on the follower');
  assert.equal(follower.said(STORED), 1);
  const x = sineWindows(3, FT_SPEC.window, FT_SPEC.features.length, 7);
  assert.deepEqual((await followed.predict({ x, batch: 3 })).y, (await led.predict({ x, batch: 3 })).y, 'the same graph serves');

  // Control: the same spy sees the export of a version saved without a graph.
  const v2 = await saveVersion(store, 2);
  const plain = counted(await follower.registry.find(v2));
  await (await follower.build(plain.v)).dispose();
  assert.ok(plain.reads() > 0, 'an export reads the weights');
  assert.equal(follower.said(PARITY), 1);
  assert.ok(!existsSync(path.join(dir, v2, GRAPH_FILE)), 'a follow (no keepGraph) writes nothing');
});

test('a tampered, missing or foreign model.onnx is refused with a code, logged once, and the version is exported and checked as before', async (t) => {
  const dir = tmp(t);
  const store = new CheckpointStore({ dir, keep: 10 });
  const v1 = await saveVersion(store, 1);
  const leader = await replica(dir);
  await (await leader.build(await leader.registry.find(v1), undefined, { keepGraph: true })).dispose();
  const file = path.join(dir, v1, GRAPH_FILE);
  const good = readFileSync(file);
  const bad = Buffer.from(good);
  bad[bad.length >> 1] ^= 0xff;
  writeFileSync(file, bad);

  const follower = await replica(dir);
  for (let i = 0; i < 2; i++) {
    const { v, reads } = counted(await follower.registry.find(v1));
    const p = await follower.build(v);
    assert.equal(p.engine, 'onnx', 'served by a fresh export');
    assert.ok(reads() > 0, 'exported again');
    await p.dispose();
  }
  assert.equal(follower.said(PARITY), 2, 'the parity check ran each time');
  assert.equal(follower.said(STORED), 0);
  const refused = follower.lines.filter((l) => /stored ONNX graph .* refused/.test(String(l.msg)));
  assert.equal(refused.length, 1, 'logged once');
  assert.equal(refused[0].code, ErrorCodes.MODEL_ARTIFACT_CORRUPT);

  const sha = (await store.load(v1)).weightsSha256;
  const code = (p: Promise<unknown>) => p.then(() => 'none', (err: TickcastError) => err.code);
  assert.equal(await code(loadGraph(path.join(dir, v1), sha)), ErrorCodes.MODEL_ARTIFACT_CORRUPT, 'edited');
  rmSync(file);
  assert.equal(await code(loadGraph(path.join(dir, v1), sha)), ErrorCodes.MODEL_ARTIFACT_CORRUPT, 'missing');
  writeFileSync(file, good);
  assert.ok((await loadGraph(path.join(dir, v1), sha)) instanceof Uint8Array, 'restored: accepted');
  assert.equal(await code(loadGraph(path.join(dir, v1), '0'.repeat(64))), ErrorCodes.MODEL_ARTIFACT_MISMATCH, 'other weights');
  const m = JSON.parse(readFileSync(path.join(dir, v1, 'model.json'), 'utf8'));
  writeFileSync(path.join(dir, v1, 'model.json'), JSON.stringify({ ...m, onnx: { ...m.onnx, exportedBy: 'tickcast 0.0.1' } }));
  assert.equal(await code(loadGraph(path.join(dir, v1), sha)), ErrorCodes.MODEL_ARTIFACT_MISMATCH, 'another release');
});

test('version directories written without a graph (before, or by tickcast train) load and are exported as before, with no warning', async (t) => {
  const dir = tmp(t);
  const store = new CheckpointStore({ dir, keep: 10 });
  const v1 = await saveVersion(store, 3);
  assert.equal(await loadGraph(path.join(dir, v1), (await store.load(v1)).weightsSha256), null);
  const r = await replica(dir);
  const p = await r.build(await r.registry.find(v1));
  assert.equal(p.engine, 'onnx');
  await p.dispose();
  assert.equal(r.said(PARITY), 1);
  assert.equal(r.lines.filter((l) => (l as { level?: number }).level! >= 40).length, 0, 'no warning');
});

test('two services on one directory: a manual rollback on one saves the graph, the other follows it and serves it without a parity check', async (t) => {
  const dir = tmp(t);
  const store = new CheckpointStore({ dir, keep: 10 });
  await saveVersion(store, 1);
  await saveVersion(store, 2);
  const cfg = ftConfig({ model: { dir, engine: 'onnx', onnxWorkers: 0, followIntervalMs: 0 }, finetune: { enabled: false } });
  const start = async () => {
    const lines: { msg?: string }[] = [];
    const sink = new Writable({ write: (c, _e, cb) => (lines.push(JSON.parse(String(c))), cb()) });
    const svc = await createModelService(cfg, createLogger({ level: 'info', name: 't', destination: sink }), createMetrics({ defaultMetrics: false }));
    await svc.start();
    t.after(() => svc.stop());
    return { svc, lines };
  };
  const a = await start();
  const b = await start();
  assert.equal(b.svc.info().version, 'v2');
  await a.svc.rollback({ version: 'v1' });
  assert.ok(existsSync(path.join(dir, 'v1', GRAPH_FILE)), 'saved by the replica that rolled back');
  const before = b.lines.length;
  await b.svc.coordinator!.followOnce();
  assert.equal(b.svc.info().version, 'v1');
  const after = b.lines.slice(before).map((l) => String(l.msg));
  assert.ok(after.some((m) => STORED.test(m)), after.join('\n'));
  assert.ok(!after.some((m) => PARITY.test(m)), after.join('\n'));
});
