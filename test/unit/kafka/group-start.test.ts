/**
 * commitGroupStart (src/adapters/kafka/group-start.ts): a member that finds the group brand new
 * commits the topic's end as read at its start, before it joins, for the partitions that still have
 * nothing committed; an earlier member's start is kept. Every member commits it through a
 * short-lived client without its instance id (startCommitter), closed before it joins. The integration test of the bug it fixes is
 * test/integration/late-replica-start.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { COMMIT_WAIT_MS, commitGroupStart, commitGroupStartAs, GROUP_START_METADATA, START_BOUND_MS, startCommitter } from '../../../src/adapters/kafka/group-start.ts';
import { deferred } from '../../../src/lifecycle/abortable.ts';
import { planRestore } from '../../../src/adapters/kafka/restore.ts';

const TOPIC = 'ticks';

function fakes(committed: Record<number, number>, refuse = false) {
  const commits: Array<Array<{ partition: number; offset: string }>> = [];
  const metadata: Array<string | undefined> = [];
  const admin = {
    fetchOffsets: async ({ topics }: { topics: Array<{ topic: string; partitions: number[] }> }) =>
      topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map((partition) => ({ partition, offset: String(committed[partition] ?? -1) })) })),
  } as unknown as KafkaJS.Admin;
  const consumer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    // Resolves when queued, as the client's does; a refused commit stores nothing.
    commitOffsets: async (tps: Array<{ partition: number; offset: string; metadata?: string }>) => {
      metadata.push(...tps.map((t) => t.metadata));
      commits.push(tps.map(({ partition, offset }) => ({ partition, offset })));
      if (!refuse) for (const { partition, offset } of tps) committed[partition] = Number(offset);
    },
  } as unknown as KafkaJS.Consumer;
  return { admin, consumer, commits, metadata };
}

function logger() {
  const lines: string[] = [];
  const l = { info: (_o: object, m: string) => lines.push(m), warn: (_o: object, m: string) => lines.push(m) };
  return { lines, l: l as never };
}

test("a brand-new group: the end read at this member's start is committed for every partition before it joins", async () => {
  const committed: Record<number, number> = {};
  const f = fakes(committed);
  const log = logger();
  const ok = await commitGroupStart(f.consumer, f.admin, { groupId: 'g', topic: TOPIC }, new Map([[0, 15n], [1, 40n]]), log.l);
  assert.equal(ok, true);
  assert.deepEqual(committed, { 0: 15, 1: 40 });
  assert.deepEqual(f.metadata, [GROUP_START_METADATA, GROUP_START_METADATA], 'marked as the group\'s start');
  assert.match(log.lines[0], /its start committed before joining/);
});

test("a start another member committed meanwhile is kept: only partitions with nothing committed are written", async () => {
  const committed: Record<number, number> = { 0: 12 };
  const f = fakes(committed);
  assert.equal(await commitGroupStart(f.consumer, f.admin, { groupId: 'g', topic: TOPIC }, new Map([[0, 15n], [1, 40n]]), logger().l), true);
  assert.deepEqual(f.commits, [[{ partition: 1, offset: '40' }]]);
  assert.deepEqual(committed, { 0: 12, 1: 40 }, 'the earlier start of p0 (12) is not moved to this member\'s (15)');
});

test('a refused commit (another member joined first) is reported, and the member joins as before', async () => {
  const f = fakes({}, true);
  const log = logger();
  assert.equal(await commitGroupStart(f.consumer, f.admin, { groupId: 'g', topic: TOPIC }, new Map([[0, 15n]]), log.l), false);
  assert.match(log.lines.at(-1)!, /not stored before joining/);
});

/**
 * Members A (started first: ends 15, 40) and B (5 ticks a partition later) that both read "nothing
 * committed" before either's start is stored. `bAfterASawItsOwn`: B's commit is stored only after A
 * saw its own start; else both are stored at once, before A's first look.
 */
