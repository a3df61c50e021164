/**
 * A produce failure, then a stop, then a restart from the shutdown snapshot — through the real
 * broker, the real source and commits, and the real app; only the output sink is a stand-in that
 * can be made to fail (what a produce error looks like to the pipeline: the send rejects after the
 * chunk's ticks are in the windows). The ticks of the failed chunk were never committed, so they
 * are delivered again after the restart and must be forecast then (docs/reliability.md,
 * "Series-state snapshots", Failure while handling). Before the fix the shutdown snapshot held
 * those ticks at the offset before them: the restart took them for duplicates and wrote nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import { connectProducer, produce, testKafka, tickStream } from '../helpers/kafka.ts';
import { isCold } from '../helpers/forecasts.ts';
import type { App } from '../../src/app.ts';
import type { OutMessage, OutputSink } from '../../src/pipeline/ports.ts';

/** An output sink that keeps what it is sent, or rejects every send while `failing`. */
class SwitchableSink implements OutputSink {
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

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('ticks whose outputs failed to send before a stop are forecast after the restart from the shutdown snapshot', { timeout: 240_000 }, async () => {
  const prefix = uniqueName('snapfail');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 1 }, { name: topics.forecasts, partitions: 1 }, { name: topics.anomalies, partitions: 1 }, { name: topics.dlq, partitions: 1 }] });
  const producer = await connectProducer(testKafka(broker.brokers));
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-snapfail-it-'));
  const config = {
    kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true, fetchMaxWaitMs: 100 },
    topics,
    model: { dir: path.join(dir, 'model') },
    snapshots: { enabled: true, intervalMs: 0 },
  };
  const S = 4;
  const [A, B] = [40, 10];
  const stream = tickStream(S, A + B);
  const apps: App[] = [];
  try {
    const first = new SwitchableSink();
    const app1 = await startTestApp(config, { sink: first });
    apps.push(app1);
    await produce(producer, topics.ticks, stream.slice(0, A * S));
    await until(() => first.forecasts.size >= S * (A - TEST_WINDOW + 1), 60_000, 'forecasts for the first part');
    // The output side fails: the next chunk is applied, its send rejects, it is redelivered (and fails again).
    first.failing = true;
    await produce(producer, topics.ticks, stream.slice(A * S));
    await until(() => first.failures >= 2, 60_000, 'a failed send and its redelivery');
    await app1.stop(); // shutdown snapshot; the failed chunk's offsets stay uncommitted

    const second = new SwitchableSink();
    const app2 = await startTestApp(config, { sink: second });
    apps.push(app2);
    const late = new Set(stream.slice(A * S).map((r) => JSON.parse(r.value)).map((v) => `${v.series}@${v.ts}`));
    const got = () => [...late].filter((k) => second.forecasts.has(k)).length;
    await until(() => got() === late.size, 60_000, 'forecasts after the restart').catch(() => undefined);
    assert.equal(got(), late.size, 'every tick whose outputs were never sent is forecast after the restart (before the fix: 0 of 40)');
  } finally {
    for (const a of apps) await a.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
