/**
 * For tests of failed sends through the real app and the local broker: an output sink that keeps
 * the model forecasts it is sent, or rejects every send while `failing` (what a produce error looks
 * like to the pipeline: the send rejects after the chunk's ticks are in the windows), the broker,
 * topics and config those tests share, and their common start (forecastThenFail).
 */
import type { OutMessage, OutputSink } from '../../src/pipeline/ports.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Producer } from 'kafkajs';
import type { App } from '../../src/app.ts';
import { startBroker, uniqueName } from './broker.ts';
import { isCold } from './forecasts.ts';
import { TEST_WINDOW } from './app.ts';
import { connectProducer, produce, testKafka, tickStream } from './kafka.ts';
import { until } from './poll.ts';

/** An output sink that keeps what it is sent, or rejects every send while `failing`. */
export class SwitchableSink implements OutputSink {
  failing = false;
  failures = 0;
  readonly forecasts = new Set<string>();

  async send(messages: OutMessage[]): Promise<void> {
    if (this.failing) {
      this.failures++;
      throw new Error('produce failed (test)');
    }
    for (const m of messages) {
      if (m.stream !== 'forecasts') continue;
      const v = JSON.parse(String(m.value));
      if (!isCold(v)) this.forecasts.add(`${v.series}@${v.ts}`);
    }
  }
}

export { until };

/** The service's four topics under `prefix`, and the same as one-partition broker topics. */
export function serviceTopics(prefix: string) {
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  return { topics, brokerTopics: Object.values(topics).map((name) => ({ name, partitions: 1 })) };
}

/**
 * The common start of those tests: the first `A` ticks of `S` series (of `stream`, series-major by
 * tick) are forecast through `sink`; then its sends fail, the rest of `stream` is produced, and
 * one chunk of it is applied, rejected, redelivered and rejected again. Returns the keys
 * (`series@ts`) of the ticks whose outputs were never sent.
 */
export async function forecastThenFail(producer: Producer, topic: string, sink: SwitchableSink, stream: Array<{ key: string; value: string }>, S: number, A: number): Promise<Set<string>> {
  await produce(producer, topic, stream.slice(0, A * S));
  await until(() => sink.forecasts.size >= S * (A - TEST_WINDOW + 1), 60_000, 'forecasts for the first part');
  sink.failing = true;
  await produce(producer, topic, stream.slice(A * S));
  await until(() => sink.failures >= 2, 60_000, 'a failed send and its redelivery');
  return new Set(stream.slice(A * S).map((r) => JSON.parse(r.value) as { series: string; ts: number }).map((v) => `${v.series}@${v.ts}`));
}

/**
 * A private broker with the service's topics (one partition each), a producer, a model folder
 * and the config of an app that reads from the beginning with a shutdown-only snapshot; `apps`
 * collects the apps a test starts, `close()` stops them all and cleans up. `stream`: S = 4 series
 * × (A = 40 + 10) ticks.
 */
export async function failedSendEnv(name: string) {
  const prefix = uniqueName(name);
  const { topics, brokerTopics } = serviceTopics(prefix);
  const broker = await startBroker({ topics: brokerTopics });
  const producer = await connectProducer(testKafka(broker.brokers));
  const dir = mkdtempSync(path.join(tmpdir(), `tc-${name}-it-`));
  const apps: App[] = [];
  const S = 4;
  const A = 40;
  return {
    topics, producer, apps, S, A,
    stream: tickStream(S, A + 10),
    /** The app's config; `modelDir`: its own folder under the test's (instances of one group need their own). */
    config: (modelDir: string) => ({
      kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true, fetchMaxWaitMs: 100 },
      topics,
      model: { dir: path.join(dir, modelDir) },
      // intervalMs 0: a snapshot only at shutdown.
      snapshots: { enabled: true, intervalMs: 0 },
    }),
    async close(): Promise<void> {
      for (const a of apps) await a.stop().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
