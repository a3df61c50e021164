/**
 * topics.alertState needs at least as many partitions as the input topic (a series' alert state
 * goes to the partition numbered as its input partition). Before 6 Dec 2026 the start did not
 * look: a shorter topic was only logged when such a partition was assigned. Now checkCluster
 * refuses it with TC_ALERT_STATE_PARTITIONS (docs/errors.md, docs/runbook.md), and since 7 Dec 2026
 * a missing one too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { checkCluster, OutputTopics } from '../../../src/adapters/kafka/cluster-at-start.ts';
import { isTickcastError } from '../../../src/errors/index.ts';
import type { Logger } from '../../../src/telemetry/logger.ts';

const log = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;

function admin(partitions: Record<string, number>) {
  return {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => Object.keys(partitions),
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => topics.filter((t) => t in partitions).map((name) => ({ name, partitions: Array.from({ length: partitions[name] }, (_, id) => ({ id })) })),
  } as unknown as KafkaJS.Admin;
}

async function start(partitions: Record<string, number>, known?: (n: number) => void) {
  const outputs = new OutputTopics(['state'], log);
  try {
    await checkCluster(admin(partitions), outputs, log, { brokers: 'b:9092', create: null, recheckMs: 60_000, alertState: { input: 'ticks', state: 'state', known } });
  } finally {
    outputs.stop();
  }
}

test('an alert-state topic with fewer partitions than the input topic fails the start, naming both counts and the fix', async () => {
  await assert.rejects(start({ ticks: 4, state: 2 }), (err: unknown) => {
    assert.ok(isTickcastError(err), String(err));
    assert.equal(err.code, 'TC_ALERT_STATE_PARTITIONS');
    assert.match(err.message, /"state" \(topics\.alertState\) has 2 partition\(s\), fewer than the 4 of the input topic "ticks"/);
    assert.match(err.message, /--partitions 4/);
    return true;
  });
});

test('as many or more partitions than the input start as before', async () => {
  await start({ ticks: 4, state: 4 });
  await start({ ticks: 2, state: 6 });
});

// Before 7 Dec 2026 a missing alert-state topic started (only TC_KAFKA_TOPIC_MISSING logged): the first
// alert's chunk failed again and again on its state record, publishing its firing each time, and a topic
// created later with too few partitions was never counted (docs/reliability.md § Open alerts that follow their partition).
test('an alert-state topic that does not exist fails the start, naming the partitions it needs; also with no input topic yet', async () => {
  for (const [cluster, size] of [[{ ticks: 4 }, /with 4 partitions \(as the input topic "ticks" has\)/], [{}, /with as many partitions as the input topic "ticks"/]] as const) {
    await assert.rejects(start(cluster), (err: unknown) => {
      assert.ok(isTickcastError(err), String(err));
      assert.equal(err.code, 'TC_ALERT_STATE_PARTITIONS');
      assert.match(err.message, /"state" \(topics\.alertState\) does not exist/);
      assert.match(err.message, size);
      assert.match(err.message, /cleanup\.policy=compact/);
      return true;
    });
  }
});

test("the alert-state topic's partition count found at start is handed on (input partitions added later beyond it write no state), also with no input topic yet", async () => {
  // Before: only the read at a partition's assignment said the topic lacked it, and a read that failed said nothing: the partition's first alert stalled it.
  const seen: number[] = [];
  await start({ ticks: 2, state: 3 }, (n) => seen.push(n));
  await start({ state: 2 }, (n) => seen.push(n));
  assert.deepEqual(seen, [3, 2]);
});

// kafka.createTopics creates the alert-state topic, but a topic just created reaches every broker's
// metadata only a little later (Kafka's AdminClient: "it may take several seconds"), so the list read
// right after the creation may still lack it. Until 7 Dec 2026 (02:00) that list alone was judged:
// the start refused the topic it had just created (TC_ALERT_STATE_PARTITIONS) and the pod restarted.
test('an alert-state topic kafka.createTopics just created, not yet in the topic list read right after, is looked up again before it is judged missing', async () => {
  const partitions: Record<string, number> = { ticks: 2 };
  let lists = 0;
  let created = false;
  const a = {
    ...(admin(partitions) as unknown as Record<string, unknown>),
    // The broker asked lists the new topic from its third look after the creation on.
    listTopics: async () => Object.keys(partitions).filter((t) => t !== 'state' || (created && ++lists > 2)),
  } as unknown as KafkaJS.Admin;
  const outputs = new OutputTopics([], log);
  const seen: number[] = [];
  const create = async () => {
    partitions.state = 2;
    created = true;
  };
  try {
    await checkCluster(a, outputs, log, { brokers: 'b:9092', create, recheckMs: 60_000, alertState: { input: 'ticks', state: 'state', known: (n) => seen.push(n) } });
  } finally {
    outputs.stop();
  }
  assert.deepEqual(seen, [2], 'the topic it created is counted');
  assert.ok(lists >= 3);
});