async function simultaneousStart(bAfterASawItsOwn: boolean): Promise<Record<number, number>> {
  const committed: Record<number, { offset: number; metadata?: string }> = {};
  let reads = 0;
  let aSawItsOwn!: () => void;
  const aSaw = new Promise<void>((resolve) => (aSawItsOwn = resolve));
  const admin = {
    fetchOffsets: async ({ topics }: { topics: Array<{ topic: string; partitions: number[] }> }) => {
      if (++reads === 3) aSawItsOwn(); // reads 1 and 2: A's and B's "nothing committed"; 3: A's first look after its commit
      return topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map((partition) => ({ partition, offset: String(committed[partition]?.offset ?? -1), metadata: committed[partition]?.metadata ?? null })) }));
    },
  } as unknown as KafkaJS.Admin;
  const member = (late = false) => ({
    commitOffsets: async (tps: Array<{ partition: number; offset: string; metadata?: string }>) => {
      if (late) { late = false; await aSaw; }
      for (const t of tps) committed[t.partition] = { offset: Number(t.offset), metadata: t.metadata };
    },
  }) as unknown as KafkaJS.Consumer;
  const o = { groupId: 'g', topic: TOPIC };
  const started = [
    commitGroupStart(member(), admin, o, new Map([[0, 15n], [1, 40n]]), logger().l),
    commitGroupStart(member(bAfterASawItsOwn), admin, o, new Map([[0, 20n], [1, 45n]]), logger().l),
  ];
  assert.deepEqual(await Promise.all(started), [true, true]);
  return { 0: committed[0].offset, 1: committed[1].offset };
}

for (const late of [false, true]) {
  test(`two members that both read 'nothing committed' before either's start is stored: the earlier start wins (else the ticks between the two starts were skipped) — the later start stored ${late ? 'after the earlier member saw its own' : 'before the earlier member looks'}`, async () => {
    assert.deepEqual(await simultaneousStart(late), { 0: 15, 1: 40 }, "the group starts at the first member's start");
  });
}

test("a later member's start that this member's commit cannot replace (the group has a member: Kafka refuses it) is not committed against again at every look", async () => {
  let commits = 0;
  const admin = {
    fetchOffsets: async () => [{ topic: TOPIC, partitions: [{ partition: 0, offset: '20', metadata: GROUP_START_METADATA }] }],
  } as unknown as KafkaJS.Admin;
  const consumer = { commitOffsets: async () => void commits++ } as unknown as KafkaJS.Consumer;
  const log = logger();
  assert.equal(await commitGroupStart(consumer, admin, { groupId: 'g', topic: TOPIC }, new Map([[0, 15n]]), log.l), false);
  assert.equal(commits, 1);
  assert.match(log.lines.at(-1)!, /not stored before joining/);
});

test("a partition a member already joined has committed past this member's end is not moved back", async () => {
  const f = fakes({ 0: 30 }); // committed by a chunk (no start mark): the group is in use
  assert.equal(await commitGroupStart(f.consumer, f.admin, { groupId: 'g', topic: TOPIC }, new Map([[0, 15n]]), logger().l), true);
  assert.deepEqual(f.commits, []);
});

test("a partition committed at the group's start replays no history as warm-up; one committed by a chunk does", () => {
  const plan = planRestore(
    [
      { partition: 0, committed: 15n, low: 0n, groupStart: true },
      { partition: 1, committed: 15n, low: 0n },
    ],
    100,
  );
  assert.deepEqual([...plan.start], [[1, 0n]]);
  assert.deepEqual([...plan.warmupUntil], [[1, 15n]]);
});

