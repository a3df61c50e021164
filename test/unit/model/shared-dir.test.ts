/**
 * Replicas sharing one model directory (src/model/shared-dir/): the fine-tune lease admits one
 * holder at a time, moves when the holder releases it or lets it expire, and is never granted to
 * two of many contenders; promotions are refused without it; every replica follows the version the
 * directory records (promotion, manual rollback, pin), whichever replica wrote it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DirLease, LEASE_FILE } from '../../../src/model/shared-dir/lease.ts';
import { SharedDirCoordinator, directoryTarget } from '../../../src/model/shared-dir/coordinator.ts';
import { readCurrent, readCurrentEpoch, writeCurrent } from '../../../src/model/shared-dir/current-pointer.ts';
import { writePin } from '../../../src/model/pin-file.ts';
import { Promoter } from '../../../src/model/promoter.ts';
import { CheckpointStore } from '../../../src/model/checkpoints.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { initBackend } from '../../../src/model/backend.ts';
import { VersionRegistry, type ModelVersion } from '../../../src/model/version-registry.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { ErrorCodes, isTickcastError } from '../../../src/errors/index.ts';
import type { Predictor, PredictorSlot } from '../../../src/pipeline/ports.ts';
import type { ManualChange } from '../../../src/model/finetune/round-types.ts';
import { createModelService } from '../../../src/model/model-service.ts';
import { FT_HYBRID, FT_SPEC, ftConfig } from '../finetune/helpers.ts';

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-shared-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('lease: one holder; renewal; others wait; release hands it over at once; expiry lets another take it and the old holder sees it lost', async (t) => {
  const dir = tmp(t);
  let now = 1_000_000;
  const clock = () => now;
  const a = new DirLease({ dir, ttlMs: 3_000, owner: 'a', now: clock });
  const b = new DirLease({ dir, ttlMs: 3_000, owner: 'b', now: clock });
  assert.equal(await a.acquireOrRenew(), true);
  assert.equal(await b.acquireOrRenew(), false);
  assert.equal(b.seen?.owner, 'a');
  now += 2_000;
  assert.equal(await a.acquireOrRenew(), true, 'renewed');
  now += 2_000; // 4 s after the first take, 2 s after the renewal: still a's
  assert.equal(await b.acquireOrRenew(), false);
  assert.equal(await a.holds(500), true);
  await a.release();
  assert.equal(await b.acquireOrRenew(), true, 'released: taken at once');
  assert.equal(await a.holds(), false);
  now += 3_001; // b stops renewing (a hung or killed pod)
  assert.equal(await a.acquireOrRenew(), true, 'expired: taken over');
  assert.equal(await b.holds(), false);
  assert.equal(await b.acquireOrRenew(), false, 'the old holder learns it lost the lease');
  assert.equal(JSON.parse(readFileSync(path.join(dir, LEASE_FILE), 'utf8')).owner, 'a');
  assert.deepEqual(readdirSync(dir).sort(), [LEASE_FILE], 'no temp files left behind');
});

test('lease: of many contenders for a free or an expired lease exactly one wins, every time', async (t) => {
  const dir = tmp(t);
  let now = 1_000_000;
  for (let round = 0; round < 20; round++) {
    const leases = Array.from({ length: 6 }, (_, i) => new DirLease({ dir, ttlMs: 1_000, owner: `r${round}-${i}`, now: () => now }));
    const won = await Promise.all(leases.map((l) => l.acquireOrRenew()));
    assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${won.join(',')}`);
    const winner = leases[won.indexOf(true)].owner;
    assert.equal(JSON.parse(readFileSync(path.join(dir, LEASE_FILE), 'utf8')).owner, winner);
    if (round % 2 === 0) now += 1_001; // next round contends for an expired lease
    else await leases[won.indexOf(true)].release(); // … or a free one
  }
});

test('lease: an unreadable record (a crashed writer) expires ttl after the file was written', async (t) => {
  const dir = tmp(t);
  writeFileSync(path.join(dir, LEASE_FILE), '');
  const b = new DirLease({ dir, ttlMs: 3_000, owner: 'b', now: () => Date.now() });
  assert.equal(await b.acquireOrRenew(), false);
  const later = new DirLease({ dir, ttlMs: 3_000, owner: 'b', now: () => Date.now() + 3_100 });
  assert.equal(await later.acquireOrRenew(), true);
});

function stubSlot(first: Predictor): PredictorSlot {
  let cur = first;
  return {
    get predictor() {
      return cur;
    },
    swap(next) {
      cur = next;
    },
  };
}

/** One replica's model lifecycle over the shared directory, engines stubbed. */
function replica(dir: string, owner: string, clock: () => number, first: ModelVersion, stall: { afterCheck?: () => Promise<void>; inBuild?: () => Promise<void> } = {}) {
  const logger = createLogger({ level: 'silent', name: owner });
  const metrics = createMetrics({ defaultMetrics: false });
  const registry = new VersionRegistry(new CheckpointStore({ dir, keep: 5 }), 5);
  const build = async (v: ModelVersion): Promise<Predictor> => {
    await stall.inBuild?.();
    return { spec: v.spec, version: v.version, engine: 'stub', backend: 'stub', predict: () => Promise.reject(new Error('stub')), dispose: async () => {} };
  };
  const ttlMs = 3_000;
  const lease = new DirLease({ dir, ttlMs, owner, now: clock, epochFloor: () => readCurrentEpoch(dir) });
  const events: string[] = [];
  const tuner = { championChanged: (why: string, manual?: ManualChange) => events.push(`changed: ${why}${manual ? ` ${JSON.stringify(manual)}` : ''}`), pinChanged: (p: boolean) => events.push(`pinned: ${p}`), leaseLost: () => events.push('lease lost') };
  let coord: SharedDirCoordinator | null = null;
  const slot = stubSlot({ spec: first.spec, version: first.version, engine: 'stub', backend: 'stub', predict: () => Promise.reject(new Error('stub')), dispose: async () => {} });
  const promoter = new Promoter({
    registry, build, slot, serving: first, logger, metrics,
    savePin: (v) => writePin(dir, v),
    saveCurrent: (v, fenced, change) => writeCurrent(dir, v, owner, fenced ? coord!.epoch : undefined, change),
    mayPromote: async () => {
      const ok = await coord!.mayPromote();
      await stall.afterCheck?.();
      return ok;
    },
    fence: () => coord!.fence(),
    readRecorded: () => directoryTarget(dir),
  });
  coord = new SharedDirCoordinator({ dir, lease, ttlMs, followMs: 0, promoter, registry, tuner, logger, metrics });
  return { promoter, coord, events, slot, metrics, registry };
}

