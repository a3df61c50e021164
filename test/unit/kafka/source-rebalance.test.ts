/**
 * The Kafka source's rebalance callback, driven the way librdkafka drives it (through a stand-in
 * client): which partitions it reports as gone to another instance, and what its restore log says.
 */
import { test } from 'node:test';
import { EventEmitter } from 'node:events';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { KafkaSource, type KafkaSourceOptions } from '../../../src/adapters/kafka/source.ts';
import { ConsumeErrors } from '../../../src/adapters/kafka/offset-gaps.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { idleSweep, type LifecycleParts } from '../../../src/app-lifecycle.ts';

const TOPIC = 'ticks';
const ASSIGN = -175;
const REVOKE = -174;

type Rebalance = (err: { code: number }, assignment: Array<{ topic: string; partition: number }>, fns?: { assignmentLost: () => boolean }) => Promise<unknown>;

/** A stand-in client: committed offsets and watermarks per partition (`marks.high`; `marks.refuse`: the coordinator refuses commits); disconnect revokes what is held, as librdkafka does. */
function fakeKafka(committed: Record<number, number>, low = 0, marks = { high: 100000, refuse: false }) {
  let rebalance: Rebalance | null = null;
  let held: number[] = [];
  /** The consumer's internal client: where the client emits librdkafka's offset commit outcomes (commit-acks.ts). */
  const internal = new EventEmitter();
  const cb = (code: number, ps: number[], lost = false) => rebalance!({ code }, ps.map((partition) => ({ topic: TOPIC, partition })), { assignmentLost: () => lost });
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => [TOPIC],
    fetchTopicOffsets: async () => Object.keys(committed).map((p) => ({ partition: Number(p), low: String(low), high: String(marks.high) })),
    fetchOffsets: async ({ topics }: { topics: Array<{ topic: string; partitions: number[] }> }) =>
      topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map((partition) => ({ partition, offset: String(committed[partition] ?? -1) })) })),
  };
  const consumer = {
    dependentAdmin: () => admin,
    _getInternalClient: () => internal,
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async () => undefined,
    seek: () => undefined,
    // The start of a partition with nothing committed is committed at the assignment (source.ts #pin).
    commitOffsets: async (tps: Array<{ partition: number; offset: string }>) => {
      for (const { partition, offset } of tps) if (!marks.refuse) committed[partition] = Number(offset);
    },
    disconnect: async () => {
      await cb(REVOKE, held);
      held = [];
    },
  };
  const kafka = {
    // The member's consumer, and the short-lived one that commits a brand-new group's start (no
    // rebalance callback: it never joins; its own client, so closing it revokes nothing of the member's).
    consumer: (cfg: { rebalance_cb?: Rebalance }) => {
      if (!cfg.rebalance_cb) return { connect: async () => undefined, commitOffsets: consumer.commitOffsets, disconnect: async () => undefined };
      rebalance = cfg.rebalance_cb;
      return consumer;
    },
  } as unknown as KafkaJS.Kafka;
  return {
    kafka,
    internal,
    assign: async (ps: number[]) => {
      held = [...new Set([...held, ...ps])];
      return cb(ASSIGN, ps);
    },
    /** `lost`: as librdkafka revokes when the group dropped the member (assignmentLost). */
    revoke: async (ps: number[], lost = false) => {
      held = held.filter((p) => !ps.includes(p));
      return cb(REVOKE, ps, lost);
    },
  };
}

function logger() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const push = (obj: object, msg: string) => void lines.push({ obj: obj as Record<string, unknown>, msg });
  const l = { info: push, warn: push, debug: () => undefined, error: push, child: () => l };
  return { lines, l: l as never };
}

function source(kafka: KafkaJS.Kafka, extra: Partial<KafkaSourceOptions>, l: never) {
  const opts: KafkaSourceOptions = { topic: TOPIC, groupId: 'g', sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, partitionsConsumedConcurrently: 1, fromBeginning: false, ...extra };
  return new KafkaSource(kafka, opts, l, new ConsumeErrors());
}

