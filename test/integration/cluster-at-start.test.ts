/**
 * The cluster at start, as real clusters present it (src/adapters/kafka/cluster-at-start.ts):
 * - an output topic that does not exist (auto-creation off, as on most managed clusters; the
 *   producer asks for none): before, the service was ready while every send to it waited out the
 *   client's timeout and failed, and the partition made no progress — silently;
 * - brokers that do not answer for longer than the client's 30 s connect (a cluster still coming
 *   up): before, the start failed with a bare "broker transport failure" and the process exited 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { buildApp, type App } from '../../src/app.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { TEST_WINDOW, testConfig } from '../helpers/app.ts';
import { Collector, connectProducer, produce, testKafka, tickStream } from '../helpers/kafka.ts';
import type { ConfigInput } from '../../src/config/schema.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function appWithLog(overrides: ConfigInput): Promise<{ app: App; lines: string[] }> {
  const lines: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
  const app = await buildApp(testConfig({ logLevel: 'info', ...overrides }), { logger: createLogger({ level: 'info', name: 't', destination: sink }) });
  return { app, lines };
}

async function readyz(app: App): Promise<{ status: number; reasons: string[] }> {
  const r = await fetch(`${app.address()}/readyz`);
  const body = (await r.json()) as { reasons: string[] };
  return { status: r.status, reasons: body.reasons };
}

function topicsFor(prefix: string) {
  return { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
}

test('an output topic missing at start: TC_KAFKA_TOPIC_MISSING logged, /readyz 503 naming it; once created, ready and every tick forecast', { timeout: 180_000 }, async () => {
  const prefix = uniqueName('outmissing');
  const topics = topicsFor(prefix);
  const broker = await startBroker({ topics: [topics.ticks, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 })) });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const { app, lines } = await appWithLog({ kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, fromBeginning: true, metadataRefreshMs: 1_000 }, topics });
  let collector: Collector | undefined;
  try {
    await app.start();
    const ticks = tickStream(1, TEST_WINDOW + 4);
    await produce(producer, topics.ticks, ticks);
    const before = await readyz(app);
    assert.equal(before.status, 503, `not ready while an output topic is missing: ${JSON.stringify(before)}`);
    assert.ok(before.reasons.some((r) => r.includes(`"${topics.forecasts}"`) && r.includes('TC_KAFKA_TOPIC_MISSING')), `the reason names the topic: ${JSON.stringify(before.reasons)}`);
    const logged = lines.find((l) => l.includes('TC_KAFKA_TOPIC_MISSING'));
    assert.ok(logged && logged.includes(topics.forecasts) && !logged.includes(topics.dlq), `one error line names the missing topic only: ${logged}`);
    await sleep(3_000);
    assert.equal((await readyz(app)).status, 503, 'still unready while it is missing');

    await broker.addPartitions(topics.forecasts, 1); // the operator creates it
    for (let i = 0; i < 100 && (await readyz(app)).status !== 200; i++) await sleep(200);
    assert.deepEqual(await readyz(app), { status: 200, reasons: [] }, 'ready once the topic exists');
    assert.ok(lines.some((l) => l.includes('every output topic exists now')));
    collector = await Collector.start(kafka, [topics.forecasts], uniqueName('collect'));
    const lastTs = JSON.parse(String(ticks[ticks.length - 1].value)).ts;
    await collector.waitFor(() => collector!.of(topics.forecasts).some((f) => JSON.parse(String(f.value)).ts === lastTs), 90_000, 'the forecast of the last tick');
  } finally {
    await app.stop();
    await collector?.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await broker.stop();
  }
});

test('brokers silent at start for longer than the client connect (30 s): the service waits unready, then starts and forecasts', { timeout: 180_000 }, async () => {
  const prefix = uniqueName('latebroker');
  const topics = topicsFor(prefix);
  const broker = await startBroker({ topics: Object.values(topics).map((name) => ({ name, partitions: 1 })) });
  broker.down();
  await sleep(300);
  const { app, lines } = await appWithLog({ kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, fromBeginning: true }, topics });
  let settled: 'started' | Error | null = null;
  const starting = app.start().then(() => (settled = 'started'), (err: Error) => (settled = err));
  let collector: Collector | undefined;
  let producer: Awaited<ReturnType<typeof connectProducer>> | undefined;
  try {
    await sleep(38_000);
    assert.equal(settled, null, `still waiting for the brokers after 38 s, not failed: ${String(settled)}`);
    const waiting = await readyz(app);
    assert.equal(waiting.status, 503);
    assert.ok(lines.some((l) => l.includes('no Kafka broker answered')), 'each failed attempt is logged');

    broker.up();
    for (let i = 0; i < 300 && settled === null; i++) await sleep(100);
    assert.equal(settled, 'started', 'started once the brokers answered');
    const kafka = testKafka(broker.brokers);
    producer = await connectProducer(kafka);
    collector = await Collector.start(kafka, [topics.forecasts], uniqueName('collect'));
    const ticks = tickStream(1, TEST_WINDOW + 4);
    await produce(producer, topics.ticks, ticks);
    const lastTs = JSON.parse(String(ticks[ticks.length - 1].value)).ts;
    await collector.waitFor(() => collector!.of(topics.forecasts).some((f) => JSON.parse(String(f.value)).ts === lastTs), 60_000, 'the forecast of the last tick');
    assert.equal((await readyz(app)).status, 200);
  } finally {
    broker.up();
    await app.stop();
    await starting;
    await collector?.stop().catch(() => {});
    await producer?.disconnect().catch(() => {});
    await broker.stop();
  }
});