test("a member's start is committed by a short-lived client of the group without its instance id (Kafka refuses an instance's commit outside a generation, fatally while its previous instance is in the group) and with a short session.timeout.ms (how long a queued commit waits for the coordinator)", async () => {
  const made: Array<Record<string, unknown>> = [];
  const events: string[] = [];
  const kafka = {
    consumer: (config: Record<string, unknown>) => {
      made.push(config);
      return { connect: async () => void events.push('connect'), disconnect: async () => void events.push('disconnect') };
    },
  } as unknown as KafkaJS.Kafka;
  const properties = { 'group.instance.id': 'tickcast-0', 'security.protocol': 'SSL', 'client.id': 'pod-0', 'session.timeout.ms': 45_000 };
  const committer = await startCommitter(kafka, { groupId: 'g', properties });
  assert.deepEqual(made, [{ kafkaJS: { groupId: 'g', autoCommit: false, sessionTimeout: COMMIT_WAIT_MS }, 'security.protocol': 'SSL', 'client.id': 'pod-0' }], 'same group and connection properties, no group.instance.id');
  await committer.close();
  await committer.close();
  assert.deepEqual(events, ['connect', 'disconnect'], 'closed once');
  await startCommitter(kafka, { groupId: 'g' });
  assert.deepEqual(made[1], { kafkaJS: { groupId: 'g', autoCommit: false, sessionTimeout: COMMIT_WAIT_MS } }, 'a dynamic member too: not its own consumer');
  await startCommitter(kafka, { groupId: 'g', properties: { 'group.protocol': 'consumer' } });
  assert.deepEqual(made[2], { kafkaJS: { groupId: 'g', autoCommit: false }, 'group.protocol': 'consumer' }, 'KIP-848: no client-side session timeout to set');
});

test("a static member stopping while its start's commit waits (the group coordinator lost: librdkafka holds the commit until one is found) disconnects the short-lived client at once, not once the commit ends", { timeout: 20_000 }, async () => {
  const committing = deferred();
  const disconnected = deferred();
  const kafka = {
    consumer: () => ({
      connect: async () => undefined,
      commitOffsets: () => (committing.resolve(), new Promise(() => undefined)), // waits for a coordinator
      disconnect: async () => disconnected.resolve(),
    }),
  } as unknown as KafkaJS.Kafka;
  const admin = {
    fetchOffsets: async ({ topics }: { topics: Array<{ topic: string; partitions: number[] }> }) => topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map((partition) => ({ partition, offset: '-1' })) })),
  } as unknown as KafkaJS.Admin;
  const stop = new AbortController();
  void commitGroupStartAs(kafka, admin, { groupId: 'g', topic: TOPIC, properties: { 'group.instance.id': 'tickcast-0' } }, new Map([[0, 15n]]), logger().l, stop.signal);
  await committing.promise;
  stop.abort(); // the source's stop: its own consumer and admin are disconnected, this client was left connected
  await disconnected.promise;
});

/**
 * A read may take 10 s (the group's coordinator lost after the first), and SETTLE_MS counts only the
 * sleeps: here it never ends, and the member used to wait for it before joining. The commit that
 * never ends is defensive: @confluentinc/kafka-javascript 1.10.1's resolves once queued (measured
 * 7 Dec 2026; a queued commit's later fate is the test 'a start's commit still queued ...' below).
 */
for (const [member, properties] of [['a dynamic member', undefined], ['a static member', { 'group.instance.id': 'tickcast-0' }]] as const) {
  for (const hangs of ['commit', 'read'] as const) {
    test(`${member}: a start's ${hangs} that does not end is given up on once the step's bound passes (logged), and the member joins as when it is refused`, { timeout: 10_000 }, async () => {
      const events: string[] = [];
      let reads = 0;
      const consumer = {
        connect: async () => undefined,
        commitOffsets: () => (events.push('commit'), hangs === 'commit' ? new Promise(() => undefined) : Promise.resolve()),
        disconnect: async () => void events.push('disconnect'),
      };
      const kafka = { consumer: () => consumer } as unknown as KafkaJS.Kafka;
      const admin = {
        fetchOffsets: ({ topics }: { topics: Array<{ topic: string; partitions: number[] }> }) => (++reads > 1 && hangs === 'read' ? new Promise(() => undefined) : Promise.resolve(topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map((partition) => ({ partition, offset: '-1' })) })))),
      } as unknown as KafkaJS.Admin;
      const log = logger();
      const o = { groupId: 'g', topic: TOPIC, properties, boundMs: 300 };
      assert.equal(await commitGroupStartAs(kafka, admin, o, new Map([[0, 15n]]), log.l), false);
      assert.match(log.lines.at(-1)!, /took longer than its bound/);
      assert.deepEqual(events, ['commit', 'disconnect'], 'one commit; the short-lived client let go of at once');
    });
  }
}