test('only partitions revoked and not assigned back are reported as gone; none when the source stops', async () => {
  const k = fakeKafka({ 0: 1000, 1: 1000, 2: 1000 });
  const released: number[][] = [];
  const log = logger();
  const s = source(k.kafka, { onReleased: (ps) => void released.push([...ps]) }, log.l);
  await s.start(async () => undefined);
  await k.assign([0, 1, 2]);
  assert.deepEqual(released, []);
  // Eager rebalance (the default assignor): everything revoked, most of it handed straight back.
  await k.revoke([0, 1, 2]);
  assert.deepEqual(released, [], 'the revoke alone says nothing: they may come back');
  await k.assign([0, 2]);
  assert.deepEqual(released, [[1]], 'p1 went to another instance');
  // Cooperative: only the leaving partition is revoked; the rebalance completes with an empty assignment.
  await k.revoke([2]);
  await k.assign([]);
  assert.deepEqual(released, [[1], [2]]);
  await k.assign([1]); // p1 comes back: nothing was revoked since
  assert.deepEqual(released, [[1], [2]]);
  await s.stop(); // leaving the group revokes p0 and p1: not a hand-over (the shutdown snapshot keeps them)
  assert.deepEqual(released, [[1], [2]]);
  assert.ok(log.lines.some((l) => l.msg === 'partitions revoked' && JSON.stringify(l.obj.partitions) === '[0,1]'), 'the stand-in revoked at stop');
});

test('alert state (onGained) is read for partitions taken over, and again for partitions lost and assigned back; not for an orderly revocation given back', async () => {
  const k = fakeKafka({ 0: 1000, 1: 1000 });
  const gained: number[][] = [];
  const s = source(k.kafka, { onGained: async (ps) => void gained.push([...ps]) }, logger().l);
  await s.start(async () => undefined);
  await k.assign([0, 1]);
  await k.revoke([0, 1]); // eager, orderly: handed straight back
  await k.assign([0, 1]);
  assert.deepEqual(gained, [[0, 1]]);
  await k.revoke([0, 1], true); // the group dropped this member (session timeout); it rejoins and gets them back
  await k.assign([0, 1]);
  assert.deepEqual(gained, [[0, 1], [0, 1]], 'another member may have held them meanwhile: their alert state is read again');
  await s.stop();
});

// Idle eviction while partitions may be on their way elsewhere: a firing series' `evicted` resolve
// and tombstone landed after the new owner had read the partition's alert state (two resolves, and
// a tombstone over the new owner's state). The idle loop now waits for the rebalance to complete.
test('idle series are not evicted between a revocation and the assignment that completes it, nor while the source leaves its group', async () => {
  const k = fakeKafka({ 0: 1000, 1: 1000 });
  const s = source(k.kafka, {}, logger().l);
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1000, duplicatePolicy: 'drop', normHalfLifeTicks: 0 });
  const flushed: number[] = [];
  const parts = {
    store, source: s, looseSink: { send: async () => undefined },
    metrics: { seriesActive: { set: () => undefined } },
    pipeline: { flushDeparted: async () => (flushed.push(1), 0) },
    config: { windows: { idleEvictMs: 1000 } },
  } as unknown as LifecycleParts;
  await s.start(async () => undefined);
  await k.assign([0, 1]);
  const seen = (id: string) => store.push(id, 0, [1], 0);
  seen('a');
  await k.revoke([0, 1]); // eager: the rebalance has begun
  await idleSweep(parts, 5000);
  assert.equal(store.has('a'), true, 'kept while its partition may be going elsewhere');
  assert.equal(flushed.length, 1, 'what was queued before is still sent');
  await k.assign([0, 1]);
  await idleSweep(parts, 5000);
  assert.equal(store.has('a'), false, 'evicted once the partitions came back');
  seen('b');
  const stopping = s.stop();
  await idleSweep(parts, 5000);
  assert.equal(store.has('b'), true, 'not while leaving the group');
  await stopping;
});