const offload = undefined as never;

/** A model directory holding v1 (a fresh model, seed 1): its store and the version. */
async function seedV1(dir: string): Promise<{ store: CheckpointStore; v1: ModelVersion }> {
  await initBackend();
  const store = new CheckpointStore({ dir, keep: 5 });
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 1);
  const weights = m.getWeights();
  m.dispose();
  await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights, meta: { seed: 1 } });
  return { store, v1: { version: 'v1', config: FT_HYBRID, spec: FT_SPEC, weights, meta: { seed: 1 } } };
}

test('two replicas on one directory: only the lease holder promotes; the other follows promotions, rollbacks and pins; the lease moves on release and on expiry', async (t) => {
  const dir = tmp(t);
  const { store, v1 } = await seedV1(dir);
  const weights = v1.weights;
  let now = Date.now();
  const clock = () => now;
  const a = replica(dir, 'a', clock, v1);
  const b = replica(dir, 'b', clock, v1);
  await a.coord.renewOnce();
  await b.coord.renewOnce();
  assert.deepEqual([a.coord.leading, b.coord.leading], [true, false]);
  assert.match(await b.metrics.registry.getSingleMetricAsString('tickcast_finetune_lease_held'), /^tickcast_finetune_lease_held 0$/m);
  assert.match(await a.metrics.registry.getSingleMetricAsString('tickcast_finetune_lease_held'), /^tickcast_finetune_lease_held 1$/m);

  await assert.rejects(b.promoter.promote(weights, { round: 1 }, offload), (e: unknown) => isTickcastError(e) && e.statusCode === 409 && /lease/.test(e.message));
  assert.deepEqual(await store.list(), ['v1'], 'the replica without the lease saved nothing');
  assert.equal(await a.promoter.promote(weights, { round: 1 }, offload), 'v2');
  assert.equal(await readCurrent(dir), 'v2');

  await b.coord.followOnce();
  assert.equal(b.promoter.champion.version, 'v2', 'the follower loads the promoted version');
  assert.equal(b.slot.predictor.version, 'v2');
  assert.ok(b.events.includes('changed: followed the model directory: v2 (promoted by a)'), b.events.join('; '));
  await a.coord.followOnce();
  assert.equal(a.events.filter((e) => e.startsWith('changed')).length, 0, 'the writer does not reload its own change');

  // A manual rollback on the follower (REST reached that pod) is followed by the holder.
  await b.promoter.rollbackManually({ version: 'v1' });
  await a.coord.followOnce();
  assert.equal(a.promoter.champion.version, 'v1');
  // … as the operator's rollback made on b (a watch it ends is recorded so, not as aborted).
  assert.equal(a.events.at(-1), 'changed: followed the model directory: manual rollback to v1 by b {"to":"v1","direction":"older","by":"b"}');
  // … and so is a pin: the holder stops promoting.
  await b.promoter.rollbackManually({ version: 'v1', pin: true });
  await a.coord.followOnce();
  assert.equal(a.promoter.pinned, true);
  assert.ok(a.events.includes('pinned: true'));
  assert.match(await a.metrics.registry.getSingleMetricAsString('tickcast_model_pinned'), /^tickcast_model_pinned 1$/m, 'a pin followed from model.dir is a metric there too');
  await b.promoter.rollbackManually({ version: 'v2' });
  await a.coord.followOnce();
  assert.deepEqual([a.promoter.champion.version, a.promoter.pinned], ['v2', false]);
  assert.equal(a.events.filter((e) => e.startsWith('changed')).at(-1), 'changed: followed the model directory: manual change to v2 by b {"to":"v2","direction":"newer","by":"b"}');
  assert.match(await a.metrics.registry.getSingleMetricAsString('tickcast_model_pinned'), /^tickcast_model_pinned 0$/m);

  // The holder stops: released, the other takes it at its next renewal and promotes.
  await a.coord.stop();
  await b.coord.renewOnce();
  assert.equal(b.coord.leading, true);
  assert.equal(await b.promoter.promote(weights, { round: 2 }, offload), 'v3');
  await assert.rejects(a.promoter.promote(weights, { round: 2 }, offload), /lease/);
  await b.promoter.rollbackTo('v2', 'automatic rollback: v3 regressed');
  assert.equal(await readCurrent(dir), 'v2', 'an automatic rollback is recorded (a restart must not serve v3 again)');
  // b hangs (no renewal) past the lease: a takes over; b's round in flight is dropped at its next renewal.
  const a2 = replica(dir, 'a2', clock, v1);
  now += 3_001;
  await a2.coord.renewOnce();
  assert.equal(a2.coord.leading, true);
  await b.coord.renewOnce();
  assert.equal(b.coord.leading, false);
  assert.ok(b.events.includes('lease lost'));
  await assert.rejects(b.promoter.promote(weights, { round: 3 }, offload), /lease/);
  await a2.coord.followOnce();
  assert.equal(a2.promoter.champion.version, 'v2', 'a new replica follows the recorded version');
});

