/**
 * End-to-end through a real Kafka protocol broker over TCP (librdkafka's mock cluster, see
 * docs/local-broker.md): ticks in → forecasts, alerts and dead letters out, with exact counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp, TEST_WINDOW, TEST_HORIZON } from '../helpers/app.ts';
import { Collector, connectProducer, produce, testKafka, tickStream } from '../helpers/kafka.ts';
import type { KafkaSource } from '../../src/adapters/kafka/source.ts';
import { isCold } from '../helpers/forecasts.ts';

const TOPICS = (p: string) => ({ ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.ticks.dlq` });

async function setup(partitions = 6) {
  const prefix = uniqueName('pipe');
  const topics = TOPICS(prefix);
  const broker = await startBroker({
    topics: [
      { name: topics.ticks, partitions },
      { name: topics.forecasts, partitions: 3 },
      { name: topics.anomalies, partitions: 1 },
      { name: topics.dlq, partitions: 1 },
    ],
  });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const collector = await Collector.start(kafka, [topics.forecasts, topics.anomalies, topics.dlq], uniqueName('collect'));
  const appConfig = (groupId = `${prefix}-svc`) => ({
    kafka: { brokers: broker.brokers, groupId, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true },
    topics,
  });
  const close = async () => {
    await collector.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await broker.stop();
  };
  return { prefix, topics, broker, kafka, producer, collector, appConfig, close };
}

const isBaseline = (f: { value: Buffer | null }) => isCold(JSON.parse(String(f.value)));

/** The model forecasts among collected messages (the model's or a baseline fusion served in its place; cold-start baselines left out). */
function modelOnly<T extends { value: Buffer | null }>(items: T[]): T[] {
  return items.filter((f) => !isBaseline(f));
}

/** Distinct (series, ts) model forecasts among collected messages (duplicates after redelivery count once). */
function distinct(items: { value: Buffer | null }[]): number {
  return new Set(modelOnly(items).map((f) => { const v = JSON.parse(String(f.value)); return `${v.series}@${v.ts}`; })).size;
}

