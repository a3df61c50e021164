/**
 * A failed or refused offset commit (src/adapters/kafka/commit.ts, ./commit-failure.ts): a
 * rebalance's refusal is expected and logged at info, any other failure at warn; each is counted
 * by reason. Until 7 Dec 2026 every one was a warning (3–6 per rebalance and member with a live
 * feed: a rolling restart warned several times per pod) and none was counted.
 */
import { test } from 'node:test';
import { EventEmitter } from 'node:events';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { AtLeastOnce, reportCommitOutcomes, Transactional } from '../../../src/adapters/kafka/commit.ts';
import { TransactionTurns } from '../../../src/adapters/kafka/transactions.ts';
import { TransactionSlot } from '../../../src/adapters/kafka/sink.ts';
import { commitFailureReason } from '../../../src/adapters/kafka/commit-failure.ts';
import { pinStarts } from '../../../src/adapters/kafka/restore.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { TelemetryObserver } from '../../../src/telemetry/pipeline-observer.ts';

function logger() {
  const lines: Array<{ level: string; msg: string; obj: Record<string, unknown> }> = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, msg, obj: obj as Record<string, unknown> });
  const l = { info: at('info'), warn: at('warn'), debug: at('debug'), error: at('error'), child: () => l };
  return { lines, l: l as never };
}

/** The client's errors carry librdkafka's numeric code (lib/kafkajs/_common.js createKafkaJsErrorFromLibRdKafkaError). */
const clientError = (code: number, message: string) => Object.assign(new Error(message), { code });
const REBALANCE_IN_PROGRESS = 27;
const NOT_COORDINATOR = 16;

test('the reasons: rebalance codes, coordinator codes, anything else (no code included)', () => {
  for (const code of [27, 22, 25, 113, -142]) assert.equal(commitFailureReason({ code }), 'rebalance', String(code));
  for (const code of [14, 15, 16, -180]) assert.equal(commitFailureReason({ code }), 'coordinator', String(code));
  for (const err of [{ code: -172 }, { code: 82 }, new Error('x'), undefined, { code: '27' }]) assert.equal(commitFailureReason(err), 'other');
});

test('a chunk commit refused by a rebalance logs at info with its reason; any other failure warns; both counted', async () => {
  const failures: string[] = [];
  let fail: Error = clientError(REBALANCE_IN_PROGRESS, 'Broker: Group rebalance in progress');
  const consumer = { commitOffsets: async () => { throw fail; } } as unknown as KafkaJS.Consumer;
  const log = logger();
  const s = new AtLeastOnce(async () => undefined, () => consumer, log.l, (reason) => void failures.push(reason));
  await s.run([], { topic: 't', partition: 0, last: 41n });
  fail = clientError(NOT_COORDINATOR, 'Broker: Not coordinator');
  await s.run([], { topic: 't', partition: 0, last: 42n });
  assert.deepEqual(log.lines.map((l) => [l.level, l.msg, l.obj.failure, l.obj.offset]), [
    ['info', 'offset commit failed; the chunk may be redelivered', 'rebalance', '42'],
    ['warn', 'offset commit failed; the chunk may be redelivered', 'coordinator', '43'],
  ]);
  assert.deepEqual(failures, ['rebalance', 'coordinator']);
});

test("commits the coordinator refused (the client's offset commit callback): info for a rebalance's, warn for others; counted", async () => {
  const internal = new EventEmitter();
  const consumer = { _getInternalClient: () => internal } as unknown as KafkaJS.Consumer;
  const log = logger();
  const failures: string[] = [];
  reportCommitOutcomes(consumer, log.l, (p) => (p === 9 ? 'start' : 'chunk'), { onCommitFailed: (reason) => void failures.push(reason) });
  const rebalance = { message: 'Broker: Group rebalance in progress', code: REBALANCE_IN_PROGRESS };
  internal.emit('offset.commit', rebalance, [{ topic: 't', partition: 0, offset: 100, error: rebalance }, { topic: 't', partition: 9, offset: 5, error: rebalance }]);
  internal.emit('offset.commit', { message: 'Broker: Specified group generation id is not valid', code: 22 }, [{ topic: 't', partition: 1, offset: 7 }]);
  internal.emit('offset.commit', { message: 'Local: Broker transport failure', code: -195 }, [{ topic: 't', partition: 2, offset: 8 }]);
  assert.deepEqual(log.lines.map((l) => [l.level, l.obj.partition, l.obj.failure, l.obj.reason]), [
    ['info', 0, 'rebalance', 'Broker: Group rebalance in progress'],
    ['info', 9, 'rebalance', 'Broker: Group rebalance in progress'],
    ['info', 1, 'rebalance', 'Broker: Specified group generation id is not valid'],
    ['warn', 2, 'other', 'Local: Broker transport failure'],
  ]);
  assert.match(log.lines[1].msg, /^start offset of a partition with nothing committed not stored/);
  assert.deepEqual(failures, ['rebalance', 'rebalance', 'rebalance', 'other']);
});

test('tickcast_kafka_commit_failures_total: every reason at 0 from the start, then counted by the observer', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const observer = new TelemetryObserver(metrics, { scoreGaugeSeries: [], scoreGaugeTopK: 0 });
  const read = async () => Object.fromEntries((await metrics.commitFailures.get()).values.map((v) => [v.labels.reason, v.value]));
  assert.deepEqual(await read(), { rebalance: 0, coordinator: 0, other: 0 });
  observer.commitFailed('rebalance');
  observer.commitFailed('rebalance');
  observer.commitFailed('other');
  assert.deepEqual(await read(), { rebalance: 2, coordinator: 0, other: 1 });
});

