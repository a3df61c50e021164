/**
 * The model lifecycle through the whole app: start from the newest checkpoint in model.dir,
 * POST /v1/model/rollback (auth required) swaps the serving model (forecasts name the new version,
 * /v1/model and the metrics follow), pinning, and stop() ends the fine-tune worker thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestApp, TEST_HORIZON, TEST_WINDOW } from '../helpers/app.ts';
import { initBackend } from '../../src/model/backend.ts';
import { CheckpointStore } from '../../src/model/checkpoints.ts';
import { resolveHybridConfig } from '../../src/model/config.ts';
import { HybridModel } from '../../src/model/hybrid-model.ts';

const KEY = 'finetune-test-key-0123456789';

test('REST rollback and pin over the real app; a killed trainer process is restarted; the trainer stops with the app', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-ft-rest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const spec = { window: TEST_WINDOW, features: ['value'], targets: ['value'], horizon: TEST_HORIZON, quantiles: [0.1, 0.5, 0.9] };
  const cfg = resolveHybridConfig({ dModel: 8 });
  const store = new CheckpointStore({ dir, keep: 5 });
  for (const seed of [1, 2]) {
    const m = HybridModel.create(cfg, spec, seed);
    await store.save({ config: cfg, spec, weights: m.getWeights(), meta: { seed } });
    m.dispose();
  }
  const app = await startTestApp({
    model: { dir },
    http: { apiKeys: [KEY] },
    finetune: { enabled: true, intervalMs: 600_000 },
    embedded: { series: 2, ticksPerSecond: 200, maxTicks: 0 },
  });
  const ft = app.model.finetune!;
  try {
    const base = app.address()!;
    const info = async () => (await fetch(`${base}/v1/model`)).json();
    assert.equal((await info()).version, 'v2');
    assert.deepEqual((await info()).versions, ['v2', 'v1']);

    const denied = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(denied.status, 401);
    assert.equal((await info()).version, 'v2');

    const auth = { 'content-type': 'application/json', authorization: `Bearer ${KEY}` };
    const r = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers: auth, body: JSON.stringify({ pin: true }) });
    assert.equal(r.status, 200, await r.clone().text());
    const body = await r.json();
    assert.equal(body.version, 'v1');
    assert.equal(body.pinned, true);
    assert.equal(body.training.seed, 1);

    // Forecasts now come from v1.
    const window = Array.from({ length: TEST_WINDOW }, (_, i) => 100 + 10 * Math.sin(i / 2));
    const p = await (await fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ window }) })).json();
    assert.equal(p.model, 'v1');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /tickcast_model_info\{version="v1",engine="onnx",backend="cpu"\} 1/);
    assert.doesNotMatch(metrics, /tickcast_model_info\{version="v2"/);
    // No round was watched: the manual rollback is a manual change, not a fine-tune round.
    assert.doesNotMatch(metrics, /tickcast_finetune_rounds_total\{outcome="rolled_back"\}/);
    assert.match(metrics, /tickcast_model_manual_changes_total\{direction="older"\} 1/);
    assert.match(metrics, /tickcast_replay_buffer_size \d+/);

    // While pinned, fine-tuning does not run even when a round is asked for.
    const rounds0 = Number(ft.status().rounds);
    ft.requestRound();
    await new Promise((res) => setTimeout(res, 1_500));
    assert.equal(Number(ft.status().rounds), rounds0, 'a round ran while the model was pinned');
    assert.equal(ft.state, 'idle');

    const missing = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers: auth, body: JSON.stringify({ version: 'v7' }) });
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).error?.message ?? '', /unknown model version "v7"/);

    const fwd = await (await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers: auth, body: JSON.stringify({ version: 'v2' }) })).json();
    assert.equal(fwd.version, 'v2');
    assert.equal(fwd.pinned, false);
    assert.equal(fwd.training.finetune.state, 'idle');
    // Unpinned: the requested round starts (the replayed sample has filled the buffer by now).
    const t0 = Date.now();
    ft.requestRound();
    while (Number(ft.status().rounds) === rounds0 && Date.now() - t0 < 20_000) await new Promise((res) => setTimeout(res, 100));
    assert.ok(Number(ft.status().rounds) > rounds0, `no round after unpinning (buffer ${ft.bufferSize} pairs)`);

    // The trainer process is killed (an OOM kill, say): serving goes on, and the fine-tuner starts
    // a new trainer that runs rounds again.
    const trainer = () => ft.status().trainer as { isolation: string; pid?: number };
    assert.equal(trainer().isolation, 'process');
    const pid = trainer().pid!;
    process.kill(pid, 'SIGKILL');
    const t1 = Date.now();
    while (trainer().pid === pid && Date.now() - t1 < 30_000) await new Promise((res) => setTimeout(res, 100));
    assert.notEqual(trainer().pid, pid, 'no new trainer within 30 s of the kill');
    const served = await (await fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ window }) })).json();
    assert.equal(served.model, 'v2');
    assert.match(await (await fetch(`${base}/metrics`)).text(), /tickcast_finetune_trainer_restarts_total 1/);
    const rounds1 = Number(ft.status().rounds);
    ft.requestRound();
    const t2 = Date.now();
    while (Number(ft.status().rounds) === rounds1 && Date.now() - t2 < 20_000) await new Promise((res) => setTimeout(res, 100));
    assert.ok(Number(ft.status().rounds) > rounds1, 'no round on the restarted trainer');
  } finally {
    await app.stop();
  }
  assert.equal(await ft.workerExited, 0, 'the trainer did not end by itself after stop()');
  assert.equal(ft.state, 'stopped');
});