test("a manual change followed from another replica goes by lineage: to v1's restored copy (v3) is a rollback, back to v2 a change", async (t) => {
  const dir = tmp(t);
  const { v1 } = await seedV1(dir);
  const now = Date.now();
  const a = replica(dir, 'a', () => now, v1);
  const b = replica(dir, 'b', () => now, v1);
  a.registry.hold(v1, 'v1'); // as a start holds the version it serves
  await a.coord.renewOnce();
  assert.equal(await a.promoter.promote(v1.weights, { round: 1, parent: 'v1' }, offload), 'v2');
  await b.coord.followOnce();
  rmSync(path.join(dir, 'v1'), { recursive: true }); // deleted by hand while v2 is watched
  await a.promoter.rollbackTo('v1', 'automatic rollback: v2 regressed', undefined, 'v2');
  assert.equal(a.promoter.champion.version, 'v3', 'v1 restored as v3');
  await b.coord.followOnce();
  await a.promoter.rollbackManually({ version: 'v2' }); // the operator re-promotes v2 on a
  await b.coord.followOnce();
  assert.equal(b.events.at(-1), 'changed: followed the model directory: manual change to v2 by a {"to":"v2","direction":"newer","by":"a"}', 'v2 came after v1 (v3)');
  await a.promoter.rollbackManually({ version: 'v3' }); // … and rolls back to v1's weights
  await b.coord.followOnce();
  assert.equal(b.promoter.champion.version, 'v3');
  assert.equal(b.events.at(-1), 'changed: followed the model directory: manual rollback to v3 by a {"to":"v3","direction":"older","by":"a"}', 'v3 is v1 again: older than v2, as on a');
});

