/**
 * A model.dir that refuses writes (full, read-only, permissions) while an operator rolls back or
 * pins (src/model/promoter.ts): the change serves, and this replica's own following of the
 * directory does not undo it (until 6 Dec 2026 it switched back to the recorded version within
 * model.followIntervalMs, and a pin answered an uncoded EROFS error after the swap); the refusal
 * is logged once with TC_MODEL_DIR_UNWRITABLE and shown on tickcast_model_dir_unrecorded; the
 * records are written once the disk takes writes again, so a restart serves the same version.
 * The disk is made read-only by wrapping fs.promises.open (its own process; the service runs as root here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { initBackend } from '../../../src/model/backend.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { createModelService } from '../../../src/model/model-service.ts';
import { SharedDirCoordinator } from '../../../src/model/shared-dir/coordinator.ts';
import { DirLease } from '../../../src/model/shared-dir/lease.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { FT_HYBRID, FT_SPEC, ftConfig } from '../finetune/helpers.ts';

let readOnly: string | null = null;
const origOpen = fs.promises.open;
fs.promises.open = (async (p: fs.PathLike, flags?: string | number, ...rest: unknown[]) => {
  if (readOnly && String(p).startsWith(readOnly) && flags !== undefined && flags !== 'r') throw Object.assign(new Error(`EROFS: read-only file system, open '${String(p)}'`), { code: 'EROFS' });
  return (origOpen as (...a: unknown[]) => Promise<fs.promises.FileHandle>)(p, flags, ...rest);
}) as typeof fs.promises.open;
syncBuiltinESMExports();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function service(dir: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(...String(c).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)), cb()) });
  const metrics = createMetrics({ defaultMetrics: false });
  const svc = await createModelService(ftConfig({ model: { dir, followIntervalMs: 20 } }), createLogger({ level: 'info', name: 't', destination: sink }), metrics);
  await svc.start();
  const gauge = async () => /^tickcast_model_dir_unrecorded (\d)/m.exec(await metrics.registry.getSingleMetricAsString('tickcast_model_dir_unrecorded'))?.[1];
  return { svc, lines, gauge };
}

test('a rollback and a pin while model.dir refuses writes keep serving, are not undone by following, are logged once with a code, and are recorded when the disk recovers', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-ro-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const store = new CheckpointStore({ dir, keep: 10 });
  for (let i = 1; i <= 3; i++) {
    const m = HybridModel.create(FT_HYBRID, FT_SPEC, i);
    await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: { seed: i } });
    m.dispose();
  }
  const a = await service(dir);
  t.after(() => a.svc.stop());
  assert.equal((await a.svc.rollback({ version: 'v2' })).version, 'v2');
  assert.equal(await a.gauge(), '0');

  readOnly = dir;
  t.after(() => (readOnly = null));
  assert.equal((await a.svc.rollback({ version: 'v1' })).version, 'v1');
  await sleep(300); // 15 follow intervals
  assert.equal(a.svc.info().version, 'v1', 'following the directory (still recording v2) did not undo the rollback');
  const info = await a.svc.rollback({ version: 'v1', pin: true });
  assert.deepEqual([info.version, info.pinned], ['v1', true]);
  await sleep(300);
  assert.deepEqual([a.svc.info().version, a.svc.info().pinned], ['v1', true]);
  const refused = a.lines.filter((l) => l.code === 'TC_MODEL_DIR_UNWRITABLE');
  assert.equal(refused.length, 1, 'logged once, not at every retry');
  assert.equal(refused[0].errno, 'EROFS');
  assert.equal(await a.gauge(), '1');
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'current.json'), 'utf8')).version, 'v2');

  readOnly = null; // the disk recovers: the next follow writes both records
  for (const until = Date.now() + 10_000; (await a.gauge()) !== '0' && Date.now() < until; ) await sleep(20);
  assert.equal(await a.gauge(), '0');
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'current.json'), 'utf8')).version, 'v1');
  assert.equal(JSON.parse(readFileSync(path.join(dir, 'pinned.json'), 'utf8')).version, 'v1');
  assert.deepEqual([a.svc.info().version, a.svc.info().pinned], ['v1', true]);
  await a.svc.stop();

  const b = await service(dir); // a restart serves what was chosen
  t.after(() => b.svc.stop());
  assert.deepEqual([b.svc.info().version, b.svc.info().pinned], ['v1', true]);
});

test('a lease that cannot be written (read-only model.dir) is logged once with its code, not at every renewal, and taking it again once the disk recovers is logged', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-ro-lease-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(...String(c).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)), cb()) });
  const metrics = createMetrics({ defaultMetrics: false });
  const lease = new DirLease({ dir, ttlMs: 3_000, owner: 'a' });
  const coord = new SharedDirCoordinator({ dir, lease, ttlMs: 3_000, followMs: 0, promoter: null as never, registry: null as never, tuner: null, logger: createLogger({ level: 'info', name: 't', destination: sink }), metrics });
  readOnly = dir;
  t.after(() => (readOnly = null));
  for (let i = 0; i < 20; i++) await coord.renewOnce();
  assert.equal(coord.leading, false);
  const failed = lines.filter((l) => /fine-tune lease could not be read or written/.test(String(l.msg)));
  assert.equal(failed.length, 1, `one line for 20 failed renewals, got ${failed.length}`);
  assert.equal(failed[0].code, 'TC_MODEL_DIR_UNWRITABLE');
  assert.equal(failed[0].errno, 'EROFS');
  readOnly = null;
  await coord.renewOnce();
  assert.equal(coord.leading, true);
  assert.ok(lines.some((l) => /fine-tune lease taken/.test(String(l.msg))));
  assert.ok(lines.some((l) => /fine-tune lease can be written again/.test(String(l.msg))));
  readOnly = dir; // a new failure after a recovery is logged again, once
  await coord.renewOnce();
  await coord.renewOnce();
  assert.equal(lines.filter((l) => /fine-tune lease could not be read or written/.test(String(l.msg))).length, 2);
  readOnly = null;
  await coord.stop();
});