test("the step's bound leaves room for its normal course (reads, commit, SETTLE_MS's sleeps: 0.66 s measured)", async () => {
  const f = fakes({});
  const log = logger();
  assert.ok(START_BOUND_MS > 3_000, `${START_BOUND_MS} ms`);
  assert.equal(await commitGroupStartAs({ consumer: () => f.consumer } as unknown as KafkaJS.Kafka, f.admin, { groupId: 'g', topic: TOPIC }, new Map([[0, 15n]]), log.l), true);
  assert.match(log.lines.at(-1)!, /its start committed before joining/);
});

// The short-lived client's connect is part of the bounded step: when it fails only after the bound
// passed, the member has long gone on without it. It used to log "could not connect" as a warning
// then, after "took longer than its bound": a connection error for a step already given up on.
for (const late of ['fails', 'succeeds'] as const) {
  test(`a member's short-lived client whose connect ${late} after the step's bound passed: logged once, at info, as what happened after the step was given up on — not as a connection error`, { timeout: 10_000 }, async () => {
    const connecting = deferred();
    const events: string[] = [];
    const kafka = {
      consumer: () => ({
        connect: () => connecting.promise,
        commitOffsets: async () => void events.push('commit'),
        disconnect: async () => void events.push('disconnect'),
      }),
    } as unknown as KafkaJS.Kafka;
    const lines: Array<{ level: string; msg: string }> = [];
    const reported = deferred();
    const at = (level: string) => (_o: object, msg: string) => {
      lines.push({ level, msg });
      if (lines.length === 2) reported.resolve();
    };
    const log = { info: at('info'), warn: at('warn'), debug: at('debug'), error: at('error') } as never;
    const o = { groupId: 'g', topic: TOPIC, properties: { 'group.instance.id': 'tickcast-0' }, boundMs: 50 };
    assert.equal(await commitGroupStartAs(kafka, {} as KafkaJS.Admin, o, new Map([[0, 15n]]), log), false);
    if (late === 'fails') connecting.reject(new Error('Broker transport failure'));
    else connecting.resolve();
    await reported.promise;
    assert.equal(lines[0].level, 'warn');
    assert.match(lines[0].msg, /took longer than its bound/);
    assert.equal(lines[1].level, 'info');
    assert.match(lines[1].msg, late === 'fails' ? /failed to connect after its start step was given up on/ : /connected after its start step was given up on/);
    assert.doesNotMatch(lines[1].msg, /could not connect/);
    if (late === 'succeeds') assert.deepEqual(events, ['disconnect'], 'nothing committed; let go of');
    await new Promise((r) => setImmediate(r));
    assert.equal(lines.length, 2, 'once');
  });
}

/**
 * librdkafka as measured on the local broker (7 Dec 2026, @confluentinc/kafka-javascript 1.10.1):
 * commitOffsets resolves once the commit is queued (0.2 ms with the broker down); a commit queued
 * while the group's coordinator is unknown is sent, and stored, when the coordinator is found again
 * (4 s later in that run) — also during the client's close, which waits for it up to the client's
 * session.timeout.ms (6 039 ms for 6 000) and then drops it.
 */
