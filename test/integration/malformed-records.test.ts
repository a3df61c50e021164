/**
 * A hostile producer against the local broker: a few hundred raw malformed records (the seeded
 * generator of test/helpers/fuzz.ts: invalid UTF-8, BOMs, deep and oversized JSON, 1e400, bad and
 * far-future timestamps, __proto__ keys, bad/null/16 kB keys (the local broker stalls on a 200 kB one), tombstones, binary headers) mixed
 * with good ticks of three series. Every good tick is forecast, every bad record is in the
 * dead-letter topic with a TC_RECORD_* code and its original key, value and headers byte for byte,
 * and the service is still ready.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp } from '../helpers/app.ts';
import { hostileRecords } from '../helpers/fuzz.ts';
import { Collector, connectProducer, testKafka, type Collected } from '../helpers/kafka.ts';

const COUNT = 400;

/** Why the dead letter does not carry the record's bytes, or null. */
function lost(sent: ReturnType<typeof hostileRecords>[number], got: Collected): string | null {
  // A zero-length value goes out as null (docs/schemas.md: the client writes it so).
  const value = sent.value === null || sent.value.length === 0 ? null : sent.value;
  if (value === null ? got.value !== null && got.value.length > 0 : got.value === null || !got.value.equals(value)) return 'value';
  const key = sent.key === null || sent.key.length === 0 ? null : sent.key;
  if (key === null ? got.rawKey !== null && got.rawKey.length > 0 : got.rawKey === null || !got.rawKey.equals(key)) return 'key';
  for (const [name, values] of Object.entries(sent.headers)) {
    if (name.startsWith('tickcast-')) continue; // replaced by tickcast's own (documented)
    const h = got.rawHeaders[name];
    // An empty header value comes back as null, as an empty record value does (the client's writing).
    const list = (Array.isArray(h) ? h : [h]).map((v) => (v === undefined || v === null ? Buffer.alloc(0) : Buffer.from(v)));
    if (list.length !== values.length || list.some((v, i) => !v.equals(values[i]))) return `header ${name}`;
  }
  return null;
}

test(`${COUNT} hostile records mixed with good ticks: every good tick forecast, every bad one dead-lettered with its bytes, still ready`, { timeout: 180_000 }, async () => {
  const prefix = uniqueName('hostile');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: Object.values(topics).map((name) => ({ name, partitions: 1 })) });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const collector = await Collector.start(kafka, [topics.forecasts, topics.dlq], uniqueName('collect'));
  const app = await startTestApp({ kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, fromBeginning: true }, topics });
  try {
    const records = hostileRecords(20261206, COUNT, { prefix: 'h', series: 3, t0: Date.UTC(2025, 0, 1), stepMs: 60_000, maxRecordBytes: 64 * 1024, maxKeyBytes: 16_000, mutations: false });
    // In order, on one partition: record i is at offset i.
    const messages = records.map((r) => ({ key: r.key, value: r.value, headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, v.length === 1 ? v[0] : v])) }));
    for (let i = 0; i < messages.length; i += 10) await producer.send({ topic: topics.ticks, acks: -1, messages: messages.slice(i, i + 10) });
    const t0 = Date.now();
    const bad = records.map((r, i) => ({ r, i })).filter(({ r }) => r.expect === 'reject');
    const good = records.filter((r) => r.expect === 'ok');
    // Forecasts (a baseline from a series' second tick, the model's from its 16th) of every good tick after its series' first.
    const firsts = new Set<string>();
    const wanted = good.filter((r) => (firsts.has(r.tick!.series) ? true : (firsts.add(r.tick!.series), false))).map((r) => `${r.tick!.series}@${r.tick!.tsMs}`);
    const forecastOf = () => new Set(collector.of(topics.forecasts).map((f) => JSON.parse(String(f.value))).map((f) => `${f.series}@${f.ts}`));
    const done = () => collector.of(topics.dlq).length >= bad.length && wanted.every((w) => forecastOf().has(w));
    await collector.waitFor(done, 90_000, `${bad.length} dead letters and ${wanted.length} forecasts`).catch((err) => {
      const have = forecastOf();
      throw new Error(`${(err as Error).message}: ${collector.of(topics.dlq).length} dead letters, forecasts missing for ${wanted.filter((w) => !have.has(w)).slice(0, 5).join(', ')}`);
    });
    console.log(`# processed in ${Date.now() - t0} ms`);
    await collector.settle(1000);

    const dlq = collector.of(topics.dlq);
    assert.equal(dlq.length, bad.length, 'one dead letter per bad record, none for a good one');
    const byOffset = new Map(dlq.map((d) => [Number(d.headers['tickcast-source-offset']), d]));
    const problems: string[] = [];
    for (const { r, i } of bad) {
      const d = byOffset.get(i);
      if (d === undefined) problems.push(`#${i} ${r.kind}: no dead letter`);
      else if (!/^TC_RECORD_(?!PROCESSING_FAILED)/.test(d.headers['tickcast-error-code'] ?? '')) problems.push(`#${i} ${r.kind}: code ${d.headers['tickcast-error-code']}`);
      else if (!(d.headers['tickcast-error-message']?.length > 10)) problems.push(`#${i} ${r.kind}: no message`);
      else {
        const why = lost(r, d);
        if (why) problems.push(`#${i} ${r.kind}: ${why} differs`);
      }
    }
    assert.deepEqual(problems.slice(0, 10), []);
    const kinds = new Set(bad.map(({ r }) => r.kind));
    assert.ok(kinds.size >= 12, [...kinds].join(', '));
    const ready = await fetch(`${app.address()}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
  } finally {
    await app.stop();
    await collector.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await broker.stop();
  }
});