// Inherited alerts of a quiet series expire through the same idle flush (flushDeparted's
// `inheritedBefore`: a `moved` resolve and a tombstone). Between a revocation and the assignment
// that completes it their partition may be going elsewhere, whose new owner reads the state that
// still says firing: a second `moved` resolve there, and this tombstone over its state. While
// handing over the sweep sends what was queued, and expires nothing.
test('the idle sweep expires no inherited alerts while partitions are being handed over, nor while the source leaves its group', async () => {
  const k = fakeKafka({ 0: 1000, 1: 1000 });
  const s = source(k.kafka, {}, logger().l);
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: 10, idleEvictMs: 1000, duplicatePolicy: 'drop', normHalfLifeTicks: 0 });
  const cutoffs: Array<number | undefined> = [];
  const parts = {
    store, source: s, looseSink: { send: async () => undefined },
    metrics: { seriesActive: { set: () => undefined } },
    pipeline: { flushDeparted: async (_sink: unknown, inheritedBefore?: number) => (cutoffs.push(inheritedBefore), 0) },
    config: { windows: { idleEvictMs: 1000 } },
  } as unknown as LifecycleParts;
  await s.start(async () => undefined);
  await k.assign([0, 1]);
  await idleSweep(parts, 5000);
  assert.deepEqual(cutoffs, [4000], 'held partitions: inherited alerts read before now − idleEvictMs expire');
  await k.revoke([0, 1]);
  await idleSweep(parts, 5000);
  assert.deepEqual(cutoffs, [4000, undefined], 'mid-rebalance: queued resolves go, no inherited alert expires');
  await k.assign([0, 1]);
  await idleSweep(parts, 5000);
  assert.deepEqual(cutoffs.at(-1), 4000, 'once the rebalance completed');
  const stopping = s.stop();
  await idleSweep(parts, 5000);
  assert.deepEqual(cutoffs.at(-1), undefined, 'not while leaving the group');
  await stopping;
});

test('outputs still queued (onRevoking: the evicted resolves a failed send kept) are sent before a revocation returns, so before the next owner reads; a send that never ends holds it up only revokingTimeoutMs', async () => {
  // Before: nothing was sent at the revocation; a resolve queued there went with a later chunk or idle flush, possibly after the new owner's read (a second resolve).
  const k = fakeKafka({ 0: 1000, 1: 1000 });
  const log = logger();
  const calls: number[][] = [];
  let release = (): void => undefined;
  let hang = false;
  const s = source(k.kafka, {
    revokingTimeoutMs: 1000, // 50 failed "the revocation waits for the send" under load (load average 11, 3 runs of 4: the bound expired before the assertion ran)
    onRevoking: (partitions) => {
      calls.push(partitions);
      return hang ? new Promise<never>(() => undefined) : new Promise<void>((resolve) => (release = resolve));
    },
  }, log.l);
  await s.start(async () => undefined);
  await k.assign([0, 1]);
  let revoked = false;
  const revoking = k.revoke([1]).then(() => (revoked = true));
  await until(() => calls.length === 1);
  assert.deepEqual(calls, [[1]]);
  await new Promise((r) => setImmediate(r));
  assert.equal(revoked, false, 'the revocation waits for the send');
  release();
  await revoking;
  hang = true;
  await k.revoke([0]); // returns although the send never ends
  assert.deepEqual(calls, [[1], [0]]);
  assert.ok(log.lines.some((x) => /not sent before the revocation/.test(x.msg)), 'the late send is logged');
  await k.revoke([]);
  assert.equal(calls.length, 2, 'nothing to do for an empty revocation');
});

/** Turns of the event loop until `ok` (the hook is called after the revocation's own awaits); fails after 1000. */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; !ok(); i++) {
    if (i > 1000) assert.fail('the revocation never called onRevoking');
    await new Promise((r) => setImmediate(r));
  }
}