test('a pin recorded by another replica stops the holder at once: no promotion or automatic rollback before it has followed the pin', async (t) => {
  const dir = tmp(t);
  const { store, v1 } = await seedV1(dir);
  const clock = () => Date.now();
  const a = replica(dir, 'a', clock, v1);
  const b = replica(dir, 'b', clock, v1);
  await a.coord.renewOnce();
  assert.equal(await a.promoter.promote(v1.weights, { round: 1 }, offload), 'v2');
  await b.coord.followOnce();
  // An operator pins v2 through b's REST API; a has not followed yet (followIntervalMs, 5 s by default).
  await b.promoter.rollbackManually({ version: 'v2', pin: true });
  assert.equal(a.promoter.pinned, false);
  await assert.rejects(a.promoter.promote(v1.weights, { round: 2 }, offload), (e: unknown) => isTickcastError(e) && e.statusCode === 409 && /model v2 is pinned/.test(e.message));
  await assert.rejects(a.promoter.rollbackTo('v1', 'automatic rollback: v2 regressed', offload, 'v2'), (e: unknown) => isTickcastError(e) && e.statusCode === 409 && /not done: model v2 is pinned/.test(e.message));
  assert.deepEqual(await store.list(), ['v2', 'v1'], 'nothing saved over the pin');
  assert.equal(await readCurrent(dir), 'v2');
  assert.equal(a.promoter.champion.version, 'v2');
  // Unpinned (on b): a promotes again.
  await b.promoter.rollbackManually({ version: 'v2' });
  assert.equal(await a.promoter.promote(v1.weights, { round: 3 }, offload), 'v3');
});

/** A stall the test ends: `hold()` arms it, the replica waits in it, `release()` lets it go on. */
function stallPoint() {
  let armed: { entered: () => void; go: Promise<void>; release: () => void } | null = null;
  return {
    hold(): { entered: Promise<void>; release: () => void } {
      let entered!: () => void;
      const e = new Promise<void>((r) => (entered = r));
      let release!: () => void;
      const go = new Promise<void>((r) => (release = r));
      armed = { entered, go, release };
      return { entered: e, release };
    },
    wait: async () => {
      const a = armed;
      armed = null;
      if (!a) return;
      a.entered();
      await a.go;
    },
  };
}

