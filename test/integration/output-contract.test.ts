/**
 * The output contract on the wire (docs/schemas.md): what the local broker holds on the forecasts,
 * anomalies and dead-letter topics after the real service ran a feed — every record's key, headers
 * (each once, as text) and value checked against the documented schemas (test/helpers/output-contract.ts),
 * cold baselines, model and fused forecasts, alerts fired and resolved, an incident, a dead letter.
 * The same contract on the captured pipeline outputs, multivariate too: test/component/output-contract.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import { Collector, connectProducer, produce, testKafka } from '../helpers/kafka.ts';
import { outputContract } from '../helpers/output-contract.ts';

const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;
const N = 660;
const SERIES = ['web-1:cpu', 'web-1:mem', 'ramp'];
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function feed() {
  const out: Array<{ key: string | null; value: string; headers?: Record<string, string> }> = [];
  for (let i = 0; i < N; i++) {
    SERIES.forEach((id, s) => {
      let v = id === 'ramp' ? 10 + i : 50 + 10 * Math.sin((2 * Math.PI * i) / 48 + s) + Math.sin(i * 12.9898 + s * 78.233) * 0.5;
      if (i === 600 && id !== 'ramp') v += 80;
      out.push({ key: id, value: JSON.stringify({ series: id, ts: T0 + i * MIN, value: v }), headers: i % 2 === 0 ? { traceparent: TRACEPARENT } : {} });
    });
  }
  out.splice(30, 0, { key: 'web-1:cpu', value: '{"series":"web-1:cpu","ts":1,"value":1}', headers: { traceparent: TRACEPARENT, 'x-origin': 'sensor-7' } });
  return out;
}

test('on the wire: every record on the output topics keeps the documented key, headers and value', async () => {
  const prefix = uniqueName('contract');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 1 }, { name: topics.forecasts, partitions: 2 }, { name: topics.anomalies, partitions: 1 }, { name: topics.dlq, partitions: 1 }] });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const collector = await Collector.start(kafka, [topics.forecasts, topics.anomalies, topics.dlq], uniqueName('collect'));
  const app = await startTestApp({
    kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true },
    topics,
    incidents: { groupBy: 'prefix' },
  });
  try {
    await produce(producer, topics.ticks, feed());
    const perSeries = N - 1; // a cold baseline from the 2nd tick, a model (or fused) forecast from the window's
    await collector.waitFor(() => collector.of(topics.forecasts).length >= SERIES.length * perSeries && collector.of(topics.dlq).length >= 1, 120_000, 'every forecast and the dead letter');
    await collector.waitFor(() => collector.of(topics.anomalies).some((a) => JSON.parse(String(a.value)).state === 'resolved'), 30_000, 'a resolved alert');
    await collector.settle(1500);

    const contract = outputContract();
    const stream = (topic: string) => (topic === topics.forecasts ? 'forecasts' : topic === topics.anomalies ? 'anomalies' : 'dlq');
    const problems = collector.items.flatMap((c) => contract.check({ stream: stream(c.topic), key: c.key, value: c.value === null ? null : c.value.toString('utf8'), headers: c.headers }));
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} records break the documented contract`);
    for (const c of collector.items.filter((i) => i.topic !== topics.dlq)) {
      for (const [k, v] of Object.entries(c.rawHeaders)) assert.ok(Buffer.isBuffer(v), `${k}: one value, sent once`);
    }

    const forecasts = collector.of(topics.forecasts).map((c) => JSON.parse(String(c.value)));
    assert.equal(forecasts.filter((f) => f.model.startsWith('baseline:') && f.replaces === undefined).length, SERIES.length * (TEST_WINDOW - 2));
    assert.ok(forecasts.some((f) => f.replaces === 'v1') && forecasts.some((f) => f.model === 'v1'), 'model and fused forecasts');
    assert.ok(forecasts.every((f) => f.latencyMs < 120_000), 'latencyMs: milliseconds since the tick was produced');
    const anomalies = collector.of(topics.anomalies).map((c) => JSON.parse(String(c.value)));
    assert.ok(anomalies.some((a) => a.kind === 'incident'), 'an incident');
    assert.ok(anomalies.filter((a) => a.kind === 'alert').every((a) => a.feature === 'value'), 'univariate alerts name their one feature');

    const [dead] = collector.of(topics.dlq);
    assert.equal(dead.headers['tickcast-error-code'], 'TC_RECORD_BAD_TS');
    assert.equal(dead.headers['tickcast-source-topic'], topics.ticks);
    assert.equal(dead.headers['tickcast-source-partition'], '0');
    assert.equal(dead.headers['x-origin'], 'sensor-7', 'the original headers, kept');
    assert.equal(dead.key, 'web-1:cpu');
    assert.equal(String(dead.value), '{"series":"web-1:cpu","ts":1,"value":1}', 'the original value, unchanged');
  } finally {
    await app.stop();
    await collector.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await broker.stop();
  }
});