/** Map series → list of model forecast ts, from collected forecast messages. */
function forecastsBySeries(items: { value: Buffer | null }[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  for (const it of modelOnly(items)) {
    const f = JSON.parse(String(it.value));
    if (!m.has(f.series)) m.set(f.series, []);
    m.get(f.series)!.push(f.ts);
  }
  return m;
}

test('many series in → exactly one forecast per eligible tick, schema as documented', async () => {
  const env = await setup();
  const app = await startTestApp(env.appConfig());
  try {
    const S = 24;
    const N = 40;
    await produce(env.producer, env.topics.ticks, tickStream(S, N));
    const expected = S * (N - TEST_WINDOW + 1);
    const coldExpected = S * (TEST_WINDOW - 2); // cold-start baseline: ticks 2 … window−1 of each series
    await env.collector.waitFor(() => env.collector.of(env.topics.forecasts).length >= expected + coldExpected, 60_000, `${expected} + ${coldExpected} forecasts`);
    await env.collector.settle(1500);
    const forecasts = modelOnly(env.collector.of(env.topics.forecasts));
    assert.equal(forecasts.length, expected, 'one model forecast per tick with a full window, no more');
    const cold = env.collector.of(env.topics.forecasts).filter(isBaseline).map((f) => JSON.parse(String(f.value)));
    assert.equal(cold.length, coldExpected, 'one baseline forecast per tick of a cold series (from its second tick)');
    for (const c of cold) {
      assert.equal(c.model, 'baseline:naive');
      assert.equal(c.horizon.length, TEST_HORIZON);
      assert.ok(c.horizon.every((s: Record<string, number>) => s.p10 <= s.p50 && s.p50 <= s.p90));
    }
    const firstModel = new Map<string, number>();
    for (const f of forecasts) {
      const v = JSON.parse(String(f.value));
      firstModel.set(v.series, Math.min(firstModel.get(v.series) ?? Infinity, v.ts));
    }
    for (const c of cold) assert.ok(c.ts < firstModel.get(c.series)!, 'baseline only before the window is full: then the model takes over');
    const by = forecastsBySeries(forecasts);
    assert.equal(by.size, S);
    for (const [series, ts] of by) {
      assert.equal(new Set(ts).size, N - TEST_WINDOW + 1, `${series}: distinct forecast timestamps`);
    }
    const f = JSON.parse(String(forecasts[0].value));
    assert.equal(typeof f.model, 'string');
    assert.equal(f.horizon.length, TEST_HORIZON);
    for (const step of f.horizon) {
      assert.ok(step.p10 <= step.p50 && step.p50 <= step.p90, 'quantiles ordered');
      assert.ok(Number.isFinite(step.ts) && step.ts > f.ts, 'step timestamps are in the future');
    }
    assert.equal(f.horizon[1].ts - f.horizon[0].ts, 60_000, 'steps spaced by the series interval');
    assert.ok(f.latencyMs >= 0);
    assert.equal(env.collector.of(env.topics.dlq).length, 0);
  } finally {
    await app.stop();
    await env.close();
  }
});

test('malformed records go to the DLQ with code, reason and original bytes; nothing else is lost', async () => {
  const env = await setup(2);
  const app = await startTestApp(env.appConfig());
  try {
    const good = tickStream(3, TEST_WINDOW + 4);
    const bad: Array<{ key: string | null; value: Buffer; code: string }> = [
      { key: 's0', value: Buffer.from('{not json'), code: 'TC_RECORD_NOT_JSON' },
      { key: 's0', value: Buffer.from(JSON.stringify({ series: 's0', value: 1 })), code: 'TC_RECORD_BAD_TS' },
      { key: 's0', value: Buffer.from('{"series":"s0","ts":1735689600000,"value":"NaN"}'), code: 'TC_RECORD_BAD_VALUE' },
      { key: 's0', value: Buffer.from('{"series":"s0","ts":1735689600000,"value":1e999}'), code: 'TC_RECORD_BAD_VALUE' },
      { key: 's0', value: Buffer.from('{"series":"s0","ts":1735689600000,"values":{"value":"12.5"}}'), code: 'TC_RECORD_BAD_VALUE' },
      { key: null, value: Buffer.from('{"series":"bad series id with spaces!","ts":1735689600000,"value":1}'), code: 'TC_RECORD_BAD_SERIES' },
      { key: null, value: Buffer.from('{"ts":1735689600000,"value":1}'), code: 'TC_RECORD_BAD_SERIES' },
      { key: 's0', value: Buffer.from('[1,2,3]'), code: 'TC_RECORD_INVALID' },
      { key: 's0', value: Buffer.from(JSON.stringify({ series: 's0', ts: 1735689600000, value: 1, pad: 'x'.repeat(70_000) })), code: 'TC_RECORD_TOO_LARGE' },
      { key: 's0', value: Buffer.from('{"series":"s0","ts":"yesterday","value":1}'), code: 'TC_RECORD_BAD_TS' },
      { key: 's0', value: Buffer.from([0xff, 0xfe, 0x00, 0x01]), code: 'TC_RECORD_NOT_JSON' },
    ];
    // Interleave the bad records among the good ones.
    const all: Array<{ key: string | null; value: string | Buffer }> = [];
    good.forEach((g, i) => {
      all.push(g);
      if (i % 5 === 0 && bad[i / 5]) all.push(bad[i / 5]);
    });
    for (const b of bad.slice(Math.ceil(good.length / 5))) all.push(b);
    await produce(env.producer, env.topics.ticks, all);
    const expectedForecasts = 3 * 5;
    await env.collector.waitFor(
      () => env.collector.of(env.topics.dlq).length >= bad.length && modelOnly(env.collector.of(env.topics.forecasts)).length >= expectedForecasts,
      60_000,
      'DLQ and forecasts',
    );
    await env.collector.settle(1500);
    const dlq = env.collector.of(env.topics.dlq);
    assert.equal(dlq.length, bad.length, 'every bad record dead-lettered once');
    assert.equal(modelOnly(env.collector.of(env.topics.forecasts)).length, expectedForecasts, 'every good tick still forecast');
    const codes = dlq.map((d) => d.headers['tickcast-error-code']).sort();
    assert.deepEqual(codes, bad.map((b) => b.code).sort());
    for (const d of dlq) {
      const original = bad.find((b) => Buffer.compare(b.value, d.value!) === 0);
      assert.ok(original, 'DLQ value is the original bytes, unchanged');
      assert.equal(d.headers['tickcast-source-topic'], env.topics.ticks);
      assert.match(d.headers['tickcast-source-offset'], /^\d+$/);
      assert.ok(d.headers['tickcast-error-message'].length > 10, 'a readable reason');
    }
  } finally {
    await app.stop();
    await env.close();
  }
});

test('restart mid-stream: windows are restored, no tick loses its forecast (duplicates counted)', async () => {
  const env = await setup(3);
  const S = 9;
  const N = 60;
  const stream = tickStream(S, N);
  const half = stream.length / 2;
  let app = await startTestApp(env.appConfig());
  try {
    await produce(env.producer, env.topics.ticks, stream.slice(0, half));
    await env.collector.waitFor(() => modelOnly(env.collector.of(env.topics.forecasts)).length >= S * (N / 2 - TEST_WINDOW + 1), 60_000, 'first half');
    await app.stop();
    // Second half arrives while the service is down.
    await produce(env.producer, env.topics.ticks, stream.slice(half));
    app = await startTestApp(env.appConfig());
    const expected = S * (N - TEST_WINDOW + 1);
    await env.collector.waitFor(() => distinct(env.collector.of(env.topics.forecasts)) >= expected, 60_000, 'all forecasts after restart');
    await env.collector.settle(1500);
    const by = forecastsBySeries(env.collector.of(env.topics.forecasts));
    let duplicates = 0;
    for (const [series, ts] of by) {
      const distinct = new Set(ts);
      assert.equal(distinct.size, N - TEST_WINDOW + 1, `${series}: every eligible tick forecast`);
      duplicates += ts.length - distinct.size;
    }
    console.log(`# restart: ${expected} eligible ticks, ${duplicates} duplicate forecasts`);
    assert.ok(duplicates <= expected, 'duplicates bounded');
  } finally {
    await app.stop();
    await env.close();
  }
});

test('broker outage (SIGUSR1/SIGUSR2): the service recovers without restart and loses nothing', async () => {
  const env = await setup(2);
  const app = await startTestApp(env.appConfig());
  try {
    const S = 4;
    const N = 50;
    const stream = tickStream(S, N);
    await produce(env.producer, env.topics.ticks, stream.slice(0, stream.length / 2));
    await env.collector.waitFor(() => env.collector.of(env.topics.forecasts).length > 0, 60_000, 'first forecasts');
    env.broker.down();
    await new Promise((r) => setTimeout(r, 3000));
    env.broker.up();
    await produce(env.producer, env.topics.ticks, stream.slice(stream.length / 2));
    const expected = S * (N - TEST_WINDOW + 1);
    await env.collector.waitFor(() => distinct(env.collector.of(env.topics.forecasts)) >= expected, 90_000, 'all forecasts after outage');
    const by = forecastsBySeries(env.collector.of(env.topics.forecasts));
    for (const [, ts] of by) assert.equal(new Set(ts).size, N - TEST_WINDOW + 1);
  } finally {
    await app.stop();
    await env.close();
  }
});

test('two instances in one group split the partitions and together forecast every tick', async () => {
  const env = await setup(6);
  const a = await startTestApp(env.appConfig('shared-group'));
  const b = await startTestApp(env.appConfig('shared-group'));
  try {
    // Produce only once the group has settled with both members: librdkafka drains a small
    // backlog in well under a second, so a member that is still joining would find nothing left.
    const settleBy = Date.now() + 60_000;
    const owning = () => [a, b].every((m) => (m.source as KafkaSource).partitions.length > 0);
    while (!owning() && Date.now() < settleBy) await new Promise((r) => setTimeout(r, 100));
    assert.ok(owning(), 'both members were assigned partitions within 60 s');
    const S = 12;
    const N = 30;
    await produce(env.producer, env.topics.ticks, tickStream(S, N));
    const expected = S * (N - TEST_WINDOW + 1);
    await env.collector.waitFor(() => distinct(env.collector.of(env.topics.forecasts)) >= expected, 90_000, 'forecasts from both');
    const seriesA = a.serving.listSeries({ offset: 0, limit: 1000 }).items.map((s) => s.id);
    const seriesB = b.serving.listSeries({ offset: 0, limit: 1000 }).items.map((s) => s.id);
    assert.ok(seriesA.length > 0 && seriesB.length > 0, `both instances got work (${seriesA.length} / ${seriesB.length} series)`);
    assert.ok(owning());
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await env.close();
  }
});