function lostCoordinator(committed: Record<number, number>) {
  let back = false;
  const clients: Array<{ queued: Array<{ partition: number; offset: string }>; comeBack: () => void }> = [];
  const kafka = {
    consumer: (config: { kafkaJS: { sessionTimeout?: number } }) => {
      const c = { queued: [] as Array<{ partition: number; offset: string }>, closed: false, comeBack: () => undefined as void };
      const send = () => {
        if (!c.closed) for (const { partition, offset } of c.queued.splice(0)) committed[partition] = Number(offset);
      };
      c.comeBack = send;
      clients.push(c);
      return {
        connect: async () => undefined,
        commitOffsets: async (tps: Array<{ partition: number; offset: string }>) => void (back ? tps.forEach(({ partition, offset }) => (committed[partition] = Number(offset))) : c.queued.push(...tps)),
        disconnect: () => new Promise<void>((resolve) => {
          if (c.queued.length === 0) return resolve((c.closed = true, undefined));
          setTimeout(() => resolve(void ((c.queued.length = 0), (c.closed = true))), config.kafkaJS.sessionTimeout ?? 30_000).unref();
        }),
      };
    },
  } as unknown as KafkaJS.Kafka;
  let reads = 0;
  const admin = {
    // The first read (nothing committed) before the coordinator was lost; then reads fail as the commit does.
    fetchOffsets: async ({ topics }: { topics: Array<{ topic: string; partitions: number[] }> }) => {
      if (++reads > 1) throw new Error('coordinator not available');
      return topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map((partition) => ({ partition, offset: String(committed[partition] ?? -1) })) }));
    },
  } as unknown as KafkaJS.Admin;
  return { kafka, admin, coordinatorBack: () => ((back = true), clients.forEach((c) => c.comeBack())) };
}

// Found 7 Dec 2026 (review): a later member B whose start's commit was queued while the coordinator
// was lost went on (joins, or, here, is overtaken by an earlier member's start) with the commit
// still queued — in its own consumer (a dynamic member), or in the short-lived client it had not
// finished closing (a static member) — and it was stored when the coordinator came back, while the
// group was still empty: over the earlier member's start (15 → 20), the ticks between skipped.
for (const [member, properties] of [['a dynamic member', undefined], ['a static member', { 'group.instance.id': 'tickcast-1' }]] as const) {
  test(`${member}: a start's commit still queued when the step gives up is dropped before the member goes on, not stored later over an earlier member's start`, { timeout: 10_000 }, async () => {
    const committed: Record<number, number> = {};
    const f = lostCoordinator(committed);
    const o = { groupId: 'g', topic: TOPIC, properties, boundMs: 100, commitWaitMs: 200 };
    assert.equal(await commitGroupStartAs(f.kafka, f.admin, o, new Map([[0, 20n]]), logger().l), false);
    committed[0] = 15; // an earlier member A's start, stored while the group is empty
    f.coordinatorBack();
    assert.deepEqual(committed, { 0: 15 }, "B's start (20) is not stored over A's (15)");
  });
}

// Found 7 Dec 2026 (SRE review): at a stop commitGroupStartAs returned at once and nothing waited
// for the short-lived client, so the source's stop() resolved with it still connecting or closing.
for (const at of ['connecting', 'committing'] as const) {
  test(`a stop while the start's short-lived client is ${at}: the step settles only once that client has closed`, { timeout: 10_000 }, async () => {
    const connected = deferred();
    const committing = deferred();
    const closing = deferred();
    const events: string[] = [];
    const kafka = {
      consumer: () => ({
        connect: () => (at === 'connecting' ? connected.promise : Promise.resolve()),
        commitOffsets: async () => committing.resolve(),
        disconnect: () => (events.push('disconnect'), closing.promise.then(() => void events.push('closed'))),
      }),
    } as unknown as KafkaJS.Kafka;
    const f = fakes({});
    const stop = new AbortController();
    const step = commitGroupStartAs(kafka, f.admin, { groupId: 'g', topic: TOPIC }, new Map([[0, 15n]]), logger().l, stop.signal).then((s) => (events.push('settled'), s));
    if (at === 'committing') await committing.promise;
    stop.abort();
    if (at === 'connecting') connected.resolve();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(events, ['disconnect'], 'told to close, not settled yet');
    closing.resolve();
    assert.equal(await step, false);
    assert.deepEqual(events, ['disconnect', 'closed', 'settled']);
  });
}