test('fencing: a holder that stalls past its lease (after its check, or while building the engine) writes nothing once another replica took the lease over', async (t) => {
  const dir = tmp(t);
  const { store, v1 } = await seedV1(dir);
  const weights = v1.weights;
  let now = Date.now();
  const clock = () => now;
  const afterCheck = stallPoint();
  const inBuild = stallPoint();
  const a = replica(dir, 'a', clock, v1, { afterCheck: afterCheck.wait, inBuild: inBuild.wait });
  const b = replica(dir, 'b', clock, v1);
  const lease = () => JSON.parse(readFileSync(path.join(dir, LEASE_FILE), 'utf8')) as { owner: string; epoch: number };
  await a.coord.renewOnce();
  assert.deepEqual([a.coord.leading, lease().epoch], [true, 1]);
  const fenced = (e: unknown) => isTickcastError(e) && e.code === ErrorCodes.FINETUNE_LEASE_FENCED && e.statusCode === 409;

  // 1. a passes its lease check, then stalls (GC, blocked loop) past the lease; b takes it over and promotes.
  let s = afterCheck.hold();
  let p = a.promoter.promote(weights, { round: 1 }, offload);
  await s.entered;
  now += 3_001;
  await b.coord.renewOnce();
  assert.deepEqual([b.coord.leading, lease().owner, lease().epoch], [true, 'b', 2]);
  assert.equal(await b.promoter.promote(weights, { round: 1 }, offload), 'v2');
  s.release();
  await assert.rejects(p, fenced);
  assert.deepEqual(await store.list(), ['v2', 'v1'], "a's challenger was not saved");
  assert.deepEqual([await readCurrent(dir), await readCurrentEpoch(dir)], ['v2', 2]);
  assert.equal(a.slot.predictor.version, 'v1', 'a swapped nothing in');

  // 2. a leads again (b stalls and its lease expires); a's promotion is saved, then a stalls while building
  //    its engine; b wakes and takes the lease back: a's saved version is deleted, not served nor recorded.
  await a.coord.followOnce();
  now += 3_001;
  await a.coord.renewOnce();
  assert.deepEqual([a.coord.leading, lease().epoch], [true, 3]);
  s = inBuild.hold();
  p = a.promoter.promote(weights, { round: 2 }, offload);
  await s.entered;
  assert.deepEqual(await store.list(), ['v3', 'v2', 'v1'], 'saved before the stall');
  now += 3_001;
  await b.coord.renewOnce();
  assert.deepEqual([lease().owner, lease().epoch], ['b', 4]);
  s.release();
  await assert.rejects(p, fenced);
  assert.deepEqual(await store.list(), ['v2', 'v1'], 'the fenced version is removed (a restart must not serve it)');
  assert.deepEqual([await readCurrent(dir), a.slot.predictor.version, a.promoter.champion.version], ['v2', 'v2', 'v2']);
  assert.match(await a.metrics.registry.getSingleMetricAsString('tickcast_finetune_fenced_writes_total'), /tickcast_finetune_fenced_writes_total 2/);

  // 3. b's automatic rollback of its own promotion, stalled while building the engine past a takeover by a: refused too.
  await b.coord.renewOnce();
  assert.equal(await b.promoter.promote(weights, { round: 2 }, offload), 'v3');
  const bStall = stallPoint();
  const b2 = replica(dir, 'b', clock, v1, { inBuild: bStall.wait }); // b again, with a build it can stall
  await b2.coord.renewOnce();
  assert.equal(await b2.coord.mayPromote(), true);
  s = bStall.hold();
  const rb = b2.promoter.rollbackTo('v2', 'automatic rollback: v3 regressed');
  await s.entered;
  now += 3_001;
  await a.coord.renewOnce();
  assert.equal(a.coord.leading, true);
  s.release();
  await assert.rejects(rb, fenced);
  assert.equal(await readCurrent(dir), 'v3', "the stale rollback did not replace the new holder's record");

  // 4. a late write of current.json under an older epoch is refused too; a manual one (no epoch) keeps the epoch.
  await assert.rejects(writeCurrent(dir, 'v1', 'a', 1), fenced);
  await writeCurrent(dir, 'v1', 'rest');
  assert.deepEqual([await readCurrent(dir), await readCurrentEpoch(dir)], ['v1', 4]);

  // 5. The epoch never goes back: a release leaves an expired record with it; a lease file deleted
  //    by hand restarts above the epoch current.json records.
  await b.coord.stop();
  assert.equal(lease().owner, 'a', "b's stop does not release a's lease");
  await a.coord.stop();
  assert.deepEqual(lease(), { owner: '', expiresAt: 0, epoch: 5 }, 'released: expired, epoch kept');
  const c = new DirLease({ dir, ttlMs: 3_000, owner: 'c', now: clock, epochFloor: () => readCurrentEpoch(dir) });
  assert.equal(await c.acquireOrRenew(), true);
  assert.equal(lease().epoch, 6);
  rmSync(path.join(dir, LEASE_FILE));
  const d = new DirLease({ dir, ttlMs: 3_000, owner: 'd', now: clock, epochFloor: () => readCurrentEpoch(dir) });
  assert.equal(await d.acquireOrRenew(), true);
  assert.equal(lease().epoch, 5, 'above current.json (4), the only trace left');
});

test('start-up serves the recorded current version (an automatic rollback is not undone by a restart), unless a newer version was copied in after it was recorded', async (t) => {
  const dir = tmp(t);
  await initBackend();
  const store = new CheckpointStore({ dir, keep: 10 });
  const save = async (seed: number) => {
    const m = HybridModel.create(FT_HYBRID, FT_SPEC, seed);
    await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: { seed } });
    m.dispose();
  };
  await save(1);
  await save(2); // promoted, then rolled back: the record names v1
  await new Promise((r) => setTimeout(r, 20));
  await writeCurrent(dir, 'v1', 'test');
  const start = async () => {
    const svc = await createModelService(ftConfig({ model: { dir } }), createLogger({ level: 'silent', name: 't' }), createMetrics({ defaultMetrics: false }));
    await svc.stop();
    return svc.info().version;
  };
  assert.equal(await start(), 'v1');
  await new Promise((r) => setTimeout(r, 20));
  await save(3); // e.g. `tickcast train --out <model.dir>/v3`
  assert.equal(await start(), 'v3');
  // ...and recorded, so that the follow of model.dir (this replica's, every followIntervalMs, and
  // the others') serves v3 too: until 6 Dec 2026 the record kept v1 and the follow went back to it.
  assert.deepEqual(await directoryTarget(dir), { version: 'v3', pinned: false, by: 'start: copied in after the recorded version' });
  assert.equal(await start(), 'v3');
});

