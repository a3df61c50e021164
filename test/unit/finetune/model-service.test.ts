import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createModelService } from '../../../src/model/model-service.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { initBackend } from '../../../src/model/backend.ts';
import { InferenceStage } from '../../../src/pipeline/inference.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { isTickcastError } from '../../../src/errors/index.ts';
import { FT_HYBRID, FT_SPEC, ftConfig, sine } from './helpers.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk, _e, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: createLogger({ level: 'info', name: 'test', destination: dest }) };
}

async function seedVersions(dir: string, n: number): Promise<void> {
  await initBackend();
  const store = new CheckpointStore({ dir, keep: 10 });
  for (let i = 1; i <= n; i++) {
    const m = HybridModel.create(FT_HYBRID, FT_SPEC, i);
    await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: { seed: i } });
    m.dispose();
  }
}

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-ms-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('start-up: the newest good checkpoint is served; a truncated newest one is refused in the log and the previous one used', async (t) => {
  const dir = tmp(t);
  await seedVersions(dir, 3);
  const w = path.join(dir, 'v3', 'weights.bin');
  truncateSync(w, statSync(w).size - 8);
  const { lines, logger } = capture();
  const svc = await createModelService(ftConfig({ model: { dir } }), logger, createMetrics({ defaultMetrics: false }));
  t.after(() => svc.stop());
  assert.equal(svc.predictor.version, 'v2');
  assert.equal(svc.info().version, 'v2');
  assert.deepEqual(svc.info().training, { seed: 2 });
  const refused = lines.find((l) => /checkpoint v3 refused/.test(String(l.msg)));
  assert.ok(refused, 'no log line about the refused checkpoint');
  assert.match(String(refused.msg), /weights.bin has \d+ bytes, the manifest says \d+/);
  assert.equal(refused.level, 40);
});

test('a damaged older version is not offered for rollback: listed apart with its reason, skipped by "previous", 409 when named', async (t) => {
  const dir = tmp(t);
  await seedVersions(dir, 3);
  const w = path.join(dir, 'v2', 'weights.bin');
  truncateSync(w, statSync(w).size - 8);
  const svc = await createModelService(ftConfig({ model: { dir } }), capture().logger, createMetrics({ defaultMetrics: false }));
  t.after(() => svc.stop());
  assert.equal(svc.info().version, 'v3');
  assert.deepEqual(svc.info().versions, ['v3', 'v1']);
  assert.deepEqual(svc.info().damagedVersions?.map((d) => d.version), ['v2']);
  assert.match(svc.info().damagedVersions![0].reason, /weights.bin has \d+ bytes, the manifest says \d+/);
  await assert.rejects(svc.rollback({ version: 'v2' }), (e: unknown) => isTickcastError(e) && e.code === 'TC_MODEL_ARTIFACT_CORRUPT' && e.statusCode === 409);
  await assert.rejects(svc.rollback({ version: 'v9' }), (e: unknown) => isTickcastError(e) && e.statusCode === 404 && /known: v3, v1/.test(e.message));
  const info = await svc.rollback({}); // "previous" skips the damaged v2
  assert.equal(info.version, 'v1');
});

