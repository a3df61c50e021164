/**
 * GET /v1/model lists every version that loads and verifies; those trained for another spec
 * (window, features, …) cannot serve on this instance, and `incompatibleVersions` says which and
 * why, so a client does not pick one and meet a 409 (docs/http-api.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createModelService } from '../../../src/model/model-service.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { initBackend } from '../../../src/model/backend.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { isTickcastError } from '../../../src/errors/index.ts';
import { FT_HYBRID, FT_SPEC, ftConfig } from './helpers.ts';

test('versions of another spec are listed as incompatible with the reason; rolling back to one is still 409', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-spec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const store = new CheckpointStore({ dir, keep: 10 });
  const other = { ...FT_SPEC, window: FT_SPEC.window / 2 };
  for (const [i, spec] of [FT_SPEC, other, FT_SPEC].entries()) {
    const m = HybridModel.create(FT_HYBRID, spec, i + 1);
    await store.save({ config: FT_HYBRID, spec, weights: m.getWeights(), meta: { seed: i + 1 } });
    m.dispose();
  }
  const svc = await createModelService(ftConfig({ model: { dir } }), createLogger({ level: 'silent', name: 't' }), createMetrics({ defaultMetrics: false }));
  t.after(() => svc.stop());
  const info = svc.info();
  assert.equal(info.version, 'v3');
  assert.deepEqual(info.versions, ['v3', 'v2', 'v1'], 'every version that loads is still listed');
  assert.deepEqual(info.incompatibleVersions?.map((v) => v.version), ['v2']);
  assert.match(info.incompatibleVersions![0].reason, new RegExp(`window ${FT_SPEC.window} ≠ ${other.window}`));
  assert.deepEqual(info.incompatibleVersions![0].differences, [`window ${FT_SPEC.window} ≠ ${other.window}`]);
  await assert.rejects(svc.rollback({ version: 'v2' }), (e: unknown) => isTickcastError(e) && e.code === 'TC_MODEL_ARTIFACT_MISMATCH' && e.statusCode === 409);

  const back = await svc.rollback({}); // "previous" skips v2
  assert.equal(back.version, 'v1');
  assert.deepEqual(back.incompatibleVersions?.map((v) => v.version), ['v2'], 'judged against the spec now serving');
});

test('no incompatibleVersions field when every version has the serving spec', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-spec-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const store = new CheckpointStore({ dir, keep: 10 });
  for (let i = 1; i <= 2; i++) {
    const m = HybridModel.create(FT_HYBRID, FT_SPEC, i);
    await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: { seed: i } });
    m.dispose();
  }
  const svc = await createModelService(ftConfig({ model: { dir } }), createLogger({ level: 'silent', name: 't' }), createMetrics({ defaultMetrics: false }));
  t.after(() => svc.stop());
  assert.equal(svc.info().incompatibleVersions, undefined);
});