test('the restore log says which replay each partition gets and how many records', async () => {
  const k = fakeKafka({ 0: 1000, 1: 1000 });
  const log = logger();
  // The snapshot covers p0 (its offset 900: a 100-record tail); p1 gets the plain replay of 500.
  const restoreFrom = () => new Map([[0, 900n]]);
  const s = source(k.kafka, { restoreRecordsPerPartition: 500, restoreFrom }, log.l);
  await s.start(async () => undefined);
  const start = await k.assign([0, 1]);
  assert.deepEqual((start as Array<{ partition: number; offset: number }>).map((x) => [x.partition, x.offset]), [[0, 900], [1, 500]]);
  const lines = log.lines.filter((l) => 'replay' in l.obj).sort((a, b) => Number(a.obj.partition) - Number(b.obj.partition));
  assert.deepEqual(lines.map((l) => [l.obj.partition, l.obj.replay, l.obj.records]), [[0, 'snapshot-tail', '100'], [1, 'plain', '500']]);
  assert.match(lines[0].msg, /replaying the 100 records after the series-state snapshot/);
  assert.match(lines[1].msg, /plain replay of the 500 records before the committed offset/);
  assert.ok(!log.lines.some((l) => /restoring windows from earlier records/.test(l.msg)), 'no line that calls a snapshot tail a window restore');
  await s.stop();
});

// Two replicas of a first deploy plan their partitions in the same rebalance: the start another one
// commits for its own partition (its pin) must not make this brand-new group look old. Before
// 6 Dec 2026 it did, and p0 — never read, nothing committed — was read from its beginning, the
// whole history kafka.fromBeginning=false skips (test/integration/first-deploy-replicas.test.ts).
test("a brand-new group: the start another member commits for its partition meanwhile does not send this member's partition to its beginning", async () => {
  const committed: Record<number, number> = { 0: -1, 1: -1 };
  const marks = { high: 100000, refuse: true }; // the group's start, committed before joining, refused: the other member joined first (./group-start.ts)
  const k = fakeKafka(committed, 0, marks);
  const log = logger();
  const s = source(k.kafka, {}, log.l);
  await s.start(async () => undefined);
  marks.refuse = false;
  committed[1] = 100000; // the other member, assigned p1 in the same rebalance, pinned its start first
  const start = (await k.assign([0])) as Array<{ partition: number; offset: number }>;
  assert.deepEqual(start.map((x) => [x.partition, x.offset]), [[0, 100000]], 'p0 starts at its end, as every partition of a brand-new group');
  assert.equal(committed[0], 100000, 'and that start is pinned');
  assert.ok(!log.lines.some((l) => /never read/.test(l.msg)), JSON.stringify(log.lines.map((l) => l.msg)));
  await s.stop();
});

// The start of a partition with nothing committed is committed at its assignment (its pin); the
// coordinator may refuse that commit (the group rebalancing again) while the client's call resolves.
// Before 6 Dec 2026 the partition, assigned to this member again, started at the end as of then:
// the ticks written since its first start were skipped.
test('a partition whose start commit was refused starts where this run started it, when assigned again with nothing committed', async () => {
  const marks = { high: 100000, refuse: true };
  const k = fakeKafka({ 0: -1 }, 0, marks);
  const s = source(k.kafka, {}, logger().l);
  await s.start(async () => undefined);
  const first = (await k.assign([0])) as Array<{ partition: number; offset: number }>;
  assert.deepEqual(first.map((x) => [x.partition, x.offset]), [[0, 100000]]);
  await k.revoke([0]); // the rebalance that refused the pin
  marks.high = 100050; // 50 ticks written meanwhile, none read or committed
  marks.refuse = false;
  const again = (await k.assign([0])) as Array<{ partition: number; offset: number }>;
  assert.deepEqual(again.map((x) => [x.partition, x.offset]), [[0, 100000]], 'the 50 ticks written since the first start are read');
  await s.stop();
});