test('manual rollback: previous version, named version, pin, unknown version → 404-coded error; the inference stage serves the new one', async (t) => {
  const dir = tmp(t);
  await seedVersions(dir, 3);
  const metrics = createMetrics({ defaultMetrics: false });
  let inference!: InferenceStage;
  const started = Date.now();
  const svc = await createModelService(ftConfig({ model: { dir } }), createLogger({ level: 'silent', name: 't' }), metrics, {
    slot: (first) => (inference = new InferenceStage(first, { maxBatchSize: 8, maxWaitMs: 1, maxInFlightBatches: 1 })),
  });
  t.after(async () => {
    await inference.close();
    await svc.stop();
  });
  assert.deepEqual(svc.info().versions, ['v3', 'v2', 'v1']);
  const x = new Float32Array(FT_SPEC.window).map((_, i) => Math.sin(i / 3));
  const before = await inference.submit({ x });
  assert.equal(before.model, 'v3');

  // servingSinceMs: when this instance began serving the version — its load at start, then each change.
  const gauge = async (name: string) => Number((await metrics.registry.getSingleMetricAsString(name)).split(' ').at(-1));
  const loaded = svc.info().servingSinceMs!;
  assert.equal(await gauge('tickcast_model_last_promotion_timestamp_seconds'), loaded / 1000);
  assert.equal(await gauge('tickcast_model_last_rollback_timestamp_seconds'), 0, 'no rollback yet');
  assert.ok(loaded >= started && loaded <= Date.now(), `served since its load: ${loaded}`);
  await new Promise((r) => setTimeout(r, 5));
  const asked = Date.now();
  let info = await svc.rollback({});
  assert.equal(info.version, 'v2');
  assert.equal(info.pinned, false);
  assert.ok(info.servingSinceMs! >= asked && info.servingSinceMs! <= Date.now(), `served since the rollback: ${info.servingSinceMs} (asked at ${asked})`);
  // A rollback serves an older model: the promotion clock (TickcastModelStale's) keeps the load time —
  // until 6 Dec 2026 it moved to the rollback — and the rollback has its own gauge.
  assert.equal(await gauge('tickcast_model_last_promotion_timestamp_seconds'), loaded / 1000);
  assert.equal(await gauge('tickcast_model_last_rollback_timestamp_seconds'), info.servingSinceMs! / 1000);
  const after = await inference.submit({ x });
  assert.equal(after.model, 'v2');
  assert.notDeepEqual(Array.from(after.y), Array.from(before.y));

  info = await svc.rollback({ version: 'v1', pin: true });
  assert.equal(info.version, 'v1');
  assert.equal(info.pinned, true);
  assert.equal((await inference.submit({ x })).model, 'v1');
  assert.match(await metrics.registry.getSingleMetricAsString('tickcast_model_info'), /version="v1"/);
  assert.doesNotMatch(await metrics.registry.getSingleMetricAsString('tickcast_model_info'), /version="v3"/);
  // The pin is a metric too (TickcastModelStale stays quiet while pinned), and a restart keeps both.
  assert.match(await metrics.registry.getSingleMetricAsString('tickcast_model_pinned'), /tickcast_model_pinned 1/);
  const restartedMetrics = createMetrics({ defaultMetrics: false });
  const restarted = await createModelService(ftConfig({ model: { dir } }), createLogger({ level: 'silent', name: 't' }), restartedMetrics);
  assert.deepEqual([restarted.info().version, restarted.info().pinned], ['v1', true]);
  assert.match(await restartedMetrics.registry.getSingleMetricAsString('tickcast_model_pinned'), /tickcast_model_pinned 1/);
  await restarted.stop();

  await assert.rejects(svc.rollback({}), (e: unknown) => isTickcastError(e) && e.code === 'TC_MODEL_NOT_LOADED' && e.statusCode === 409 && /no version older than v1/.test(e.message));
  await assert.rejects(svc.rollback({ version: 'v9' }), (e: unknown) => isTickcastError(e) && e.statusCode === 404 && /unknown model version "v9"; known: v3, v2, v1/.test(e.message));
  await assert.rejects(svc.rollback({ version: 'latest' }), (e: unknown) => isTickcastError(e) && e.statusCode === 400);
  // Forward again to the newest, unpinned.
  const rolledBack = await gauge('tickcast_model_last_rollback_timestamp_seconds');
  info = await svc.rollback({ version: 'v3' });
  assert.equal(info.version, 'v3');
  assert.equal(info.pinned, false);
  // Forward to a newer version: the promotion clock moves, the rollback one stays.
  assert.equal(await gauge('tickcast_model_last_promotion_timestamp_seconds'), info.servingSinceMs! / 1000);
  assert.equal(await gauge('tickcast_model_last_rollback_timestamp_seconds'), rolledBack);
  assert.match(await metrics.registry.getSingleMetricAsString('tickcast_model_pinned'), /tickcast_model_pinned 0/);
  // Fine-tuning is off: no round ran, so none is counted (before 6 Dec 2026 each change counted as a
  // rolled_back round, the forward one too); the manual changes have their own counter, by direction.
  assert.doesNotMatch(await metrics.registry.getSingleMetricAsString('tickcast_finetune_rounds_total'), /outcome=/);
  const changes = await metrics.registry.getSingleMetricAsString('tickcast_model_manual_changes_total');
  assert.match(changes, /tickcast_model_manual_changes_total\{direction="older"\} 2/);
  assert.match(changes, /tickcast_model_manual_changes_total\{direction="newer"\} 1/);
});

