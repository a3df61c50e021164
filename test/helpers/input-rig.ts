/**
 * The setting of the input-format tests (sensor-input, device-shadow-input, missing-ts-input): the
 * local broker with the service's four topics (`ticks` with `tickPartitions` partitions, the rest
 * one), a producer, a collector on forecasts and dlq, and the app started on them with the input
 * settings under test (and `opts.config`, whose `kafka`, `topics` and `input` are the rig's). `t0` is a minute two hours back, where the
 * tests stamp their first reading; `model()` the forecasts that are not cold-start baselines.
 */
import { startBroker, uniqueName } from './broker.ts';
import { startTestApp } from './app.ts';
import { Collector, connectProducer, testKafka } from './kafka.ts';
import { isCold } from './forecasts.ts';
import type { ConfigInput } from '../../src/config/schema.ts';

export async function startInputRig(name: string, input: ConfigInput['input'], opts: { tickPartitions?: number; config?: ConfigInput } = {}) {
  const p = uniqueName(name);
  const topics = { ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.dlq` };
  const broker = await startBroker({ topics: Object.values(topics).map((n) => ({ name: n, partitions: n === topics.ticks ? (opts.tickPartitions ?? 1) : 1 })) });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const collector = await Collector.start(kafka, [topics.forecasts, topics.dlq], uniqueName('collect'));
  const stopKafka = async () => {
    await collector.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await broker.stop();
  };
  const app = await startTestApp({
    ...opts.config,
    input,
    kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true },
    topics,
  }).catch(async (err: unknown) => {
    await stopKafka();
    throw err;
  });
  return {
    topics, producer, collector, app,
    t0: Math.floor(Date.now() / 60_000) * 60_000 - 2 * 3_600_000,
    model: () => collector.of(topics.forecasts).filter((f) => !isCold(JSON.parse(String(f.value)))),
    async close() {
      await app.stop();
      await stopKafka();
    },
  };
}
