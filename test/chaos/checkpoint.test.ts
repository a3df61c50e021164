/**
 * Chaos 4: damaged checkpoints on disk. A good checkpoint is written by running the real service
 * once; then newer versions are planted that are corrupt (flipped bytes in weights.bin), truncated
 * (weights.bin cut in half, as a crash or full disk would leave it) and unreadable (model.json cut
 * mid-JSON). The restarted service must refuse each with a log that names the version and the
 * reason, and serve the newest good one — visible in GET /v1/model and in the forecasts' `model`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chaosEnv, forecastLedger, machineLine, waitProgress, pipelineState } from './helpers/env.ts';
import { produce, tickStream } from '../helpers/kafka.ts';
import { isCold, modelVersionOf } from '../helpers/forecasts.ts';

test('corrupt, truncated and unreadable newer checkpoints are refused with a clear log; the previous model is served', { timeout: 300_000 }, async () => {
  const env = await chaosEnv({ partitions: 2 });
  const started = Date.now();
  try {
    // 1. A good checkpoint, written by the service itself.
    const first = await env.service();
    const m1 = (await (await first.fetch('/v1/model')).json()) as { version: string };
    assert.equal(m1.version, 'v1');
    assert.equal(await first.stop(), 0);
    const v1 = path.join(env.modelDir, 'v1');
    const weightsBytes = statSync(path.join(v1, 'weights.bin')).size;
    assert.ok(weightsBytes > 1000, `v1 has real weights (${weightsBytes} bytes)`);

    // 2. Newer, damaged versions.
    const plant = (v: string, damage: (dir: string) => void) => {
      const dir = path.join(env.modelDir, v);
      cpSync(v1, dir, { recursive: true });
      damage(dir);
    };
    plant('v2', (dir) => {
      const f = path.join(dir, 'weights.bin');
      const b = readFileSync(f);
      for (let i = 100; i < 140; i++) b[i] ^= 0x5a; // bit rot: same length, wrong bytes
      writeFileSync(f, b);
    });
    plant('v3', (dir) => truncateSync(path.join(dir, 'weights.bin'), Math.floor(weightsBytes / 2)));
    plant('v4', (dir) => {
      const f = path.join(dir, 'model.json');
      const text = readFileSync(f, 'utf8');
      writeFileSync(f, text.slice(0, Math.floor(text.length / 2)));
    });

    // 3. Restart: each damaged version refused with its reason, v1 served.
    const svc = await env.service();
    const refused = (v: string) => svc.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith(`checkpoint ${v} refused`));
    const r4 = refused('v4');
    const r3 = refused('v3');
    const r2 = refused('v2');
    assert.ok(r4 && r3 && r2, 'one "refused" log per damaged version');
    assert.equal(r4.level, 40, 'logged as a warning');
    assert.equal(r4.code, 'TC_MODEL_ARTIFACT_CORRUPT');
    assert.match(String(r4.msg), /model\.json (is missing or )?(is )?not valid JSON/);
    assert.match(String(r3.msg), new RegExp(`weights\\.bin has ${Math.floor(weightsBytes / 2)} bytes, the manifest says ${weightsBytes}`));
    assert.match(String(r2.msg), /sha256|checksum/);
    assert.match(String(r2.msg), /trying the previous one/);
    const loaded = svc.logs.find((l) => l.msg === 'loaded checkpoint v1');
    assert.ok(loaded, '"loaded checkpoint v1" logged');
    // Newest first: v4, v3, v2 tried (and refused) before v1 loads.
    const order = [r4, r3, r2, loaded].map((l) => svc.logs.indexOf(l!));
    assert.deepEqual([...order].sort((a, b) => a - b), order, 'versions tried newest first');

    const info = (await (await svc.fetch('/v1/model')).json()) as { version: string; engine: string; versions: string[]; damagedVersions?: { version: string; reason: string }[] };
    assert.equal(info.version, 'v1', 'GET /v1/model shows the previous good version');
    assert.deepEqual(info.versions, ['v1'], 'only loadable versions are offered for rollback');
    assert.deepEqual(info.damagedVersions?.map((d) => d.version), ['v4', 'v3', 'v2'], JSON.stringify(info.damagedVersions));
    assert.ok(info.damagedVersions!.every((d) => d.reason.length > 10), 'each damaged version says why');
    const metrics = await svc.metrics();
    assert.ok([...metrics.keys()].some((k) => k.startsWith('tickcast_model_info{') && k.includes('version="v1"')), 'tickcast_model_info names v1');

    // 4. And it serves: the forecasts carry v1.
    const S = 3;
    const N = 24;
    await produce(env.producer, env.topics.ticks, tickStream(S, N));
    const c = env.collector!;
    const expected = S * (N - 16 + 1);
    // Model forecasts only: cold-start baseline forecasts arrive first and must not end the wait early.
    await waitProgress(() => forecastLedger(c.of(env.topics.forecasts)).distinct, expected, `${expected} forecasts`, { diagnose: () => pipelineState(svc) });
    const models = new Set(c.of(env.topics.forecasts).map((f) => JSON.parse(String(f.value)) as { model: string; replaces?: string }).filter((f) => !isCold(f)).map(modelVersionOf));
    assert.deepEqual([...models], ['v1']);
    assert.equal(forecastLedger(c.of(env.topics.forecasts)).distinct, expected);

    // The damaged versions are left on disk for the operator (not deleted, not overwritten).
    assert.equal(statSync(path.join(env.modelDir, 'v3', 'weights.bin')).size, Math.floor(weightsBytes / 2));
    assert.equal(await svc.stop(), 0);
    console.log(`# checkpoint: v2 (bit rot), v3 (truncated to ${Math.floor(weightsBytes / 2)} of ${weightsBytes} bytes), v4 (model.json cut) refused; v1 served; /v1/model versions ${JSON.stringify(info.versions)}, damaged ${JSON.stringify(info.damagedVersions?.map((d) => d.version))}; test ${((Date.now() - started) / 1000).toFixed(0)} s; ${machineLine()}`);
  } finally {
    await env.close();
  }
});

test('every checkpoint damaged: the service refuses them all and starts on a fresh bootstrap model saved as a new version', { timeout: 300_000 }, async () => {
  const env = await chaosEnv({ partitions: 1, collect: false });
  try {
    const first = await env.service();
    assert.equal(await first.stop(), 0);
    const f = path.join(env.modelDir, 'v1', 'weights.bin');
    truncateSync(f, 16);
    const svc = await env.service();
    const r1 = svc.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('checkpoint v1 refused'));
    assert.ok(r1, 'v1 refused with a log');
    assert.match(String(r1.msg), /weights\.bin has 16 bytes, the manifest says \d+/);
    const info = (await (await svc.fetch('/v1/model')).json()) as { version: string };
    assert.equal(info.version, 'v2', 'a new version, not the damaged v1');
    assert.ok(svc.logs.some((l) => l.msg === 'bootstrap model saved as checkpoint v2'));
    assert.equal(statSync(f).size, 16, 'the damaged v1 is left as it was');
    assert.equal(await svc.stop(), 0);
  } finally {
    await env.close();
  }
});