test('a refused start names its reason: a rebalance, the coordinator, or the broker\'s error (until 7 Dec 2026 always "the group rebalancing")', () => {
  const internal = new EventEmitter();
  const consumer = { _getInternalClient: () => internal } as unknown as KafkaJS.Consumer;
  const log = logger();
  reportCommitOutcomes(consumer, log.l, () => 'start');
  internal.emit('offset.commit', { message: 'Broker: Group rebalance in progress', code: REBALANCE_IN_PROGRESS }, [{ topic: 't', partition: 0, offset: 5 }]);
  internal.emit('offset.commit', { message: 'Broker: Not coordinator', code: NOT_COORDINATOR }, [{ topic: 't', partition: 1, offset: 6 }]);
  internal.emit('offset.commit', { message: 'Broker: Group authorization failed', code: 30 }, [{ topic: 't', partition: 2, offset: 7 }]);
  assert.deepEqual(log.lines.map((l) => [l.level, l.msg.match(/^start offset of a partition with nothing committed not stored \(([^)]*)\)/)?.[1], l.obj.reason]), [
    ['info', 'the group rebalancing', 'Broker: Group rebalance in progress'],
    ['warn', 'the group coordinator moving or not available', 'Broker: Not coordinator'],
    ['warn', 'refused by the group coordinator: see reason', 'Broker: Group authorization failed'],
  ]);
});

test('commits the coordinator stored are counted per partition, beside the refused ones', () => {
  const internal = new EventEmitter();
  const consumer = { _getInternalClient: () => internal } as unknown as KafkaJS.Consumer;
  const stored: number[] = [];
  const failures: string[] = [];
  reportCommitOutcomes(consumer, logger().l, () => 'chunk', { onCommitted: (n) => void stored.push(n), onCommitFailed: (r) => void failures.push(r) });
  internal.emit('offset.commit', undefined, [{ topic: 't', partition: 0, offset: 100 }, { topic: 't', partition: 1, offset: 7 }]);
  const rebalance = { message: 'Broker: Group rebalance in progress', code: REBALANCE_IN_PROGRESS };
  internal.emit('offset.commit', rebalance, [{ topic: 't', partition: 0, offset: 101, error: rebalance }, { topic: 't', partition: 1, offset: 8 }]);
  internal.emit('offset.commit', rebalance, [{ topic: 't', partition: 0, offset: 102 }]);
  assert.deepEqual(stored, [2, 1]);
  assert.deepEqual(failures, ['rebalance', 'rebalance']);
});

/** A transactional producer whose sendOffsets or commit fails on demand. */
function txProducer(fail: { offsets?: Error; commit?: Error } = {}) {
  return {
    transaction: async () => ({
      sendOffsets: async () => { if (fail.offsets) throw fail.offsets; },
      commit: async () => { if (fail.commit) throw fail.commit; },
      abort: async () => undefined,
    }),
  } as unknown as KafkaJS.Producer;
}

test('exactly-once: a chunk transaction committed with its offsets counts as a commit; offsets or commit refused count as a failure by reason; a handler failure is no commit', async () => {
  const consumer = {} as KafkaJS.Consumer;
  const ref = { topic: 't', partition: 0, last: 9n };
  const run = async (producer: KafkaJS.Producer, handle: () => Promise<void> = async () => undefined) => {
    const counted: string[] = [];
    const s = new Transactional(handle, new TransactionTurns(producer, new TransactionSlot(), logger().l), () => consumer, {
      onCommitted: (n) => void counted.push(`stored ${n}`),
      onCommitFailed: (r) => void counted.push(r),
    });
    await s.run([], ref).catch(() => counted.push('rejected'));
    return counted;
  };
  assert.deepEqual(await run(txProducer()), ['stored 1']);
  assert.deepEqual(await run(txProducer({ offsets: clientError(25, 'Broker: Unknown member') })), ['rebalance', 'rejected']);
  assert.deepEqual(await run(txProducer({ commit: clientError(NOT_COORDINATOR, 'Broker: Not coordinator') })), ['coordinator', 'rejected']);
  assert.deepEqual(await run(txProducer(), async () => { throw new Error('produce failed'); }), ['rejected']);
});

test('tickcast_kafka_commits_total: 0 from the start, then the partitions stored, counted by the observer', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const observer = new TelemetryObserver(metrics, { scoreGaugeSeries: [], scoreGaugeTopK: 0 });
  const read = async () => (await metrics.commits.get()).values.map((v) => v.value);
  assert.deepEqual(await read(), [0]);
  observer.commitsStored(2);
  observer.commitsStored(1);
  assert.deepEqual(await read(), [3]);
});

// Until 7 Dec 2026 (night) the lines of a commit the client itself rejected (commitOffsets threw)
// had no `commit` field, though the coordinator's refusals of the same commits did
// (docs/kafka-client.md: every refusal line carries commit = chunk, start or resume).
test('a commit the client rejects names which commit it was, as the coordinator refusals do: chunk, start', async () => {
  const consumer = { commitOffsets: async () => { throw clientError(REBALANCE_IN_PROGRESS, 'Broker: Group rebalance in progress'); } } as unknown as KafkaJS.Consumer;
  const log = logger();
  await new AtLeastOnce(async () => undefined, () => consumer, log.l).run([], { topic: 't', partition: 0, last: 41n });
  await pinStarts(consumer, 't', new Map([[3, 7n]]), log.l);
  assert.deepEqual(log.lines.map((l) => [l.msg.split(';')[0], l.obj.commit]), [
    ['offset commit failed', 'chunk'],
    ['could not commit the start offsets of partitions with nothing committed', 'start'],
  ]);
});
