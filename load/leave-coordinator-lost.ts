/**
 * How long a group member's disconnect takes with the broker gone, with and without an offset
 * commit queued for the lost coordinator (docs/kafka-client.md § Leaving the group with the
 * coordinator lost). The local broker (docs/local-broker.md) is started, one partition of 10
 * records read, the broker taken down, then (`commit`) one commit queued, and the disconnect timed.
 *
 * With UV_THREADPOOL_SIZE=1 a file read started during the disconnect shows whether it holds libuv's thread.
 *
 *   TICKCAST_BROKER_BIN=… npx tsx load/leave-coordinator-lost.ts <session.timeout.ms> [commit]
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createKafka } from '../src/adapters/kafka/client.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import { startBroker, uniqueName } from '../test/helpers/broker.ts';
import { connectProducer, produce, testKafka } from '../test/helpers/kafka.ts';

const session = Number(process.argv[2] ?? 10_000);
const queue = process.argv[3] === 'commit';
const topic = uniqueName('leave');
const broker = await startBroker({ topics: [{ name: topic, partitions: 1 }] });
const producer = await connectProducer(testKafka(broker.brokers));
await produce(producer, topic, Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: String(i) })));
await producer.disconnect();
const kafka = createKafka({ ...loadConfig({ env: {} }).kafka, brokers: broker.brokers, clientId: 'leave' }, createLogger({ level: 'silent', name: 'leave' }));
const consumer = kafka.consumer({ kafkaJS: { groupId: uniqueName('g'), sessionTimeout: session, heartbeatInterval: 500, autoCommit: false, fromBeginning: true } });
await consumer.connect();
await consumer.subscribe({ topics: [topic] });
let read = 0;
await new Promise<void>((done) => void consumer.run({ eachMessage: async () => void (++read >= 10 && done()) }));
broker.down();
await new Promise((r) => setTimeout(r, 500));
if (queue) await consumer.commitOffsets([{ topic, partition: 0, offset: '10' }]); // resolves once queued
const t0 = performance.now();
const leaving = consumer.disconnect();
// A file read meanwhile: it waits for a libuv thread (UV_THREADPOOL_SIZE) while the disconnect holds one.
await new Promise((r) => setTimeout(r, 100));
const r0 = performance.now();
await readFile(fileURLToPath(import.meta.url));
const fileReadMs = Math.round(performance.now() - r0);
await leaving;
console.log(JSON.stringify({ sessionTimeoutMs: session, commitQueued: queue, disconnectMs: Math.round(performance.now() - t0), fileReadMs, uvThreads: process.env.UV_THREADPOOL_SIZE ?? '4' }));
await broker.stop();
process.exit(0);