test('checkpoints saved at once by processes sharing the directory (replicas starting on an empty volume) get distinct versions; none fails', async (t) => {
  const dir = tmp(t);
  await initBackend();
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 1);
  const weights = m.getWeights();
  m.dispose();
  const stores = [1, 2, 3, 4].map(() => new CheckpointStore({ dir, keep: 10 }));
  const saved = await Promise.all(stores.map((s, i) => s.save({ config: FT_HYBRID, spec: FT_SPEC, weights, meta: { replica: i } })));
  assert.deepEqual([...saved].sort(), ['v1', 'v2', 'v3', 'v4']);
  const metas = await Promise.all(saved.map(async (v) => (await stores[0].load(v)).meta.replica));
  assert.deepEqual([...metas].sort(), [0, 1, 2, 3], 'every save kept its own artifact');
});

test("start-up removes old debris of interrupted writes but not a fresh temp directory (another replica's save in progress)", async (t) => {
  const dir = tmp(t);
  await initBackend();
  const store = new CheckpointStore({ dir, keep: 10 });
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 1);
  await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: {} });
  m.dispose();
  const old = new Date(Date.now() - 3_600_000);
  mkdirSync(path.join(dir, '.tmp-v2-7-aaaa'));
  utimesSync(path.join(dir, '.tmp-v2-7-aaaa'), old, old);
  writeFileSync(path.join(dir, `${LEASE_FILE}.stale-7-bbbb`), '{}');
  utimesSync(path.join(dir, `${LEASE_FILE}.stale-7-bbbb`), old, old);
  mkdirSync(path.join(dir, '.tmp-v2-9-cccc')); // being written by another replica right now
  const svc = await createModelService(ftConfig({ model: { dir } }), createLogger({ level: 'silent', name: 't' }), createMetrics({ defaultMetrics: false }));
  await svc.stop();
  assert.deepEqual(readdirSync(dir).filter((n) => !/^v\d+$/.test(n)).sort(), ['.tmp-v2-9-cccc', 'current.json']); // current.json: the start records what it serves
});

test('a follow waiting for a change in flight (an engine build) does not hold up the lease renewals: the holder keeps its lease', async (t) => {
  const dir = tmp(t);
  const { store, v1 } = await seedV1(dir);
  await store.save({ config: FT_HYBRID, spec: FT_SPEC, weights: v1.weights, meta: { seed: 2 } });
  let release!: () => void;
  const stalled = new Promise<void>((r) => (release = r));
  t.after(release);
  const stub = (v: ModelVersion): Predictor => ({ spec: v.spec, version: v.version, engine: 'stub', backend: 'stub', predict: () => Promise.reject(new Error('stub')), dispose: async () => {} });
  const build = async (v: ModelVersion): Promise<Predictor> => {
    if (v.version === 'v2') await stalled; // a slow engine build
    return stub(v);
  };
  const logger = createLogger({ level: 'silent', name: 'a' });
  const metrics = createMetrics({ defaultMetrics: false });
  const ttlMs = 1_500; // renewed every 500 ms
  const registry = new VersionRegistry(new CheckpointStore({ dir, keep: 5 }), 5);
  const promoter = new Promoter({ registry, build, slot: stubSlot(stub(v1)), serving: v1, logger, metrics });
  const coord = new SharedDirCoordinator({ dir, lease: new DirLease({ dir, ttlMs, owner: 'a' }), ttlMs, followMs: 50, promoter, registry, tuner: null, logger, metrics });
  await coord.start();
  assert.equal(coord.leading, true);
  const rollback = promoter.rollbackManually({ version: 'v2' }); // holds the promoter's section while its engine builds
  const other = new DirLease({ dir, ttlMs, owner: 'b' });
  const t0 = Date.now();
  while (Date.now() - t0 < 3_500) {
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(await other.acquireOrRenew(), false, `the lease expired ${Date.now() - t0} ms into the build: renewals waited behind the follow`);
  }
  assert.equal(coord.leading, true);
  release();
  await rollback;
  await coord.stop();
});
