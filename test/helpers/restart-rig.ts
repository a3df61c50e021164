/**
 * The setting of the restart tests (snapshot-restart, incident-restart, feedback-after-restart):
 * the real broker with the service's four topics (`ticks` with `tickPartitions` partitions), a
 * producer, a collector on the output topics a test watches, a temporary directory for the model
 * and its series-state snapshot, and the base config: series-state snapshots on, written only on
 * demand and at stop (`intervalMs: 0`). `start(config)` starts the real app; `close()` stops
 * every app it started and the rest, ignoring what already stopped.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Producer } from 'kafkajs';
import { startBroker, uniqueName } from './broker.ts';
import { startTestApp } from './app.ts';
import { Collector, connectProducer, testKafka } from './kafka.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import type { App } from '../../src/app.ts';

type OutTopic = 'forecasts' | 'anomalies' | 'dlq';

export interface RestartRig {
  topics: { ticks: string; forecasts: string; anomalies: string; dlq: string };
  producer: Producer;
  c: Collector;
  /** The temporary directory: the model directory is `<dir>/model`. */
  dir: string;
  config: { kafka: { brokers: string[]; groupId: string; sessionTimeoutMs: number; heartbeatIntervalMs: number; fromBeginning: true }; topics: RestartRig['topics']; model: { dir: string }; snapshots: { enabled: true; intervalMs: 0 } };
  start(config: ConfigInput): Promise<App>;
  close(): Promise<void>;
}

export async function startRestartRig(name: string, opts: { tickPartitions: number; watch: OutTopic[] }): Promise<RestartRig> {
  const prefix = uniqueName(name);
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: opts.tickPartitions }, { name: topics.forecasts, partitions: 1 }, { name: topics.anomalies, partitions: 1 }, { name: topics.dlq, partitions: 1 }] });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const c = await Collector.start(kafka, opts.watch.map((t) => topics[t]), uniqueName('collect'));
  const dir = mkdtempSync(path.join(tmpdir(), `tc-${name}-it-`));
  const apps: App[] = [];
  return {
    topics, producer, c, dir,
    config: {
      kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true },
      topics,
      model: { dir: path.join(dir, 'model') },
      snapshots: { enabled: true, intervalMs: 0 },
    },
    async start(config) {
      const app = await startTestApp(config);
      apps.push(app);
      return app;
    },
    async close() {
      for (const a of apps) await a.stop().catch(() => undefined);
      await c.stop().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
