/**
 * Outputs whose send failed, then a rebalance that gives the partition back — through the real
 * broker, source, commits and app; only the output sink is a stand-in that fails on cue. The chunk's
 * ticks are in the windows already; the reassigned partition is read again from before the committed
 * offset (the plain replay), so the redelivery starts earlier than the failed chunk. Its kept
 * outputs must still be written (src/pipeline/unsent-outputs.ts). Before the fix: 0 of 40; with no
 * rebalance in between: 40 of 40.
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
import type { KafkaSource } from '../../src/adapters/kafka/source.ts';
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

test('ticks whose sends failed are forecast after a rebalance that gives their partition back', { timeout: 240_000 }, async () => {
  const prefix = uniqueName('rebfail');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 1 }, { name: topics.forecasts, partitions: 1 }, { name: topics.anomalies, partitions: 1 }, { name: topics.dlq, partitions: 1 }] });
  const producer = await connectProducer(testKafka(broker.brokers));
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-rebfail-it-'));
  const config = (d: string) => ({
    kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true, fetchMaxWaitMs: 100 },
    topics,
    model: { dir: path.join(dir, d) },
    // Only for its replay counters (intervalMs 0: nothing is written before the stop).
    snapshots: { enabled: true, intervalMs: 0 },
  });
  const S = 4;
  const [A, B] = [40, 10];
  const stream = tickStream(S, A + B);
  const apps: App[] = [];
  try {
    const first = new SwitchableSink();
    const app1 = await startTestApp(config('a'), { sink: first });
    apps.push(app1);
    await produce(producer, topics.ticks, stream.slice(0, A * S));
    await until(() => first.forecasts.size >= S * (A - TEST_WINDOW + 1), 60_000, 'forecasts for the first part');
    first.failing = true;
    await produce(producer, topics.ticks, stream.slice(A * S));
    await until(() => first.failures >= 2, 60_000, 'a failed send and its redelivery');
    const other = new SwitchableSink();
    other.failing = true;
    // A second instance joins (a rebalance: eager, every partition revoked), its sends fail too, then it leaves (another).
    const app2 = await startTestApp(config('b'), { sink: other });
    apps.push(app2);
    const owned = (m: App) => (m.source as KafkaSource).partitions.length;
    await new Promise((r) => setTimeout(r, 8000)); // the mock rebalances within ≈ sessionTimeout
    first.failing = false;
    await app2.stop();
    await until(() => owned(app1) === 1, 30_000, 'partition back');
    const late = new Set(stream.slice(A * S).map((r) => JSON.parse(r.value)).map((v) => `${v.series}@${v.ts}`));
    const got = () => [...late].filter((k) => first.forecasts.has(k) || other.forecasts.has(k)).length;
    await until(() => got() === late.size, 30_000, 'forecasts').catch(() => undefined);
    assert.ok(app1.snapshots!.replayed.window > 0, 'the partition was assigned again (plain replay before the committed offset)');
    assert.equal(got(), late.size, 'every tick whose outputs failed to send is forecast once the partition is back');
  } finally {
    for (const a of apps) await a.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
