/**
 * Two service members in one consumer group over a two-partition input topic on the local
 * broker: the common start of the hand-over tests (a member joining while another holds work).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBroker, uniqueName } from './broker.ts';
import { connectProducer, testKafka, tickStream } from './kafka.ts';

/** Starts the broker and a producer; `config(member)` is a member's config; `send(from, to)` produces ticks [from, to) of `series` series. */
export async function startGroupRig(name: string, series: number, ticks: number) {
  const prefix = uniqueName(name);
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 2 }, ...[topics.forecasts, topics.anomalies, topics.dlq].map((n) => ({ name: n, partitions: 1 }))] });
  const producer = await connectProducer(testKafka(broker.brokers));
  const dir = mkdtempSync(path.join(tmpdir(), `tc-${name}-it-`));
  const config = (member: string) => ({
    kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true, fetchMaxWaitMs: 100 },
    topics,
    model: { dir: path.join(dir, member) },
  });
  const stream = tickStream(series, ticks);
  // Even series on partition 0, odd on partition 1 (tickStream is tick-major: series i at index k·series + i).
  const send = (from: number, to: number) =>
    producer.send({ topic: topics.ticks, acks: -1, messages: stream.slice(from * series, to * series).map((m, i) => ({ ...m, partition: i % 2 })) });
  const stop = async () => {
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { topics, broker, producer, config, stream, send, stop };
}
