/** The Kafka source's pure parts: restore planning, warm-up marks, offset gaps, decode-error matching, lag. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCommitted, laterGroupStarts, OFFSET_BEGINNING, planRestore, restoreInputs, resumeRefusedStarts, uncommittedFromBeginning, uncommittedStarts, WarmupTracker } from '../../../src/adapters/kafka/restore.ts';
import { GROUP_START_METADATA } from '../../../src/adapters/kafka/group-start.ts';
import { ConsumeErrors, OffsetGaps } from '../../../src/adapters/kafka/offset-gaps.ts';
import { LagMonitor, lagStarts, partitionLag, type LagReader } from '../../../src/adapters/kafka/lag.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { atStart } from '../../../src/adapters/kafka/topic-at-start.ts';
import type { KafkaJS } from '@confluentinc/kafka-javascript';

const log = createLogger({ level: 'silent', name: 't' });

test('restore plan: k records before the committed offset, never below the log start; nothing committed → no restore', () => {
  const plan = planRestore(
    [
      { partition: 0, committed: 1000n, low: 0n },
      { partition: 1, committed: 30n, low: 10n },
      { partition: 2, committed: undefined, low: 0n },
      { partition: 3, committed: -1001n, low: 0n },
      { partition: 4, committed: 5n, low: 5n },
    ],
    100,
  );
  assert.deepEqual([...plan.start], [[0, 900n], [1, 10n]]);
  assert.deepEqual([...plan.warmupUntil], [[0, 1000n], [1, 30n]]);
  assert.equal(planRestore([{ partition: 0, committed: 1000n, low: 0n }], 0).start.size, 0, 'k = 0 turns restore off');
});

test('a topic missing at start: partitions with nothing committed start at their beginning; restore starts and commits are kept', () => {
  const inputs = [
    { partition: 0, committed: 1000n, low: 0n },
    { partition: 1, committed: undefined, low: 0n },
    { partition: 2, committed: -1001n, low: 7n },
    { partition: 3, committed: 40n, low: 0n },
  ];
  const plan = planRestore(inputs, 100);
  const byPartition = (m: Map<number, bigint>) => [...m].sort((a, b) => a[0] - b[0]);
  assert.deepEqual(byPartition(uncommittedFromBeginning(plan.start, inputs)), [[0, 900n], [1, OFFSET_BEGINNING], [2, OFFSET_BEGINNING], [3, 0n]]);
  assert.deepEqual([...uncommittedFromBeginning(planRestore(inputs, 0).start, inputs)], [[1, -2n], [2, -2n]], 'restore off: committed partitions resume at their commit (client default)');
  assert.deepEqual([...plan.start], [[0, 900n], [3, 0n]], 'the plan itself is left as it was');
});

test('warm-up marks records below the committed offset, then stops for that partition', () => {
  const w = new WarmupTracker();
  w.reset(planRestore([{ partition: 0, committed: 10n, low: 0n }], 5));
  assert.equal(w.isWarmup(0, 5n), true);
  assert.equal(w.isWarmup(0, 9n), true);
  assert.equal(w.isWarmup(0, 10n), false);
  assert.equal(w.isWarmup(0, 6n), false, 'forgotten once past');
  assert.equal(w.isWarmup(1, 0n), false);
});

test('offset gaps: none for consecutive records; a hole is reported once with its range; unknown start learns from the first record', () => {
  const g = new OffsetGaps();
  g.expect(0, 10n);
  assert.equal(g.observe(0, 10n), null);
  assert.equal(g.observe(0, 11n), null);
  assert.deepEqual(g.observe(0, 20n), { partition: 0, from: 12n, to: 19n });
  assert.equal(g.observe(0, 21n), null);
  assert.equal(g.observe(1, 500n), null, 'no expectation: no gap');
  assert.deepEqual(g.observe(1, 502n), { partition: 1, from: 501n, to: 501n });
  assert.equal(g.next(1), 503n);
});

test('decode errors: only client consume errors about decoding count, one per episode, matched to one gap', () => {
  const e = new ConsumeErrors();
  assert.equal(e.report('Consumer encountered error while consuming. Retrying. Error details: KafkaJSError: Local: Invalid compressed data'), true);
  assert.equal(e.report('Consumer encountered error while consuming. Retrying. Error details: KafkaJSError: Local: Invalid compressed data'), true);
  assert.equal(e.report('Consumer encountered error while consuming. Retrying. Error details: KafkaJSError: Broker: Not coordinator'), false);
  assert.equal(e.report('Producer connect failed: compression.codec invalid'), false);
  assert.equal(e.take(), true);
  assert.equal(e.take(), false, 'a repeated error is one skipped batch, not two');
  e.giveBack(1);
  assert.equal(e.take(), true);
});

test('lag = high watermark − committed; nothing committed → everything retained counts', () => {
  assert.equal(partitionLag(90n, 0n, 100n), 10);
  assert.equal(partitionLag(undefined, 40n, 100n), 60);
  assert.equal(partitionLag(-1001n, 40n, 100n), 60);
  assert.equal(partitionLag(120n, 0n, 100n), 0);
});

test('lag with nothing committed counts from where consumption started, never before the log start', () => {
  assert.equal(partitionLag(undefined, 40n, 100n, 95n), 5, 'started at the end (fromBeginning=false): only what came since');
  assert.equal(partitionLag(-1001n, 40n, 100n, 100n), 0);
  assert.equal(partitionLag(undefined, 40n, 100n, 10n), 60, 'a start the log has since deleted counts from the log start');
  assert.equal(partitionLag(90n, 40n, 100n, 100n), 10, 'a commit wins');
});

test('lag monitor: a partition assigned with nothing committed counts from its start; a later assignment without one forgets it', async () => {
  const reader: LagReader = { committed: async (ps) => new Map(ps.map((p) => [p, undefined])), watermarks: async () => new Map([[0, { low: 0n, high: 500n }]]) };
  const gauge = new Map<string, number>();
  const mon = new LagMonitor('ticks', reader, { lag: (t, p, l) => gauge.set(`${t}/${p}`, l), lagRemoved: (t, p) => gauge.delete(`${t}/${p}`) }, 60_000, log);
  mon.assigned([0], new Map([[0, 480n]]));
  await mon.poll();
  assert.equal(gauge.get('ticks/0'), 20);
  mon.revoked([0]);
  mon.assigned([0]);
  await mon.poll();
  assert.equal(gauge.get('ticks/0'), 500);
  await mon.stop();
});

test('lag monitor: committed offsets unreadable at assignment (start unknown, the end under fromBeginning=false) → nothing committed counts from the high watermark at the first read that succeeds, not the log start', async () => {
  const state = { up: false, committed: new Map<number, bigint | undefined>([[1, 300n]]), high: 500n };
  const reader: LagReader = {
    committed: async (ps) => {
      if (!state.up) throw new Error('coordinator not available (test)');
      return new Map(ps.map((p) => [p, state.committed.get(p)]));
    },
    watermarks: async () => new Map([0, 1].map((p) => [p, { low: 0n, high: state.high }])),
  };
  const gauge = new Map<string, number>();
  const mon = new LagMonitor('ticks', reader, { lag: (t, p, l) => gauge.set(`${t}/${p}`, l), lagRemoved: (t, p) => gauge.delete(`${t}/${p}`) }, 60_000, log);
  mon.assigned([0, 1], null);
  await mon.poll();
  assert.equal(gauge.size, 0, 'nothing reported while the reads fail');
  state.up = true;
  await mon.poll();
  assert.deepEqual(Object.fromEntries(gauge), { 'ticks/0': 0, 'ticks/1': 200 }, 'the 500 records of history are not lag; a commit counts as usual');
  state.high = 520n; // records arrive and are not committed: lag grows from there
  await mon.poll();
  assert.deepEqual(Object.fromEntries(gauge), { 'ticks/0': 20, 'ticks/1': 220 });
  await mon.stop();
});

test('lag starts after restore planning: the plan\'s; without one (committed offsets unreadable) the log start under fromBeginning, unknown otherwise', () => {
  const lagFrom = new Map([[0, 480n]]);
  assert.equal(lagStarts({ lagFrom }, false), lagFrom);
  assert.equal(lagStarts(null, true), undefined, 'the client starts at the beginning: the log start is right');
  assert.equal(lagStarts(null, false), null, 'the client starts at the end: unknown, not the log start');
});

test('lag monitor: per assigned partition from broker offsets, series removed on revoke', async () => {
  const state = { committed: new Map<number, bigint | undefined>([[0, 5n], [1, 50n]]), high: new Map([[0, 10n], [1, 80n], [2, 7n]]) };
  const reader: LagReader = {
    committed: async (ps) => new Map(ps.map((p) => [p, state.committed.get(p)])),
    watermarks: async () => new Map([...state.high].map(([p, h]) => [p, { low: 0n, high: h }])),
  };
  const gauge = new Map<string, number>();
  const mon = new LagMonitor('ticks', reader, { lag: (t, p, l) => gauge.set(`${t}/${p}`, l), lagRemoved: (t, p) => gauge.delete(`${t}/${p}`) }, 60_000, log);
  mon.assigned([0, 1]);
  await mon.poll();
  assert.deepEqual(Object.fromEntries(gauge), { 'ticks/0': 5, 'ticks/1': 30 });
  state.high.set(0, 25n); // lag grows while nothing is committed
  await mon.poll();
  assert.equal(gauge.get('ticks/0'), 20);
  mon.revoked([1]);
  assert.deepEqual(Object.fromEntries(gauge), { 'ticks/0': 20 });
  await mon.stop();
  assert.equal(gauge.size, 0);
});

test('uncommitted starts: created after start → beginning; else the end at the assignment (fromBeginning false) or the client default (true); lag counted from there', () => {
  const inputs = [
    { partition: 0, committed: 1000n, low: 0n, high: 1200n },
    { partition: 1, committed: undefined, low: 5n, high: 300n },
    { partition: 2, committed: -1001n, low: 0n, high: 70n },
    { partition: 3, committed: undefined, low: 10n, high: 20n },
  ];
  const plan = planRestore(inputs, 100);
  const latest = uncommittedStarts(plan.start, inputs, { partitionsAtStart: 3, fromBeginning: false, groupHasOffsets: false });
  assert.deepEqual([...latest.start].sort(([a], [b]) => a - b), [[0, 900n], [1, 300n], [2, 70n], [3, OFFSET_BEGINNING]]);
  assert.deepEqual(latest.created, [3]);
  assert.deepEqual([...latest.lagFrom].sort(([a], [b]) => a - b), [[1, 300n], [2, 70n], [3, 10n]]);
  const earliest = uncommittedStarts(plan.start, inputs, { partitionsAtStart: 3, fromBeginning: true, groupHasOffsets: false });
  assert.deepEqual([...earliest.start].sort(([a], [b]) => a - b), [[0, 900n], [3, OFFSET_BEGINNING]], 'fromBeginning: the client starts them at the beginning');
  assert.deepEqual([...earliest.lagFrom].sort(([a], [b]) => a - b), [[1, 5n], [2, 0n], [3, 10n]]);
  assert.deepEqual(uncommittedStarts(plan.start, inputs, { partitionsAtStart: 0, fromBeginning: false, groupHasOffsets: false }).created, [1, 2, 3], 'a topic missing at start: every uncommitted partition was created since');
});

test('uncommitted starts: once the group has committed offsets, a partition with nothing committed is one it never read (added while down, or before this instance started) → beginning; every uncommitted start is pinned', () => {
  const inputs = [
    { partition: 0, committed: 1000n, low: 0n, high: 1200n },
    { partition: 1, committed: undefined, low: 5n, high: 300n },
    { partition: 2, committed: -1001n, low: 0n, high: 70n },
  ];
  const plan = planRestore(inputs, 100);
  const grown = uncommittedStarts(plan.start, inputs, { partitionsAtStart: 3, fromBeginning: false, groupHasOffsets: true });
  assert.deepEqual([...grown.start].sort(([a], [b]) => a - b), [[0, 900n], [1, OFFSET_BEGINNING], [2, OFFSET_BEGINNING]], 'partitions counted at start too');
  assert.deepEqual(grown.created, [1, 2]);
  assert.deepEqual([...grown.pin].sort(([a], [b]) => a - b), [[1, 5n], [2, 0n]], 'pinned at their first retained offset; committed partitions are not');
  const fresh = uncommittedStarts(plan.start, inputs, { partitionsAtStart: 3, fromBeginning: false, groupHasOffsets: false });
  assert.deepEqual([...fresh.pin].sort(([a], [b]) => a - b), [[1, 300n], [2, 70n]], 'a brand-new group: pinned at the end as read at the assignment');
  const earliest = uncommittedStarts(plan.start, inputs, { partitionsAtStart: 3, fromBeginning: true, groupHasOffsets: false });
  assert.deepEqual([...earliest.pin].sort(([a], [b]) => a - b), [[1, 5n], [2, 0n]]);
});

test('hasCommitted: a group is brand new until some partition has a committed offset (-1 / -1001: none)', () => {
  assert.equal(hasCommitted([]), false);
  assert.equal(hasCommitted([{ offset: '-1001' }, { offset: '-1' }]), false);
  assert.equal(hasCommitted([{ offset: '-1' }, { offset: '0' }]), true, 'a commit at 0 counts');
});

test('a refused start resumed: where this run started the partition, but never below its log start now (retention deleted records since: an offset below it is out of range, and the reset policy, latest under fromBeginning=false, would skip to the end)', () => {
  const started = new Map<number, bigint>();
  const first = uncommittedStarts(new Map(), [{ partition: 0, committed: undefined, low: 0n, high: 100n }, { partition: 1, committed: undefined, low: 0n, high: 100n }], { partitionsAtStart: 2, fromBeginning: false, groupHasOffsets: false });
  resumeRefusedStarts(started, first, [{ partition: 0, low: 0n }, { partition: 1, low: 0n }]);
  // Assigned again, both pins refused: p0's log still holds offset 100, p1's now starts at 150.
  const inputs = [{ partition: 0, committed: undefined, low: 40n, high: 500n }, { partition: 1, committed: undefined, low: 150n, high: 500n }];
  const again = uncommittedStarts(new Map(), inputs, { partitionsAtStart: 2, fromBeginning: false, groupHasOffsets: false });
  resumeRefusedStarts(started, again, inputs);
  assert.deepEqual([...again.start], [[0, 100n], [1, 150n]]);
  assert.deepEqual([...again.lagFrom], [[0, 100n], [1, 150n]]);
  assert.deepEqual([...again.pin], [[0, 100n], [1, 150n]]);
  // `started` records every pin (resumeRefusedStarts' doc): the source tells a refused start commit
  // from a chunk's by it (commit.ts reportRefusedCommits). Until 7 Dec 2026 (review) p1 kept 100, so a
  // refusal of the 150 just pinned was logged as "offset commit failed; the chunk may be redelivered".
  assert.deepEqual([...started], [[0, 100n], [1, 150n]]);
});

// The client's fetchTopicOffsets does not throw for one partition whose offset look-up failed (its
// leader moving, a broker restarting): librdkafka reports the error in that partition's result and
// the client returns it with high "-1" all the same. Since 7 Dec 2026 a brand-new group starts each
// partition at its end read at start (brandNewEnd), clamped up to the log start: "-1" became the log
// start, and under kafka.fromBeginning=false the partition's whole retained history was read.
test('a brand-new group: a partition whose end could not be read at start (high -1 in the reply) starts at its end at the assignment, not at its log start; one unread at the assignment at its end read at start', async () => {
  const admin = {
    listTopics: async () => ['ticks'],
    fetchTopicOffsets: async () => [
      { partition: 0, offset: '700', high: '700', low: '0' },
      { partition: 1, offset: '-1', high: '-1', low: '-1' },
    ],
    fetchOffsets: async () => [{ topic: 'ticks', partitions: [{ partition: 0, offset: '-1' }, { partition: 1, offset: '-1' }] }],
  } as unknown as KafkaJS.Admin;
  const known = await atStart(admin, { topic: 'ticks', groupId: 'g', fromBeginning: false }, createLogger({ level: 'silent', name: 'test' }));
  assert.equal(known.groupHasOffsets, false);
  const inputs = [0, 1].map((partition) => ({ partition, committed: -1n, low: 100n, high: 900n }));
  const { start } = uncommittedStarts(new Map(), inputs, { partitionsAtStart: 2, fromBeginning: false, groupHasOffsets: false, endsAtStart: known.ends });
  assert.equal(start.get(0), 700n, 'the end read at start');
  assert.equal(start.get(1), 900n, 'unknown at start: the end at the assignment');
  // And the other way round: the end unread at the assignment (-1) is no bound on the one read at start.
  const unreadNow = uncommittedStarts(new Map(), [{ partition: 0, committed: -1n, low: 100n, high: -1n }], { partitionsAtStart: 2, fromBeginning: false, groupHasOffsets: false, endsAtStart: known.ends });
  assert.equal(unreadNow.start.get(0), 700n);
});

// A later member's generation-less start commit that Kafka stored while the group was still empty
// — librdkafka re-sends a commit it deferred (coordinator unknown) once the coordinator is found,
// after the member's own start step gave up on it, or one slower than commitGroupStart's second
// look — replaced the earlier member's start; both then started every partition at the later end,
// and the ticks written between the two starts were skipped. Kafka has no conditional commit, so
// no read before the commit can exclude it; once a member has joined, Kafka refuses every further
// generation-less commit, so the read at the assignment is where the earlier member corrects it.
test("a group start later than this member's own end at start (a later member's start stored while the group was empty) is not moved forward: the partition starts at this member's end, pinned", () => {
  const committed = [
    { partition: 0, offset: '45', metadata: GROUP_START_METADATA }, // the later member's start replaced this member's 40
    { partition: 1, offset: '12', metadata: GROUP_START_METADATA }, // an earlier member's start: kept
    { partition: 2, offset: '90', metadata: null }, // a chunk's commit past this member's end: never moved back
  ];
  const marks = [0, 1, 2].map((partition) => ({ partition, low: '0', high: '100' }));
  const inputs = restoreInputs([0, 1, 2], committed, marks);
  const s = uncommittedStarts(planRestore(inputs, 10).start, inputs, { partitionsAtStart: 3, fromBeginning: false, groupHasOffsets: false, endsAtStart: new Map([[0, 40n], [1, 15n], [2, 50n]]) });
  assert.equal(s.start.get(0), 40n, 'p0 at this member\'s end at start (45 before: the 5 ticks between the two starts skipped)');
  assert.equal(s.start.get(1), undefined, 'p1 at its committed offset (the client\'s default)');
  assert.equal(s.start.get(2), 80n, 'p2 restores below its chunk\'s commit as before');
  assert.deepEqual([...s.pin], [[0, 40n]], 'committed at the assignment, like every start with nothing committed');
  assert.deepEqual(s.earlier, [0]);
  const old = uncommittedStarts(new Map(), inputs, { partitionsAtStart: 3, fromBeginning: false, groupHasOffsets: true });
  assert.deepEqual([...old.start], [], 'a member that found the group with offsets at its start keeps every committed offset');
});

test("partitions another member starts at a later member's group start (past this member's end at start) are reported; its own, earlier or unmarked ones are not", () => {
  const committed = [
    { partition: 0, offset: '45', metadata: GROUP_START_METADATA }, // assigned here: earlierGroupStart corrects it
    { partition: 1, offset: '52', metadata: GROUP_START_METADATA }, // another member's, later than this member's 50: reported
    { partition: 2, offset: '30', metadata: GROUP_START_METADATA }, // an earlier start: kept
    { partition: 3, offset: '90', metadata: '' }, // a chunk's commit
  ];
  const ends = new Map([[0n, 40n], [1n, 50n], [2n, 35n], [3n, 60n]].map(([p, e]) => [Number(p), e]));
  assert.deepEqual(laterGroupStarts(committed, [0], ends), [{ partition: 1, start: 52n, own: 50n }]);
  assert.deepEqual(laterGroupStarts(committed, [0], undefined), [], 'the group was not brand new at this start');
});
