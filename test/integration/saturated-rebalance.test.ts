/**
 * A saturated member and a rebalance of the whole group, through the real broker, source, commits
 * and app (only the output sinks keep what they are sent). The first instance owns both partitions
 * and is held by backpressure (its source paused, as the app does while the inference queue is above
 * its high-water mark) with records fetched: its batch loops wait for intake to resume. A second
 * instance joins. The client hands partitions back only once every batch loop has returned, and an
 * eager rebalance waits for every member: while the held loops waited inside their batch, the whole
 * group's rebalance waited for the first instance to resume (up to max.poll.interval, after which it
 * is dropped), and the second instance read nothing. Now a held batch loop gives its batch back after
 * a short hold (src/adapters/kafka/batch-loop.ts; the records are redelivered), so the rebalance
 * completes while the first instance stays saturated, the second forecasts its partition, and once
 * the first resumes every tick is forecast (at-least-once: none lost). Measured on 6 Dec 2026 with
 * the first instance kept paused 60 s: before, the second owned its partition and forecast 65 s
 * after joining (5 s after the first resumed); now 5 s, while the first stays paused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGroupRig } from '../helpers/group-rig.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import { SwitchableSink, until } from '../helpers/switchable-sink.ts';
import type { App } from '../../src/app.ts';
import type { KafkaSource } from '../../src/adapters/kafka/source.ts';

test('a member held by backpressure does not hold up the group: a joining member gets its partition and forecasts while the first stays saturated', { timeout: 180_000 }, async () => {
  const S = 4;
  const A = 30;
  const B = 20;
  const { config, stream, send, stop } = await startGroupRig('saturated', S, A + B);
  const sinkA = new SwitchableSink();
  const sinkB = new SwitchableSink();
  const apps: App[] = [];
  try {
    const a = await startTestApp(config('a'), { sink: sinkA });
    apps.push(a);
    const sourceA = a.source as KafkaSource;
    await send(0, A);
    await until(() => sinkA.forecasts.size >= S * (A - TEST_WINDOW + 1), 60_000, 'forecasts for the first part');
    sourceA.pause(); // saturated: what the app does while the inference queue is above its high-water mark
    await send(A, A + B);
    await new Promise((r) => setTimeout(r, 1500)); // the held loops have their batches
    const b = await startTestApp(config('b'), { sink: sinkB });
    apps.push(b);
    const joined = Date.now();
    const owned = (m: App) => (m.source as KafkaSource).partitions.length;
    // Both partitions of the second part wait in the first instance: the second forecasts its share only once it owns one.
    const half = (S / 2) * B;
    await until(() => owned(b) === 1 && sinkB.forecasts.size >= half, 30_000, `the joining instance owning a partition and forecasting its ${half} ticks while the first stays saturated`).catch((err: Error) => {
      throw new Error(`${err.message} (it owns ${owned(b)}, forecast ${sinkB.forecasts.size}; the first owns ${owned(a)})`);
    });
    const tookMs = Date.now() - joined;
    assert.ok(sourceA.paused, 'the first instance stayed saturated throughout');
    sourceA.resume();
    await until(() => owned(a) === 1, 30_000, 'the first instance owning the other partition');
    const all = S * (A + B - TEST_WINDOW + 1);
    const union = () => new Set([...sinkA.forecasts, ...sinkB.forecasts]).size;
    await until(() => union() >= all, 60_000, `every tick forecast (${all}), the rebalance took ${tookMs} ms`);
    // The batches the first instance gave back produced nothing: none of the second part of the partition it handed over came from it.
    const handed = (b.source as KafkaSource).partitions[0];
    const afterHandOver = stream.slice(A * S, (A + B) * S).map((m) => JSON.parse(m.value) as { series: string; ts: number })
      .filter((v) => Number(v.series.slice(1)) % 2 === handed).map((v) => `${v.series}@${v.ts}`);
    assert.deepEqual(afterHandOver.filter((k) => sinkA.forecasts.has(k)), [], 'no output from the first instance for the partition it handed over');
  } finally {
    for (const app of apps) await app.stop().catch(() => undefined);
    await stop();
  }
});