test('bootstrap: with no checkpoint a model is trained on the data, saved as v1, and forecasts it clearly better than naive last-value', async (t) => {
  const dir = tmp(t);
  const { lines, logger } = capture();
  const values = sine(1500, { period: 20, amp: 1, noise: 0.05, seed: 2 });
  const svc = await createModelService(ftConfig({ model: { dir, bootstrapEpochs: 2 } }), logger, createMetrics({ defaultMetrics: false }), { hybrid: FT_HYBRID, bootstrapValues: values, bootstrapBudgetMs: 10_000 });
  t.after(() => svc.stop());
  assert.equal(svc.info().version, 'v1');
  const meta = svc.info().training as { ratioToNaive: number; valMae: number; naiveMae: number; source: string };
  assert.equal(meta.source, 'bootstrap');
  console.log(`bootstrap on a sine: hold-out MAE ${meta.valMae.toFixed(4)} vs naive ${meta.naiveMae.toFixed(4)} (ratio ${meta.ratioToNaive.toFixed(3)})`);
  assert.ok(meta.ratioToNaive < 0.7, `ratio to naive ${meta.ratioToNaive}`);
  assert.ok(lines.some((l) => /bootstrap model trained in .* \(ratio 0\.\d+\)/.test(String(l.msg))));
  assert.ok(lines.some((l) => /bootstrap model saved as checkpoint v1/.test(String(l.msg))));
  assert.deepEqual(await new CheckpointStore({ dir, keep: 5 }).list(), ['v1']);
});

test('a stop while the fine-tune trainer is still starting ends it: no trainer is left running after the stop', async () => {
  const svc = await createModelService(ftConfig({ model: { bootstrapEpochs: 0 }, finetune: { enabled: true } }), createLogger({ level: 'silent', name: 't' }), createMetrics({ defaultMetrics: false }), { hybrid: FT_HYBRID, finetune: { niceness: 0 } });
  const starting = svc.start(); // the trainer process takes seconds to load tfjs and the champion
  await new Promise((r) => setTimeout(r, 20));
  await svc.stop();
  await starting;
  const ft = svc.finetune!;
  assert.equal(ft.state, 'stopped');
  assert.equal((ft.status().trainer as { running: boolean }).running, false, 'the trainer started after the stop was left running (and held the event loop)');
  assert.equal(await ft.workerExited, 0);
});

test('fine-tuning without model.dir: tickcast_finetune_lease_held is 1 (this replica fine-tunes; no lease to hold), so TickcastFinetuneLeaseUnheld does not fire', async () => {
  const on = createMetrics({ defaultMetrics: false });
  const svc = await createModelService(ftConfig({ model: { bootstrapEpochs: 0 }, finetune: { enabled: true } }), createLogger({ level: 'silent', name: 't' }), on, { hybrid: FT_HYBRID });
  assert.match(await on.registry.getSingleMetricAsString('tickcast_finetune_lease_held'), /^tickcast_finetune_lease_held 1$/m);
  await svc.stop();
  const off = createMetrics({ defaultMetrics: false });
  const frozen = await createModelService(ftConfig({ model: { bootstrapEpochs: 0 } }), createLogger({ level: 'silent', name: 't' }), off, { hybrid: FT_HYBRID });
  assert.match(await off.registry.getSingleMetricAsString('tickcast_finetune_lease_held'), /^tickcast_finetune_lease_held 0$/m, 'fine-tuning off: nobody fine-tunes');
  await frozen.stop();
});