// A brand-new group (first deploy, fromBeginning=false): member A is assigned p0 and pins its start,
// the coordinator refuses that commit (member B joining), and the rebalance gives p0 to B. B, started
// before it joined, found the group brand new. Before 7 Dec 2026 B started p0 at its end as of B's
// assignment: the ticks written during the rebalance (nobody consumed them: A's partitions were
// revoked, B had none yet) were skipped, and only A's misleading "the chunk may be redelivered" said anything.
test("a brand-new group: a partition whose start commit was refused and that goes to another member starts there at the end as of that member's start, not of its assignment", async () => {
  const committed: Record<number, number> = { 0: -1 };
  const marks = { high: 100000, refuse: true };
  const ka = fakeKafka(committed, 0, marks);
  const kb = fakeKafka(committed, 0, marks);
  const logA = logger();
  const a = source(ka.kafka, {}, logA.l);
  const b = source(kb.kafka, {}, logger().l);
  await Promise.all([a.start(async () => undefined), b.start(async () => undefined)]);
  const first = (await ka.assign([0])) as Array<{ partition: number; offset: number }>;
  assert.deepEqual(first.map((x) => [x.partition, x.offset]), [[0, 100000]]);
  const refused = { message: 'Broker: Group rebalance in progress' };
  ka.internal.emit('offset.commit', refused, [{ topic: TOPIC, partition: 0, offset: 100000, error: refused }]);
  const said = logA.lines.filter((l) => l.obj.refusedBy === 'group coordinator').map((l) => l.msg);
  assert.equal(said.length, 1);
  assert.match(said[0], /^start offset of a partition with nothing committed not stored/, 'A says its start was not stored, not that a chunk may be redelivered');
  await ka.revoke([0]); // B joined: A's pin refused, its partitions revoked
  marks.high = 100050; // 50 ticks written during the rebalance, read by nobody
  marks.refuse = false;
  const taken = (await kb.assign([0])) as Array<{ partition: number; offset: number }>;
  assert.deepEqual(taken.map((x) => [x.partition, x.offset]), [[0, 100000]], 'the 50 ticks written during the rebalance are read by B');
  assert.equal(committed[0], 100000, "and B's start is pinned");
  await a.stop();
  await b.stop();
});

// A chunk whose commit a rebalance refused, its outputs acknowledged: when the same member gets the
// partition back with the committed offset unchanged, it resumes after that chunk. Before 7 Dec 2026
// it started at the committed offset and output the chunk again (docs/kafka-client.md § At-least-once).
test('a partition assigned back with its committed offset unchanged resumes after the chunk whose commit was refused; one whose offset moved does not', async () => {
  const committed: Record<number, number> = { 0: 100, 1: 100, 2: 100 };
  const k = fakeKafka(committed);
  const log = logger();
  const s = source(k.kafka, { restoreRecordsPerPartition: 20 }, log.l);
  await s.start(async () => undefined);
  await k.assign([0, 1, 2]);
  const rebalance = { message: 'Broker: Group rebalance in progress', code: 27 };
  // p0: one chunk stored (100 → 120), the next refused (150); p1: refused (130) but another owner committed 125 since; p2: refused, then a later chunk stored past it.
  k.internal.emit('offset.commit', undefined, [{ topic: TOPIC, partition: 0, offset: 120 }]);
  committed[0] = 120;
  k.internal.emit('offset.commit', rebalance, [{ topic: TOPIC, partition: 0, offset: 150 }, { topic: TOPIC, partition: 1, offset: 130 }, { topic: TOPIC, partition: 2, offset: 140 }]);
  k.internal.emit('offset.commit', undefined, [{ topic: TOPIC, partition: 2, offset: 160 }]);
  committed[2] = 160;
  await k.revoke([0, 1, 2]);
  committed[1] = 125;
  const starts = (await k.assign([0, 1, 2])) as Array<{ partition: number; offset: number }>;
  assert.deepEqual(starts.map((a) => [a.partition, a.offset]), [[0, 130], [1, 105], [2, 140]], 'p0 from 150 − 20 (warm-up to 150); p1 and p2 as their committed offsets say');
  assert.ok(log.lines.some((l) => l.msg.startsWith('partitions assigned back with their committed offset unchanged') && JSON.stringify(l.obj.partitions) === '{"0":"150"}'));
  await s.stop();
});

