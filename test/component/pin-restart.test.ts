/**
 * An operator's pin outlives a restart: a rollback with `pin` away from a bad newest model keeps
 * serving the pinned version after the service restarts (a redeploy, a node drain), until a
 * rollback without `pin` lifts it (the version that rollback chose is recorded as current and still
 * serves after a restart); a pinned version that no longer loads is not served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, TEST_HORIZON, TEST_WINDOW } from '../helpers/app.ts';
import { initBackend } from '../../src/model/backend.ts';
import { CheckpointStore } from '../../src/model/checkpoints.ts';
import { resolveHybridConfig } from '../../src/model/config.ts';
import { HybridModel } from '../../src/model/hybrid-model.ts';
import { writePin } from '../../src/model/pin-file.ts';

const KEY = 'pin-restart-test-key-0123456789';

/** A temporary model directory holding v1, v2, v3 (small seeded models), removed after the test. */
async function threeVersions(t: { after: (fn: () => void) => void }, prefix: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const spec = { window: TEST_WINDOW, features: ['value'], targets: ['value'], horizon: TEST_HORIZON, quantiles: [0.1, 0.5, 0.9] };
  const cfg = resolveHybridConfig({ dModel: 8 });
  const store = new CheckpointStore({ dir, keep: 5 });
  for (const seed of [1, 2, 3]) {
    const m = HybridModel.create(cfg, spec, seed);
    await store.save({ config: cfg, spec, weights: m.getWeights(), meta: { seed } });
    m.dispose();
  }
  return dir;
}

test('a pinned rollback survives restarts until unpinned; a pinned version that no longer loads is dropped', { timeout: 120_000 }, async (t) => {
  const dir = await threeVersions(t, 'tc-pin-');
  const start = () => startTestApp({ model: { dir }, http: { apiKeys: [KEY] } });
  const model = async (app: Awaited<ReturnType<typeof start>>) => (await fetch(`${app.address()}/v1/model`)).json();
  const rollback = async (app: Awaited<ReturnType<typeof start>>, body: object) => {
    const r = await fetch(`${app.address()}/v1/model/rollback`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });
    assert.equal(r.status, 200, await r.clone().text());
  };

  let app = await start();
  assert.equal((await model(app)).version, 'v3');
  await rollback(app, { version: 'v1', pin: true });
  await app.stop();

  app = await start();
  let m = await model(app);
  assert.deepEqual([m.version, m.pinned], ['v1', true], 'the pin came back with the restart');
  await rollback(app, { version: 'v2' }); // without pin: lifted
  await app.stop();
  assert.equal(existsSync(path.join(dir, 'pinned.json')), false, 'an unpinning rollback removes the record');

  app = await start();
  m = await model(app);
  // Unpinned, but the operator's choice is recorded (current.json): a restarted pod serves what the
  // other replicas serve, not the newest checkpoint the rollback moved away from.
  assert.deepEqual([m.version, m.pinned], ['v2', false], 'unpinned: the recorded current version serves');
  await rollback(app, { version: 'v2', pin: true });
  await app.stop();
  truncateSync(path.join(dir, 'v2', 'weights.bin'), 10); // the pinned version is damaged while stopped

  app = await start();
  try {
    m = await model(app);
    assert.deepEqual([m.version, m.pinned], ['v3', false], 'a pinned (and current) version that does not load is not served, and the pin is dropped');
    assert.equal(existsSync(path.join(dir, 'pinned.json')), false);
  } finally {
    await app.stop();
  }
});

test('mixed versions on one model.dir: a pin on a version in a format this release does not read is kept for the release that wrote it, and the newest good checkpoint serves', { timeout: 120_000 }, async (t) => {
  const dir = await threeVersions(t, 'tc-pin-fmt-');
  // A newer release fine-tuned v3 in its artifact format 2 and an operator pinned it there.
  const manifest = path.join(dir, 'v3', 'model.json');
  writeFileSync(manifest, JSON.stringify({ ...JSON.parse(readFileSync(manifest, 'utf8')), formatVersion: 2 }));
  await writePin(dir, 'v3');

  const app = await startTestApp({ model: { dir } });
  try {
    const m = await (await fetch(`${app.address()}/v1/model`)).json();
    assert.deepEqual([m.version, m.pinned], ['v2', false], 'this release serves the newest checkpoint it reads, unpinned');
    assert.equal(JSON.parse(readFileSync(path.join(dir, 'pinned.json'), 'utf8')).version, 'v3', 'the pin stays for the release that reads v3');
  } finally {
    await app.stop();
  }
});
