/**
 * A process killed in the middle of a promotion — its candidate version already renamed into
 * model.dir, its engine being built, current.json not yet written — must not have that candidate
 * served by the next start: it never passed the promotion's last checks (engine build, ONNX parity,
 * the lease fence) nor served. Until 7 Dec 2026 the start took it, newer than current.json, for a
 * model copied in (`tickcast train --out`), served it and recorded it as current, so every replica
 * following the directory served it too (a candidate whose engine build crashed the process would
 * do so again at every start).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApp, TEST_HORIZON, TEST_WINDOW } from '../helpers/app.ts';
import { initBackend } from '../../src/model/backend.ts';
import { CheckpointStore } from '../../src/model/checkpoints.ts';
import { resolveHybridConfig } from '../../src/model/config.ts';
import { HybridModel } from '../../src/model/hybrid-model.ts';
import { readCurrent, writeCurrent } from '../../src/model/shared-dir/current-pointer.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const src = (f: string) => JSON.stringify(path.join(repo, 'src', f));
const CFG = resolveHybridConfig({ dModel: 8 });
const SPEC = { window: TEST_WINDOW, features: ['value'], targets: ['value'], horizon: TEST_HORIZON, quantiles: [0.1, 0.5, 0.9] };

/** The real Promoter in a child: serving v1, it saves a fine-tuned candidate (v2, parent v1), then dies (SIGKILL) while the engine is built. */
function killedPromotion(dir: string): void {
  const code = `
    import { initBackend } from ${src('model/backend.ts')};
    import { CheckpointStore } from ${src('model/checkpoints.ts')};
    import { HybridModel } from ${src('model/hybrid-model.ts')};
    import { TfjsPredictor } from ${src('model/predictor.ts')};
    import { Promoter } from ${src('model/promoter.ts')};
    import { VersionRegistry } from ${src('model/version-registry.ts')};
    import { writeCurrent } from ${src('model/shared-dir/current-pointer.ts')};
    import { createLogger } from ${src('telemetry/logger.ts')};
    import { createMetrics } from ${src('telemetry/metrics.ts')};
    const { name: backend } = await initBackend();
    const store = new CheckpointStore({ dir: ${JSON.stringify(dir)}, keep: 5 });
    const registry = new VersionRegistry(store, 5);
    const v1 = { ...(await store.load('v1')) };
    registry.hold(v1, 'v1');
    const build = async (v) => {
      if (v.version !== 'v1') { process.kill(process.pid, 'SIGKILL'); await new Promise((r) => setTimeout(r, 10000)); }
      return new TfjsPredictor(HybridModel.fromWeights(v.config, v.spec, v.weights), { version: v.version, backend });
    };
    let current = await build(v1);
    const slot = { get predictor() { return current; }, swap: (next) => void (current = next) };
    const promoter = new Promoter({ registry, build, slot, serving: v1, logger: createLogger({ level: 'silent', name: 't' }), metrics: createMetrics({ defaultMetrics: false }), saveCurrent: (v) => writeCurrent(${JSON.stringify(dir)}, v, 'child') });
    const m = HybridModel.create(v1.config, v1.spec, 2);
    await promoter.promote(m.getWeights(), { source: 'finetune', round: 1, trigger: 'interval' }, undefined);
    console.log('not killed');
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.signal, 'SIGKILL', `child was not killed mid-promotion: ${r.stdout} ${r.stderr}`);
}

/** v1 (dModel 8) saved in a new directory, removed after the test. */
async function dirWithV1(t: { after: (fn: () => void) => void }): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-promo-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const m = HybridModel.create(CFG, SPEC, 1);
  await new CheckpointStore({ dir, keep: 5 }).save({ config: CFG, spec: SPEC, weights: m.getWeights(), meta: { seed: 1 } });
  m.dispose();
  return dir;
}

/** GET /v1/model of an app started on `dir`, stopped again. */
async function modelInfoAtStart(dir: string): Promise<{ version: string; versions: string[]; unfinishedVersions?: { version: string; parent: string }[] }> {
  const app = await startTestApp({ model: { dir } });
  try {
    return await (await fetch(`${app.address()}/v1/model`)).json();
  } finally {
    await app.stop();
  }
}

const later = () => new Promise((r) => setTimeout(r, 20)); // what follows is written later (mtime) than what came before

test('a promotion killed between its save and its record: the restart serves the recorded version, not the candidate', { timeout: 120_000 }, async (t) => {
  const dir = await dirWithV1(t);
  const cfg = CFG;
  await writeCurrent(dir, 'v1', 'test');
  await later(); // the candidate's directory is written later than the record

  killedPromotion(dir);
  const store = new CheckpointStore({ dir, keep: 5 });
  assert.deepEqual(await store.list(), ['v2', 'v1'], 'the candidate was saved before the crash');
  assert.equal(await readCurrent(dir), 'v1', 'and not recorded');

  const KEY = 'k'.repeat(32);
  const app = await startTestApp({ model: { dir }, http: { apiKeys: [KEY] } });
  try {
    const info = await (await fetch(`${app.address()}/v1/model`)).json();
    assert.equal(info.version, 'v1', 'the restart serves the recorded version');
    assert.deepEqual(info.versions, ['v2', 'v1']);
    assert.deepEqual(
      info.unfinishedVersions?.map((u: { version: string; parent: string }) => [u.version, u.parent]),
      [['v2', 'v1']],
      'GET /v1/model says v2 is an unfinished promotion, not merely a version that loads',
    );
    assert.equal(await readCurrent(dir), 'v1', 'the candidate is not recorded as current (replicas following the directory do not serve it)');
    assert.match(await (await fetch(`${app.address()}/metrics`)).text(), /^tickcast_model_unfinished_versions 1$/m);
    // Served by hand, as the warning says it may be: no longer unfinished.
    const r = await fetch(`${app.address()}/v1/model/rollback`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: '{"version":"v2"}' });
    assert.equal(r.status, 200, await r.clone().text());
    const served = await r.json();
    assert.equal(served.version, 'v2');
    assert.equal(served.unfinishedVersions, undefined);
    assert.match(await (await fetch(`${app.address()}/metrics`)).text(), /^tickcast_model_unfinished_versions 0$/m);
    await writeCurrent(dir, 'v1', 'test'); // back to the record the next part starts from
  } finally {
    await app.stop();
  }

  // A fine-tuned checkpoint copied in from another deployment's directory (another parent) is a model copied in: served.
  await new Promise((r) => setTimeout(r, 20));
  const other = HybridModel.create(cfg, SPEC, 3);
  assert.equal(await store.save({ config: cfg, spec: SPEC, weights: other.getWeights(), meta: { source: 'finetune', round: 9, parent: 'v7' } }), 'v3');
  other.dispose();
  const again = await startTestApp({ model: { dir } });
  try {
    assert.equal((await (await fetch(`${again.address()}/v1/model`)).json()).version, 'v3');
    assert.equal(await readCurrent(dir), 'v3');
  } finally {
    await again.stop();
  }
});

test('current.json damaged when the restart comes: the unfinished candidate, written after it, is not served', { timeout: 120_000 }, async (t) => {
  const dir = await dirWithV1(t);
  writeFileSync(path.join(dir, 'current.json'), '{"version": "v1", "by": "te'); // a record damaged in place
  await later();
  killedPromotion(dir);
  assert.deepEqual(await new CheckpointStore({ dir, keep: 5 }).list(), ['v2', 'v1']);
  const info = await modelInfoAtStart(dir);
  assert.equal(info.version, 'v1', 'the newest good version that is not an unfinished promotion serves');
  assert.deepEqual(info.unfinishedVersions?.map((u) => u.version), ['v2']);
});

test('no current.json (a directory from before it existed): the start records what it serves, so a promotion killed later is told by it', { timeout: 120_000 }, async (t) => {
  const dir = await dirWithV1(t);
  assert.equal((await modelInfoAtStart(dir)).version, 'v1');
  assert.equal(await readCurrent(dir), 'v1', 'the start recorded the version it serves');
  await later();
  killedPromotion(dir);
  const info = await modelInfoAtStart(dir);
  assert.equal(info.version, 'v1', 'the restart serves v1, not the candidate');
  assert.equal(await readCurrent(dir), 'v1');
});

test('a pinned start serves the pin and still reports the unfinished candidate (GET /v1/model and the gauge)', { timeout: 120_000 }, async (t) => {
  const dir = await dirWithV1(t);
  await writeCurrent(dir, 'v1', 'test');
  writeFileSync(path.join(dir, 'pinned.json'), '{"version":"v1"}');
  await later();
  // A promotion from v1 that checked the pin before the operator set it, saved, and stopped before its record.
  const m = HybridModel.create(CFG, SPEC, 2);
  assert.equal(await new CheckpointStore({ dir, keep: 5 }).save({ config: CFG, spec: SPEC, weights: m.getWeights(), meta: { source: 'finetune', round: 1, parent: 'v1' } }), 'v2');
  m.dispose();
  const app = await startTestApp({ model: { dir } });
  try {
    const info = await (await fetch(`${app.address()}/v1/model`)).json();
    assert.equal(info.version, 'v1', 'the pin serves');
    assert.equal(info.pinned, true);
    assert.deepEqual(info.unfinishedVersions?.map((u: { version: string; parent: string }) => [u.version, u.parent]), [['v2', 'v1']], 'reported as an unpinned start reports it');
    assert.match(await (await fetch(`${app.address()}/metrics`)).text(), /^tickcast_model_unfinished_versions 1$/m);
    assert.equal(await readCurrent(dir), 'v1');
  } finally {
    await app.stop();
  }
});