test('with no window restore, the partition assigned back starts straight after the refused chunk', async () => {
  const k = fakeKafka({ 0: 100, 1: 100 });
  const s = source(k.kafka, { restoreRecordsPerPartition: 0 }, logger().l);
  await s.start(async () => undefined);
  assert.equal(await k.assign([0, 1]), null, 'the committed offsets: the client default');
  k.internal.emit('offset.commit', { message: 'Broker: Specified group generation id is not valid', code: 22 }, [{ topic: TOPIC, partition: 1, offset: 140 }]);
  await k.revoke([0, 1]);
  const starts = (await k.assign([0, 1])) as Array<{ partition: number; offset: number }>;
  assert.deepEqual(starts.map((a) => [a.partition, a.offset]), [[0, -1001], [1, 140]]);
  await s.stop();
});

// The offset a partition resumed at after a refused chunk is committed at the assignment; when the
// coordinator refuses that commit too, the line says so. Until 7 Dec 2026 it said "offset commit
// failed; the chunk may be redelivered", naming no chunk this member had in flight.
test('a refused commit of the offset resumed at after refused chunks is reported as such, not as a chunk\'s', async () => {
  const committed: Record<number, number> = { 0: 100 };
  const k = fakeKafka(committed);
  const log = logger();
  const s = source(k.kafka, { restoreRecordsPerPartition: 0 }, log.l);
  await s.start(async () => undefined);
  await k.assign([0]);
  const rebalance = { message: 'Broker: Group rebalance in progress', code: 27 };
  k.internal.emit('offset.commit', rebalance, [{ topic: TOPIC, partition: 0, offset: 140 }]); // a chunk's commit, refused
  await k.revoke([0]);
  const starts = (await k.assign([0])) as Array<{ partition: number; offset: number }>;
  assert.deepEqual(starts.map((a) => [a.partition, a.offset]), [[0, 140]], 'resumed after the refused chunk');
  assert.equal(committed[0], 140, 'and that offset committed at the assignment');
  committed[0] = 100; // which the coordinator refuses (the stand-in stored it as sent)
  k.internal.emit('offset.commit', rebalance, [{ topic: TOPIC, partition: 0, offset: 140 }]);
  const refused = log.lines.filter((l) => l.obj.refusedBy === 'group coordinator');
  assert.deepEqual(refused.map((l) => l.obj.commit), ['chunk', 'resume']);
  assert.equal(refused[0].msg, 'offset commit failed; the chunk may be redelivered');
  assert.match(refused[1].msg, /^offset resumed at after refused chunks not stored \(the group rebalancing\)/);
  await k.revoke([0]);
  assert.deepEqual(((await k.assign([0])) as Array<{ offset: number }>).map((a) => a.offset), [140], 'assigned back unchanged again: resumes there again');
  await s.stop();
});

// Until 7 Dec 2026 (night) the client's own rejection of that commit logged no `commit` field.
test('a commit of the resumed-at offset the client rejects is logged with commit "resume"', async () => {
  const k = fakeKafka({ 0: 100 });
  const member = k.kafka.consumer.bind(k.kafka);
  let reject = false;
  (k.kafka as unknown as { consumer: typeof member }).consumer = (cfg) => {
    const c = member(cfg) as unknown as { commitOffsets: (tps: unknown) => Promise<void> };
    const commit = c.commitOffsets;
    c.commitOffsets = async (tps) => (reject ? Promise.reject(Object.assign(new Error('Local: Erroneous state'), { code: -172 })) : commit(tps));
    return c as unknown as KafkaJS.Consumer;
  };
  const log = logger();
  const s = source(k.kafka, { restoreRecordsPerPartition: 0 }, log.l);
  await s.start(async () => undefined);
  await k.assign([0]);
  k.internal.emit('offset.commit', { message: 'Broker: Group rebalance in progress', code: 27 }, [{ topic: TOPIC, partition: 0, offset: 140 }]);
  await k.revoke([0]);
  reject = true;
  await k.assign([0]);
  const line = log.lines.find((l) => l.msg.startsWith('could not commit the offsets resumed after refused chunks'));
  assert.equal(line?.obj.commit, 'resume');
  await s.stop();
});
